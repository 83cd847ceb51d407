"""Checks run on every participant page the browser tests open, and the participant's steps."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.browser.support import Tab, describe
from tests.support.journey import SLUG

# Issue 14, item 4: HTML + CSS + icons, as transferred, and the number of requests, per page.
PAGE_BUDGET_BYTES = 30 * 1024
PAGE_BUDGET_REQUESTS = 5
MIN_TARGET = 44  # px, touch targets (WCAG 2.5.5)

# Weights measured by the journey tests, written to test-artifacts/page-weights.json.
WEIGHTS: dict[str, dict[str, Any]] = {}

_TARGETS = """() => {
  const small = [];
  const visible = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'
      && !el.closest('.visually-hidden');
  };
  const box = el => el.getBoundingClientRect();
  // Links inside running text are exempt (WCAG 2.5.5's "inline" exception): words beside the link
  // in the same element. Everything else a finger presses must be 44x44 px at least.
  const inline = a => [...a.parentElement.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
  const targets = 'a[href], button, select, textarea, summary, input:not([type=hidden])';
  for (const el of document.querySelectorAll(targets)) {
    if (!visible(el) && !(el.type === 'radio' || el.type === 'checkbox')) continue;
    if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY') continue;
    if (el.tagName === 'A' && inline(el)) continue;
    let r = box(el);
    if ((el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels.length) {
      r = el.labels[0].getBoundingClientRect();  // the label is the target: a tap ticks the box
    }
    if (r.width < 44 || r.height < 44) {
      small.push(`${el.outerHTML.slice(0, 90)} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""

_UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
    && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 90))"""

_OVERFLOW = """() => document.documentElement.scrollWidth - document.documentElement.clientWidth"""


def check_page(
    tab: Tab,
    name: str,
    axe_script: Path,
    artifacts: Path | None = None,
    weigh: bool = True,
) -> None:
    """Everything issue 14 asks of a participant page, on the page as it is now. Checked on the
    SQLite server only: the page's markup is the same on PostgreSQL, where the journeys run for
    what they store."""
    if tab.live.backend != "sqlite":
        return
    page = tab.page
    if artifacts is not None:
        tab.screenshot(artifacts, name)
    violations = tab.axe(axe_script)
    assert violations == [], f"{name}: {describe(violations)}"
    check_labels(tab, name)
    small = page.evaluate(_TARGETS)
    assert small == [], f"{name}: touch targets under 44x44 px: {small}"
    # Reflow (WCAG 1.4.10): 320 CSS px wide, what a 1280 px window shows at 400 % and a 640 px one
    # at 200 %, with no horizontal scrolling.
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": size["height"]})
    try:
        overflow = page.evaluate(_OVERFLOW)
    finally:
        page.set_viewport_size(size)
    assert overflow <= 0, f"{name}: {overflow} px of horizontal scrolling at 320 px"
    # Text zoomed to 200 % (WCAG 1.4.4) on a phone 360 px wide: the text grows, the layout holds.
    normal = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    try:
        zoomed = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        assert zoomed >= 2 * normal, (normal, zoomed)  # the text follows the root size (rem)
        overflow = page.evaluate(_OVERFLOW)
    finally:
        page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    assert overflow <= 0, f"{name}: {overflow} px of horizontal scrolling with text at 200 %"
    if weigh:
        load = tab.last_load()
        WEIGHTS[name] = {
            "requests": len(load.requests),
            "transferred": load.transferred,
            "gzipped": load.gzipped,
        }
        assert load.transferred <= PAGE_BUDGET_BYTES, f"{name}: {load}"
        assert len(load.requests) <= PAGE_BUDGET_REQUESTS, f"{name}: {load.requests}"


def check_labels(tab: Tab, name: str) -> None:
    """Every field has a label (a <label for>, aria-label or aria-labelledby)."""
    assert tab.page.evaluate(_UNLABELLED) == [], name


def write_weights(artifacts: Path) -> None:
    if WEIGHTS:
        (artifacts / "page-weights.json").write_text(json.dumps(WEIGHTS, indent=1) + "\n")


# --- the participant's steps, by the page's structure, whatever its language ------------------


def consultation_link(lang: str) -> str:
    return f"a[href='/{lang}/c/{SLUG}/']"


def pick(tab: Tab, name: str, value: str) -> None:
    """Tap the label of a radio button or checkbox, as a finger does."""
    box = tab.page.get_attribute(f'input[name="{name}"][value="{value}"]', "id")
    tab.page.click(f"label[for='{box}']")


def next_button(tab: Tab) -> Any:
    return tab.page.locator("main button[name=action][value=next]")


def main_submit(tab: Tab) -> Any:
    return tab.page.locator("main form button[type=submit]").first


QUESTION = re.compile(rf"/c/{SLUG}/q/(\d+)$")
