"""Machine-translation providers: who turns a text in one language into a draft in another.

`manual` (the default) makes no drafts: translators work from the original. `libretranslate` asks a
self-hosted LibreTranslate server over HTTP; `argos` runs Argos Translate's models in this process
(an optional extra: `pip install 'consult[argos]'`). Each failure is a typed exception, never error
text handed back as if it were a translation: `ProviderUnavailable` (down, slow, 5xx, garbage: try
again later) and `UnsupportedPair` (this provider cannot do that pair: no call is made).

Nothing here logs or quotes the text being translated.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

PROVIDER_NAMES = ("manual", "libretranslate", "argos")
# A translation of one answer (2,000 characters at most) is far smaller; a bigger body is not one.
MAX_RESPONSE_BYTES = 1024 * 1024


class TranslationError(Exception):
    """A text could not be machine-translated."""


class ProviderUnavailable(TranslationError):
    """The provider is down, too slow, failing, or answered something that is not a translation."""


class UnsupportedPair(TranslationError):
    """The provider cannot translate from this language into that one."""


@runtime_checkable
class Provider(Protocol):
    name: str

    def supports(self, source: str, target: str) -> bool: ...

    def translate(self, text: str, source: str, target: str) -> str: ...

    def available_pairs(self) -> list[tuple[str, str]]: ...


def _same_language(ours: str, theirs: str) -> bool:
    """`ours` (a code of this app, e.g. "fa" or "pt-BR") names the provider's `theirs`."""
    ours, theirs = ours.lower(), theirs.lower()
    return ours == theirs or ours.split("-")[0] == theirs


def _code_in(code: str, codes: list[str]) -> str | None:
    """The provider's code for our `code`: the same code, else its primary language subtag."""
    for exact in (c for c in codes if c.lower() == code.lower()):
        return exact
    for near in (c for c in codes if _same_language(code, c)):
        return near
    return None


# --- LibreTranslate ---------------------------------------------------------------------------


class LibreTranslateProvider:
    """A client of a self-hosted LibreTranslate server: `GET /languages` and `POST /translate`.

    Every call has a timeout (`timeout` seconds for connecting and for each read). The language
    list is read once per provider object (one job), so a pair it does not support costs no call
    to `/translate`.
    """

    name = "libretranslate"

    def __init__(self, url: str, api_key: str | None = None, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the LibreTranslate URL must be http:// or https:// with a host")
        self.url = url.rstrip("/")
        self.api_key = api_key or None
        self.timeout = timeout
        self._targets: dict[str, list[str]] | None = None

    def _call(self, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode("utf-8")
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method="GET" if payload is None else "POST",
            headers={"Accept": "application/json", "Content-Type": "application/json"},
        )
        try:
            # The URL comes from the operator's settings and its scheme is checked (http/https).
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # nosec B310
                body = reply.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise self._http_error(error) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ProviderUnavailable(f"LibreTranslate cannot be reached: {reason}") from None
        if len(body) > MAX_RESPONSE_BYTES:
            raise ProviderUnavailable("LibreTranslate sent more than a translation")
        try:
            return json.loads(body)
        except ValueError:
            raise ProviderUnavailable("LibreTranslate did not answer in JSON") from None

    def _http_error(self, error: urllib.error.HTTPError) -> TranslationError:
        error.close()
        if error.code == 400:
            # LibreTranslate's answer to a language it does not know (or a malformed request).
            return UnsupportedPair(f"LibreTranslate refused the request (HTTP {error.code})")
        # 403 (API key), 429 (its own rate limit), 5xx: not something this text can change.
        return ProviderUnavailable(f"LibreTranslate answered HTTP {error.code}")

    def _languages(self) -> dict[str, list[str]]:
        if self._targets is None:
            listed = self._call("/languages")
            targets: dict[str, list[str]] = {}
            if not isinstance(listed, list):
                raise ProviderUnavailable("LibreTranslate's language list is not a list")
            for item in listed:
                code = item.get("code") if isinstance(item, dict) else None
                to = item.get("targets", []) if isinstance(item, dict) else None
                if not isinstance(code, str) or not isinstance(to, list):
                    raise ProviderUnavailable("LibreTranslate's language list is malformed")
                targets[code] = [t for t in to if isinstance(t, str) and t != code]
            self._targets = targets
        return self._targets

    def _server_pair(self, source: str, target: str) -> tuple[str, str] | None:
        languages = self._languages()
        server_source = _code_in(source, list(languages))
        if server_source is None:
            return None
        server_target = _code_in(target, languages[server_source])
        if server_target is None or server_target == server_source:
            return None
        return server_source, server_target

    def supports(self, source: str, target: str) -> bool:
        return self._server_pair(source, target) is not None

    def available_pairs(self) -> list[tuple[str, str]]:
        return sorted((s, t) for s, targets in self._languages().items() for t in targets)

    def translate(self, text: str, source: str, target: str) -> str:
        pair = self._server_pair(source, target)
        if pair is None:
            raise UnsupportedPair(f"LibreTranslate does not translate {source} into {target}")
        payload: dict[str, Any] = {"q": text, "source": pair[0], "target": pair[1]}
        payload["format"] = "text"
        if self.api_key:
            payload["api_key"] = self.api_key
        answer = self._call("/translate", payload)
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str) or (text.strip() and not translated.strip()):
            raise ProviderUnavailable("LibreTranslate's answer holds no translatedText")
        return translated

    def describe(self) -> str:
        parts = urlsplit(self.url)
        return f"LibreTranslate at {parts.scheme}://{parts.hostname}" + (
            f":{parts.port}" if parts.port else ""
        )


