"""The journey with a keyboard only (Tab, Enter, Space), a visible focus on every stop, and
choices that are not told apart by colour alone (issue 14, item 2)."""

from __future__ import annotations

from tests.browser.pages import QUESTION, consultation_link
from tests.browser.support import Tab
from tests.support.journey import SLUG

# The focused element, or the label that draws its focus (a radio button or checkbox is drawn by
# its label), shows an outline of 2 px or more, or a ring (box-shadow).
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const drawn = [el, ...(el.labels ? [...el.labels] : [])];
  const visible = drawn.some(e => {
    const s = getComputedStyle(e);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  });
  return {html: el.outerHTML.slice(0, 100), visible};
}"""

MAX_TABS = 60


def tab_to(tab: Tab, selector: str) -> None:
    """Press Tab until `selector` has the focus, checking the focus is visible at every stop."""
    for _ in range(MAX_TABS):
        tab.page.keyboard.press("Tab")
        focus = tab.page.evaluate(_FOCUS)
        if focus is None:
            continue
        assert focus["visible"], f"no visible focus on {focus['html']} ({tab.path})"
        if tab.page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with Tab on {tab.path}")


def test_whole_journey_with_the_keyboard_only(tab: Tab) -> None:
    tab.goto("/en/")
    tab_to(tab, consultation_link("en"))
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(f"**/en/c/{SLUG}/")

    tab_to(tab, "#agree")
    tab.page.keyboard.press("Space")
    assert tab.page.is_checked("#agree")
    tab_to(tab, "main form button[type=submit]")
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url(f"**/en/c/{SLUG}/q/1")

    # The first idea: a stance chosen with Space and the arrow keys, words typed in the box.
    tab_to(tab, "input[name=stance]")
    tab.page.keyboard.press("Space")
    tab.page.keyboard.press("ArrowDown")
    chosen = tab.page.eval_on_selector("input[name=stance]:checked", "e => e.value")
    assert chosen == "partly"
    tab_to(tab, "textarea[name=text]")
    tab.page.keyboard.type("Typed with a keyboard.")
    while QUESTION.search(tab.path):
        tab_to(tab, "main button[name=action][value=next]")
        with tab.page.expect_navigation():
            tab.page.keyboard.press("Enter")
    assert tab.path == f"/en/c/{SLUG}/about"
    tab_to(tab, "main button[name=action][value=next]")
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    assert tab.path == f"/en/c/{SLUG}/review"
    assert "Typed with a keyboard." in tab.page.inner_text("main")
    tab_to(tab, "main form button[type=submit]")
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Space")
    assert tab.path == f"/en/c/{SLUG}/thanks"
    assert tab.page.inner_text(".receipt-code").strip()


def test_a_chosen_answer_is_not_shown_by_colour_alone(tab: Tab) -> None:
    tab.goto(f"/en/c/{SLUG}/")
    # An error is words and a thicker border, not a red border only.
    tab.page.click("main form button[type=submit]")
    assert tab.page.inner_text("#agree-error").strip()
    assert tab.page.inner_text(".error-summary h2").strip()
    tab.page.click("label[for=agree]")
    tab.page.click("main form button[type=submit]")
    tab.page.click("label[for=stance-0]")
    look = """e => { const s = getComputedStyle(e);
      return {weight: s.fontWeight, border: s.borderInlineStartWidth, shadow: s.boxShadow}; }"""
    chosen = tab.page.eval_on_selector("label[for=stance-0]", look)
    other = tab.page.eval_on_selector("label[for=stance-1]", look)
    # Besides its colour, the chosen answer is bold and ringed, and its radio button is filled.
    assert int(chosen["weight"]) > int(other["weight"])
    assert chosen["shadow"] != other["shadow"]
    assert tab.page.is_checked("#stance-0") and tab.page.is_visible("#stance-0")
