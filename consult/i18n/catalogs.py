"""`python -m consult.i18n.catalogs extract|update|compile|check`: the interface catalogs' workflow.

- extract: templates and code -> translations/messages.pot, with a fixed creation date so the file
  only changes when the strings do (CI runs `extract --check` and fails when re-extraction would
  change it);
- update: merge the .pot into every language's messages.po, without fuzzy guesses;
- compile: messages.po -> messages.mo (never committed; built by `make run`/`make test` and the
  wheel);
- check: every catalog complete, nothing fuzzy, placeholders identical to the source, plural forms
  right.
"""

from __future__ import annotations

import re
import subprocess  # nosec B404
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from consult.core import paths

# The workflow edits the checkout's catalogs (an installed wheel has no .pot to extract into).
ROOT = paths.SOURCE_ROOT
TRANSLATIONS = paths.SOURCE_TRANSLATIONS
POT = TRANSLATIONS / "messages.pot"
STABLE_DATE = "2026-01-01 00:00+0000"
_CREATION_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.MULTILINE)
_GENERATED_BY = re.compile(r'^"Generated-By: Babel .*\\n"$', re.MULTILINE)
_YEAR_IN_HEADER = re.compile(r"^(# (?:Copyright \(C\)|FIRST AUTHOR).*?)\d{4}", re.MULTILINE)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdif]")


def _pybabel(*args: str) -> None:
    # This interpreter running Babel's own command line, no shell; `args` are this module's
    # constants and paths, never input from a request or a user.
    subprocess.run(  # nosec B603
        [sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT
    )


def _stabilise(path: Path) -> None:
    # Dates, years and the Babel version would otherwise change the files on every run.
    text = path.read_text(encoding="utf-8")
    text = _CREATION_DATE.sub(f'"POT-Creation-Date: {STABLE_DATE}\\\\n"', text)
    text = _GENERATED_BY.sub('"Generated-By: Babel\\\\n"', text)
    text = _YEAR_IN_HEADER.sub(r"\g<1>2026", text)
    path.write_text(text, encoding="utf-8")


def extract(output: Path = POT) -> None:
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-wrap",
        "--add-location=file", "--sort-output", "--project", "Consult",
        "--copyright-holder", "Consult contributors",
        "-o", str(output), ".",
    )  # fmt: skip
    _stabilise(output)


def extract_is_current() -> bool:
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "messages.pot"
        extract(fresh)
        return POT.exists() and fresh.read_text("utf-8") == POT.read_text("utf-8")


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def update() -> None:
    for code in languages():
        po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        _pybabel(
            "update", "-i", str(POT), "-o", str(po), "-l", code,
            "--no-fuzzy-matching", "--ignore-obsolete", "--no-wrap",
        )  # fmt: skip
        _stabilise(po)


def compile_all(root: Path = TRANSLATIONS) -> list[Path]:
    written = []
    for po in sorted(root.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


@dataclass
class CatalogReport:
    language: str
    problems: list[str]
    review_status: str


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def review_status(catalog: Catalog) -> str:
    """The 'Review-Status:' line of the catalog's header comment (who checked the wording, if
    anyone)."""
    for line in (catalog.header_comment or "").splitlines():
        if "Review-Status:" in line:
            return line.split("Review-Status:", 1)[1].strip()
    return ""


def check_catalog(po: Path, template: Catalog) -> CatalogReport:
    code = po.parent.parent.name
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    problems = []
    # Babel's table of gettext plural rules, derived from CLDR (the one `pybabel init` writes).
    expected = get_plural(code).num_plurals
    if catalog.num_plurals != expected:
        problems.append(f"plural forms: {catalog.num_plurals}, expected {expected}")
    status = review_status(catalog)
    if not status:
        problems.append("no 'Review-Status:' line in the header comment")
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, message.context)
        label = message.id if isinstance(message.id, str) else message.id[0]
        if translated is None:
            problems.append(f"missing: {label!r}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {label!r}")
        strings = (
            translated.string
            if isinstance(translated.string, tuple | list)
            else (translated.string,)
        )
        if not all(strings):
            problems.append(f"untranslated: {label!r}")
            continue
        source = message.id if isinstance(message.id, str) else message.id[1]
        for string in strings:
            if _placeholders(string) != _placeholders(source) and not (
                # A singular form may spell out "one" instead of using %(num)s.
                not isinstance(message.id, str)
                and len(strings) > 1
                and set(_placeholders(string)) <= set(_placeholders(source))
            ):
                problems.append(f"placeholders differ: {label!r}")
                break
    return CatalogReport(code, problems, status)


def check_all() -> list[CatalogReport]:
    with POT.open("rb") as handle:
        template = read_po(handle)
    return [
        check_catalog(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", template)
        for code in languages()
    ]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        if "--check" in argv:
            if not extract_is_current():
                print("translations/messages.pot is out of date: run `make translations`.")
                return 1
            return 0
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        failed = False
        for report in check_all():
            for problem in report.problems:
                print(f"{report.language}: {problem}")
                failed = True
        if failed:
            return 1
        print(f"{len(languages())} catalogs complete.")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
