"""Compiled templates kept on disk (consult/core/template_cache.py): the pages are the same with and
without them, an edited template is compiled again, and a folder that cannot be written only costs
time."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader

from consult.core.template_cache import keep_compiled_templates

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_templates(tmp_path: Path) -> Path:
    """A copy of the templates folder, so that one can be edited."""
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    return folder


@pytest.fixture
def make_app(demo_app, app_factory, own_templates):
    """Another app on the demo's database that reads the copied templates."""

    def build():
        app = app_factory()
        app.jinja_env.loader = FileSystemLoader(str(own_templates))
        return app

    return build


def test_a_page_rendered_from_kept_templates_is_the_same(
    tmp_path: Path, make_app, own_templates
) -> None:
    plain = make_app()
    with plain.test_client() as client:
        expected = client.get("/en/languages").get_data(as_text=True)
    first = make_app()
    keep_compiled_templates(first, tmp_path / "kept")
    second = make_app()
    keep_compiled_templates(second, tmp_path / "kept")  # loads them from the folder
    with second.test_client() as client:
        response = client.get("/en/languages")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == expected


def test_an_edited_template_is_compiled_again(tmp_path: Path, make_app, own_templates) -> None:
    keep_compiled_templates(make_app(), tmp_path / "kept")
    page = own_templates / "participation" / "languages.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}EDITED-MARK"),
        encoding="utf-8",
    )
    app = make_app()
    keep_compiled_templates(app, tmp_path / "kept")
    with app.test_client() as client:
        assert "EDITED-MARK" in client.get("/en/languages").get_data(as_text=True)


def test_a_folder_that_cannot_be_written_only_costs_time(tmp_path: Path, make_app, caplog) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    app = make_app()
    with caplog.at_level(logging.WARNING, logger="consult.core.template_cache"):
        keep_compiled_templates(app, blocker / "templates")
    assert "Compiled templates not kept" in caplog.text
    assert app.jinja_env.bytecode_cache is None
    with app.test_client() as client:
        assert client.get("/en/languages").status_code == 200
