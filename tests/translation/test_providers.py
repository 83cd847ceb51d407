"""The providers' contract: LibreTranslate against a small compatible server on 127.0.0.1 (success,
unsupported pair, 500, timeout, malformed answers, server down), Argos through a fake
`argostranslate` package and without one, and the status line the desk and admin pages show."""

from __future__ import annotations

import socket
import sys
import time
import types
from collections.abc import Iterator

import pytest

from consult.translation.providers import (
    ArgosProvider,
    LibreTranslateProvider,
    Provider,
    ProviderUnavailable,
    TranslationError,
    UnsupportedPair,
    provider_from_config,
    provider_status,
)
from tests.translation.fake_libretranslate import FakeLibreTranslate


@pytest.fixture
def libretranslate() -> Iterator[FakeLibreTranslate]:
    with FakeLibreTranslate.running() as server:
        yield server


def client(server: FakeLibreTranslate, timeout: float = 2.0) -> LibreTranslateProvider:
    return LibreTranslateProvider(server.url, server.api_key, timeout)


# --- LibreTranslate -----------------------------------------------------------------------------


def test_translates_with_the_documented_request(libretranslate: FakeLibreTranslate) -> None:
    libretranslate.api_key = "k-123"
    provider = client(libretranslate)
    assert isinstance(provider, Provider)
    assert provider.translate("We need lawyers.", "en", "ar") == "[ar] We need lawyers."
    assert libretranslate.translate_bodies == [
        {"q": "We need lawyers.", "source": "en", "target": "ar", "format": "text",
         "api_key": "k-123"}
    ]  # fmt: skip


def test_pairs_come_from_the_language_list_read_once(libretranslate: FakeLibreTranslate) -> None:
    provider = client(libretranslate)
    assert provider.supports("en", "fr") and provider.supports("ar", "en")
    assert not provider.supports("en", "en") and not provider.supports("fa", "en")
    assert ("fr", "ar") in provider.available_pairs()
    # A regional code of ours finds the server's language.
    assert provider.supports("fr-CA", "en")
    assert [path for _, path, _ in libretranslate.requests] == ["/languages"]


def test_an_unsupported_pair_is_refused_without_a_translate_call(
    libretranslate: FakeLibreTranslate,
) -> None:
    provider = client(libretranslate)
    with pytest.raises(UnsupportedPair):
        provider.translate("Salam", "fa", "en")
    assert libretranslate.translate_bodies == []


def test_the_server_refusing_a_language_is_an_unsupported_pair(
    libretranslate: FakeLibreTranslate,
) -> None:
    provider = client(libretranslate)
    provider.available_pairs()  # the list says en→fr...
    libretranslate.languages["en"] = []  # ...but the server no longer does it: HTTP 400
    with pytest.raises(UnsupportedPair):
        provider.translate("Hello", "en", "fr")


@pytest.mark.parametrize("mode", ["error", "not-json", "no-text", "not-a-string"])
def test_failures_and_garbage_raise_and_are_never_returned_as_text(
    libretranslate: FakeLibreTranslate, mode: str
) -> None:
    provider = client(libretranslate)
    provider.available_pairs()
    libretranslate.mode = mode
    with pytest.raises(ProviderUnavailable):
        provider.translate("Hello", "en", "fr")


def test_a_slow_server_times_out(libretranslate: FakeLibreTranslate) -> None:
    libretranslate.mode, libretranslate.delay = "slow", 3.0
    provider = client(libretranslate, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        provider.translate("Hello", "en", "fr")
    assert time.monotonic() - started < 2


def test_a_malformed_language_list_is_unavailable(libretranslate: FakeLibreTranslate) -> None:
    libretranslate.mode = "not-json"
    with pytest.raises(ProviderUnavailable):
        client(libretranslate).supports("en", "fr")


def test_a_server_that_is_down_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ProviderUnavailable, match="cannot be reached"):
        LibreTranslateProvider(f"http://127.0.0.1:{port}", timeout=1).translate("Hi", "en", "fr")