# --- Argos Translate --------------------------------------------------------------------------

ARGOS_MISSING = (
    "Argos Translate is not installed: install the optional extra (pip install 'consult[argos]') "
    "and its language models, or choose another CONSULT_TRANSLATION_PROVIDER."
)


class ArgosProvider:
    """Argos Translate's models, run in this process (the worker's, when Redis is configured).

    The package is imported only when a translation is asked for: it is an optional extra, and
    loading it (PyTorch) takes seconds and memory that the web workers should not pay.
    """

    name = "argos"

    def __init__(self) -> None:
        self._languages: list[Any] | None = None

    def _installed(self) -> list[Any]:
        if self._languages is None:
            try:
                import argostranslate.translate  # type: ignore[import-not-found]
            except ImportError:
                raise ProviderUnavailable(ARGOS_MISSING) from None
            try:
                self._languages = list(argostranslate.translate.get_installed_languages())
            except Exception as error:
                raise ProviderUnavailable(f"Argos Translate failed to load: {error}") from None
        return self._languages

    def _translation(self, source: str, target: str) -> Any | None:
        languages = self._installed()
        codes = [language.code for language in languages]
        source_code, target_code = _code_in(source, codes), _code_in(target, codes)
        if source_code is None or target_code is None or source_code == target_code:
            return None
        by_code = {language.code: language for language in languages}
        return by_code[source_code].get_translation(by_code[target_code])

    def supports(self, source: str, target: str) -> bool:
        return self._translation(source, target) is not None

    def available_pairs(self) -> list[tuple[str, str]]:
        languages = self._installed()
        return sorted(
            (a.code, b.code)
            for a in languages
            for b in languages
            if a.code != b.code and a.get_translation(b) is not None
        )

    def translate(self, text: str, source: str, target: str) -> str:
        translation = self._translation(source, target)
        if translation is None:
            raise UnsupportedPair(f"no Argos model translates {source} into {target}")
        try:
            translated = translation.translate(text)
        except Exception as error:
            raise ProviderUnavailable(f"Argos Translate failed: {type(error).__name__}") from None
        if not isinstance(translated, str) or (text.strip() and not translated.strip()):
            raise ProviderUnavailable("Argos Translate returned no text")
        return translated

    def describe(self) -> str:
        return "Argos Translate (in this process)"


# --- choosing one -------------------------------------------------------------------------------


def provider_from_config(config: Mapping[str, Any]) -> Provider | None:
    """The provider CONSULT_TRANSLATION_PROVIDER names, or None for `manual` (no machine drafts)."""
    name = config.get("CONSULT_TRANSLATION_PROVIDER") or "manual"
    if name == "manual":
        return None
    if name == "libretranslate":
        return LibreTranslateProvider(
            config["CONSULT_LIBRETRANSLATE_URL"],
            config.get("CONSULT_LIBRETRANSLATE_API_KEY"),
            float(config.get("CONSULT_TRANSLATION_TIMEOUT") or 10),
        )
    if name == "argos":
        return ArgosProvider()
    raise ValueError(f"unknown translation provider {name!r}")


def _pairs_text(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{source}→{target}" for source, target in pairs)


def provider_status(config: Mapping[str, Any]) -> str:
    """One paragraph for the admin and the desk: which provider, and which pairs it can do now
    (or why none). Asks the provider (a short call for LibreTranslate); never raises."""
    try:
        provider = provider_from_config(config)
    except (KeyError, ValueError) as error:
        return f"Machine translation is misconfigured: {error}."
    if provider is None:
        return "Machine translation is off (manual): translators work from the original answers."
    describe = getattr(provider, "describe", lambda: provider.name)
    try:
        pairs = provider.available_pairs()
    except TranslationError as error:
        log.warning("machine translation unavailable: %s", error)
        return f"{describe()} is not available: {error}"
    if not pairs:
        message = f"{describe()} has no language pairs installed: no machine drafts will be made."
        log.warning("%s", message)
        return message
    return f"{describe()}: {len(pairs)} language pairs available: {_pairs_text(pairs)}."
