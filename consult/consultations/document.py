"""Reading a consultation document (YAML or JSON) and checking it against the published schema.

The schema is `consultation.schema.json` beside this module (described for people in
docs/consultation-format.md). Every problem names the field (`recommendations[2].texts.fr.title`)
and, when the file says where it is, its line; messages are translated, in the organiser's
language. Nothing here touches the database except the slug check, which reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l

if TYPE_CHECKING:  # loaded by the functions that read or check a document, not at start
    import jsonschema
    import yaml

FORMAT = "consult-consultation/1"
# A consultation with 14 languages and dozens of recommendations is well under 1 MB.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    field: str  # "" for the whole document
    line: int | None
    message: Any  # a lazy translated string


class DocumentTooLarge(ValueError):
    """More than MAX_DOCUMENT_BYTES (the page answers 413)."""


class InvalidDocument(ValueError):
    """The file cannot be imported; `problems` says why, field by field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@cache
def schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("consultation.schema.json").read_text("utf-8")
    return json.loads(text)


def field_name(path: Path) -> str:
    """("recommendations", 2, "texts", "fr") -> "recommendations[2].texts.fr" (0-based)."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


# --- reading ------------------------------------------------------------------------------------


def _kind(filename: str, text: str) -> str:
    lowered = filename.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith((".yaml", ".yml")):
        return "yaml"
    return "json" if text.lstrip().startswith("{") else "yaml"


def _refuse_aliases(text: str) -> None:
    """YAML anchors and aliases can make a small file expand into gigabytes: a consultation
    document has no need for them."""
    import yaml  # only imports and exports of consultations need it: not loaded at start

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            raise InvalidDocument(
                [Problem("", line, _l("References (“*name”) are not allowed in this file."))]
            )


def _lines(text: str) -> dict[Path, int]:
    """Each value's line (1-based) by its path, from PyYAML's node marks (JSON is read as YAML
    for this; when that fails there are no lines, only field names)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[Path, int] = {}

    def walk(node: yaml.Node, path: Path) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
                walk(value, (*path, name))
                # A field points at its key's line (a block value starts on the next one).
                lines[(*path, name)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def _syntax_problem(error: Exception) -> Problem:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else getattr(error, "lineno", None)
    return Problem("", line, _l("The file is not valid YAML or JSON; check it near this line."))


def read_document(raw: bytes, filename: str = "") -> tuple[dict[str, Any], dict[Path, int]]:
    """The document and the line of each of its values; raises DocumentTooLarge or
    InvalidDocument (syntax, encoding, or not a consultation at all)."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidDocument([Problem("", None, _l("The file is not UTF-8 text."))]) from None
    kind = _kind(filename, text)
    import yaml

    try:
        if kind == "json":
            data = json.loads(text)
        else:
            _refuse_aliases(text)
            data = yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InvalidDocument([_syntax_problem(error)]) from None
    if not isinstance(data, dict):
        raise InvalidDocument([Problem("", 1, _l("The file does not describe a consultation."))])
    return _plain(data), _lines(text)


def _plain(value: Any) -> Any:
    """YAML reads an unquoted 2027-01-31 as a date: the schema wants the text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


# --- checking -----------------------------------------------------------------------------------


def _schema_message(error: jsonschema.ValidationError) -> tuple[Path, Any]:
    path: Path = tuple(error.absolute_path)
    validator, expected = error.validator, error.validator_value
    if validator == "required":
        missing = next((name for name in expected if name not in error.instance), "")
        return (*path, missing), _l("This field is missing.")
    if validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return (*path, extra[0]) if extra else path, _l("This field is not part of the format.")
    if validator == "propertyNames":
        return path, _l("Not a language code (such as “en”, “ar” or “fa-AF”).")
    if validator == "type" or validator == "oneOf":
        return path, _l("This value has the wrong type (text, number, list…).")
    if validator in ("enum", "const"):
        allowed = expected if isinstance(expected, list) else [expected]
        return path, _l(
            "Not an allowed value; use one of: %(values)s.",
            values=", ".join(str(v) for v in allowed),
        )
    if validator == "pattern":
        if (path and path[-1] in ("source_language", "language")) or "languages" in str(path):
            return path, _l("Not a language code (such as “en”, “ar” or “fa-AF”).")
        return path, _l("This value is not in the expected form.")
    if validator == "minLength" or validator == "minProperties":
        return path, _l("This must not be empty.")
    if validator == "maxLength":
        return path, _l("Too long: at most %(max)s characters.", max=expected)
    if validator == "minimum":
        return path, _l("Too small: at least %(min)s.", min=expected)
    if validator == "uniqueItems":
        return path, _l("A value is listed twice.")
    return path, _l("This value is not valid here.")


def _problem(path: Path, message: Any, lines: dict[Path, int]) -> Problem:
    # The nearest enclosing value the file gave a line for.
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return Problem(field_name(path), lines[path[:end]], message)
    return Problem(field_name(path), None, message)


def is_language_code(code: str) -> bool:
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _content_problems(data: dict[str, Any]) -> list[tuple[Path, Any]]:
    """What the schema cannot say: real language codes, the source text, unique keys, dates."""
    found: list[tuple[Path, Any]] = []
    bad_code = _l("Not a known language code (such as “en”, “ar” or “fa-AF”).")
    for name in ("source_language",):
        if not is_language_code(data[name]):
            found.append(((name,), bad_code))
    for name in ("working_languages", "interface_languages", "drafts_shown_languages"):
        for index, code in enumerate(data.get(name) or []):
            if not is_language_code(code):
                found.append(((name, index), bad_code))
    for code in data["texts"]:
        if not is_language_code(code):
            found.append((("texts", code), bad_code))
    source = data["source_language"]
    if source not in data["texts"]:
        found.append(
            (("texts",), _l("There is no text in the source language (%(code)s).", code=source))
        )
    keys: set[str] = set()
    for index, item in enumerate(data["recommendations"]):
        if item["key"] in keys:
            found.append(((("recommendations", index, "key")), _l("This key is used twice.")))
        keys.add(item["key"])
        for code in item["texts"]:
            if not is_language_code(code):
                found.append((("recommendations", index, "texts", code), bad_code))
        if source not in item["texts"]:
            found.append(
                (
                    ("recommendations", index, "texts"),
                    _l("There is no text in the source language (%(code)s).", code=source),
                )
            )
    opens, closes = data.get("opens_on"), data.get("closes_on")
    if opens and closes and closes < opens:
        found.append((("closes_on",), _l("The closing date is before the opening date.")))
    return found


def check_document(
    data: dict[str, Any], lines: dict[Path, int], *, new_slug: bool = True
) -> dict[str, Any]:
    """The document when it follows the format; else InvalidDocument with every problem found.

    `new_slug`: the document creates a consultation, so its slug must be free and not reserved.
    """
    import jsonschema  # 30 ms and 5 MB at import: loaded when a document is checked, not at start

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [_problem(*_schema_message(error), lines) for error in errors]
    if not problems:
        problems = [_problem(path, message, lines) for path, message in _content_problems(data)]
    if not problems and new_slug:
        from consult.authoring.operations import slug_errors

        problems = [_problem(("slug",), message, lines) for message in slug_errors(data["slug"])]
    if problems:
        raise InvalidDocument(problems)
    return data


def load_document(raw: bytes, filename: str = "", *, new_slug: bool = True) -> dict[str, Any]:
    data, lines = read_document(raw, filename)
    return check_document(data, lines, new_slug=new_slug)
