"""A tiny form-filling browser over Flask's test client.

It reads forms from the HTML the way a browser does (hidden fields and CSRF token included, checked
boxes only, the pressed button's name and value) and follows redirects. Tests therefore exercise the
real forms, not hand-built POST bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse


@dataclass
class Page:
    url: str
    response: TestResponse
    soup: BeautifulSoup = field(init=False)

    def __post_init__(self) -> None:
        self.soup = BeautifulSoup(self.response.get_data(as_text=True), "html.parser")

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def text(self) -> str:
        return self.soup.get_text(" ", strip=True)

    @property
    def html(self) -> str:
        return self.response.get_data(as_text=True)

    def form(self, index: int = 0, action_contains: str | None = None) -> Tag:
        # Like a person, look at the page's content first: the header's log-out form comes last.
        main = self.soup.find("main")
        forms = (main.find_all("form") if main else []) + [
            f for f in self.soup.find_all("form") if main is None or f not in main.find_all("form")
        ]
        if action_contains is not None:
            forms = [f for f in forms if action_contains in (f.get("action") or "")]
        assert forms, f"no form on {self.url}"
        return forms[index]

    def field_value(self, name: str) -> str | None:
        element = self.soup.find(attrs={"name": name})
        if element is None:
            return None
        if element.name == "textarea":
            return element.string or ""
        return element.get("value")

    def checked(self, name: str) -> list[str]:
        return [
            el.get("value", "on")
            for el in self.soup.find_all("input", attrs={"name": name})
            if el.has_attr("checked")
        ]


def form_data(form: Tag) -> list[tuple[str, str]]:
    """What a browser would send from this form before the user changes anything (no button)."""
    data: list[tuple[str, str]] = []
    for element in form.find_all(["input", "textarea", "select"]):
        name = element.get("name")
        if not name or element.has_attr("disabled"):
            continue
        if element.name == "textarea":
            data.append((name, element.string or ""))
        elif element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            if chosen is not None:
                data.append((name, chosen.get("value", chosen.get_text())))
        else:
            kind = (element.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                continue
            if kind in ("checkbox", "radio"):
                if element.has_attr("checked"):
                    data.append((name, element.get("value", "on")))
            else:
                data.append((name, element.get("value", "")))
    return data


class Browser:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.page: Page | None = None

    def get(self, url: str, follow: bool = True, **kwargs: object) -> Page:
        response = self.client.get(url, follow_redirects=follow, **kwargs)
        self.page = Page(response.request.path if follow else url, response)
        return self.page

    def submit(
        self,
        fields: dict[str, str | list[str] | None] | None = None,
        button: tuple[str, str] | None = None,
        form_index: int = 0,
        action_contains: str | None = None,
        follow: bool = True,
    ) -> Page:
        """Fill in `fields` (a list ticks several boxes; None unticks/clears) and press `button`."""
        assert self.page is not None
        form = self.page.form(form_index, action_contains)
        data = form_data(form)
        for name, value in (fields or {}).items():
            data = [(n, v) for n, v in data if n != name]
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            data.extend((name, v) for v in values)
        if button is not None:
            available = {(b.get("name"), b.get("value")) for b in form.find_all("button")}
            assert button in available, f"no button {button} in form; has {available}"
            data.append(button)
        action = urljoin(self.page.url, form.get("action") or self.page.url)
        response = self.client.post(action, data=MultiDict(data), follow_redirects=follow)
        self.page = Page(response.request.path if follow else action, response)
        return self.page
