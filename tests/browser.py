"""Helpers for driving the Gradio page in a real headless Chromium (Playwright's sync API).

Playwright cannot download its own browser builds here, so it drives Debian's `chromium`
package (`scripts/test` installs it). Without it the tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "artifacts" / "screenshots"

# Short enough that a broken page fails fast, long enough for an answer streamed on 2 cores.
TIMEOUT_MS = 30_000

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, safe-browsing lists or metrics
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def _missing(what: str) -> NoReturn:
    """Skip on a developer's machine; fail in CI, where scripts/test installs everything."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must run the browser tests: see scripts/test)")
    pytest.skip(what)


def chromium_path() -> str:
    """Debian's Chromium (`apt-get install chromium`; scripts/test installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        _missing("Chromium not found: install it with `apt-get install chromium`")
    return found


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser, closed (with Playwright) on exit."""
    try:
        from playwright import sync_api
    except ImportError:
        _missing("playwright not installed: `scripts/setup --dev`")
    executable = chromium_path()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser: Any, url: str, *, width: int = 1280, height: int = 1000, zone: str | None = None
) -> Any:
    """A fresh context (its own cookies and Gradio session) with the page loaded and rendered;
    `zone`: the browser's time zone ("Asia/Tokyo"; None: this machine's).

    A Gradio page keeps a connection open, so "networkidle" never comes: wait for the DOM, then
    for the chat and its question box to be rendered.
    """
    options: dict[str, Any] = {"timezone_id": zone} if zone else {}
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.locator("#chat").wait_for(state="visible")
    page.locator("#question textarea").wait_for(state="visible")
    return page


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG under artifacts/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# -- the newsqa page -------------------------------------------------------------------------

BOT = "#chat [data-testid=bot]"
USER = "#chat [data-testid=user]"


def record_bot_texts(page: Any) -> None:
    """Start recording every text the newest bot message shows (read with `recorded_bot_texts`),
    to tell a streamed answer from one that arrives whole."""
    page.evaluate(
        """() => {
          window.__botTexts = [];
          const snap = () => {
            const bots = document.querySelectorAll('#chat [data-testid=bot]');
            const text = bots.length ? bots[bots.length - 1].innerText.trim() : '';
            const seen = window.__botTexts;
            if (text && seen[seen.length - 1] !== text) seen.push(text);
          };
          new MutationObserver(snap).observe(document.querySelector('#chat'),
            {subtree: true, childList: true, characterData: true});
        }"""
    )


def recorded_bot_texts(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__botTexts"))


def ask(page: Any, question: str) -> Any:
    """Type `question`, press Enter, and wait until its answer has finished streaming.

    Returns the locator of the answer's chat bubble."""
    before = page.locator(BOT).count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    answer = page.locator(BOT).nth(before)
    answer.wait_for()  # the first streamed update
    wait_idle(page)
    return answer


def wait_idle(page: Any) -> None:
    """Wait until the event writing into the chat has finished: Gradio hides the chat's status
    tracker then (it shows "processing" while the answer streams)."""
    page.wait_for_function(
        """() => {
          const t = document.querySelector('#chat [data-testid=status-tracker]');
          return !t || t.classList.contains('hide');
        }""",
        timeout=TIMEOUT_MS,
    )


def open_accordion(page: Any, label: str) -> None:
    """Open a collapsed `gr.Accordion` by (the start of) its label, if it is not open already."""
    button = page.locator("button.label-wrap", has_text=label).first
    if "open" not in (button.get_attribute("class") or ""):
        button.click()
        # (Gradio wipes what is typed into a field in the first ~0.1 s after opening)
        page.wait_for_timeout(400)


def choose(page: Any, dropdown: str, *options: str) -> None:
    """Pick options in a `gr.Dropdown` (multiselect or not) by their visible names."""
    field = page.locator(f"{dropdown} input[role=combobox]")
    for option in options:
        field.click()
        page.get_by_role("option", name=option, exact=True).click()
    field.blur()


def cards(page: Any) -> Any:
    return page.locator("#sources .card")


def card_for(page: Any, n: int) -> Any:
    """The source card holding citation `n` (the card itself or an anchor inside it has the id)."""
    return page.locator(f"#src-{n}").locator(
        "xpath=ancestor-or-self::div[contains(@class, 'card')]"
    )


# WCAG contrast of every piece of text under `selector`: its computed colour against the first
# opaque background behind it (colours with alpha blended over what is behind them)
_CONTRASTS = """(selector) => {
  const rgba = (c) => (c.match(/[\\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  const over = (top, under) => top.slice(0, 3).map((v, i) => v * top[3] + under[i] * (1 - top[3]));
  const background = (e) => {
    const layers = [];
    for (; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let rgb = [255, 255, 255];
    for (const layer of layers.reverse()) rgb = over(layer, rgb);
    return rgb;
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const e = node.parentElement;
      if (!node.textContent.trim() || !e.checkVisibility()) continue;
      const under = background(e);
      const fg = over(rgba(getComputedStyle(e).color), under);
      const [a, b] = [luminance(fg), luminance(under)].sort((x, y) => y - x);
      out.push({text: node.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05),
        color: getComputedStyle(e).color});
    }
  }
  return out;
}"""


def contrasts(page: Any, selector: str) -> list[dict[str, Any]]:
    """Each visible text under `selector`: its first characters, its contrast ratio against the
    background it is shown on, and its computed colour."""
    return list(page.evaluate(_CONTRASTS, selector))