def test_only_http_addresses_are_accepted() -> None:
    with pytest.raises(ValueError):
        LibreTranslateProvider("file:///etc/passwd")


# --- Argos Translate ----------------------------------------------------------------------------


class FakeArgosLanguage:
    def __init__(self, code: str, translations: dict[str, str]) -> None:
        self.code, self.name, self._to = code, code.upper(), translations

    def get_translation(self, other: FakeArgosLanguage) -> types.SimpleNamespace | None:
        if other.code not in self._to:
            return None
        prefix = self._to[other.code]
        return types.SimpleNamespace(translate=lambda text: f"{prefix} {text}")


@pytest.fixture
def fake_argos(monkeypatch: pytest.MonkeyPatch) -> list[FakeArgosLanguage]:
    """A fake `argostranslate` package with the one call the provider makes; returns the
    installed languages, which a test may change."""
    installed = [FakeArgosLanguage("en", {"ar": "[ar]"}), FakeArgosLanguage("ar", {"en": "[en]"})]
    package = types.ModuleType("argostranslate")
    translate = types.ModuleType("argostranslate.translate")
    translate.get_installed_languages = lambda: installed  # type: ignore[attr-defined]
    package.translate = translate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "argostranslate", package)
    monkeypatch.setitem(sys.modules, "argostranslate.translate", translate)
    return installed


def test_argos_translates_with_the_installed_models(fake_argos: list[FakeArgosLanguage]) -> None:
    provider = ArgosProvider()
    assert isinstance(provider, Provider)
    assert provider.available_pairs() == [("ar", "en"), ("en", "ar")]
    assert provider.translate("Hello", "en", "ar") == "[ar] Hello"
    with pytest.raises(UnsupportedPair):
        provider.translate("Bonjour", "fr", "en")
    status = provider_status({"CONSULT_TRANSLATION_PROVIDER": "argos"})
    assert "2 language pairs available: ar→en, en→ar" in status


def test_argos_without_models_says_so(fake_argos: list[FakeArgosLanguage]) -> None:
    fake_argos.clear()
    assert not ArgosProvider().supports("en", "ar")
    assert "no language pairs installed" in provider_status(
        {"CONSULT_TRANSLATION_PROVIDER": "argos"}
    )


def test_argos_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import argostranslate` raise ImportError, as when it is absent.
    monkeypatch.setitem(sys.modules, "argostranslate", None)
    monkeypatch.setitem(sys.modules, "argostranslate.translate", None)
    with pytest.raises(ProviderUnavailable, match="not installed"):
        ArgosProvider().translate("Hello", "en", "ar")
    status = provider_status({"CONSULT_TRANSLATION_PROVIDER": "argos"})
    assert "not installed" in status and "consult[argos]" in status


# --- choosing, and the status line --------------------------------------------------------------


def test_manual_is_no_provider() -> None:
    assert provider_from_config({"CONSULT_TRANSLATION_PROVIDER": "manual"}) is None
    assert provider_from_config({}) is None
    assert "off" in provider_status({"CONSULT_TRANSLATION_PROVIDER": "manual"})


def test_status_lists_libretranslate_pairs_or_why_not(libretranslate: FakeLibreTranslate) -> None:
    config = {
        "CONSULT_TRANSLATION_PROVIDER": "libretranslate",
        "CONSULT_LIBRETRANSLATE_URL": libretranslate.url,
        "CONSULT_TRANSLATION_TIMEOUT": 2,
    }
    provider = provider_from_config(config)
    assert isinstance(provider, LibreTranslateProvider) and provider.timeout == 2
    status = provider_status(config)
    assert status.startswith(f"LibreTranslate at {libretranslate.url}: 6 language pairs")
    libretranslate.mode = "error"
    assert "is not available: LibreTranslate answered HTTP 500" in provider_status(config)


def test_every_failure_is_a_translation_error() -> None:
    assert issubclass(ProviderUnavailable, TranslationError)
    assert issubclass(UnsupportedPair, TranslationError)
