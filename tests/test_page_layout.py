"""The listening page's layout in headless Chromium: following, reflow, fonts, screenshots.

The browser, the rendered pages and the helpers are those of ``test_page_browser``
(real espeak renders of the short fixtures, opened from file://).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import test_page_browser as harness
from test_page_browser import SENTENCE, Page, open_page, starts

# the fixtures, shared (pytest finds fixtures by their name in the module)
artifacts, browser, pages, tab = harness.artifacts, harness.browser, harness.pages, harness.tab

VISIBLE = (
    "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
)


def settle(tab: Page) -> None:
    """Wait until the page has stopped scrolling (five frames at the same place)."""
    tab.evaluate(
        """() => new Promise(done => { let last = -1, same = 0;
             const look = () => { same = scrollY === last ? same + 1 : 0; last = scrollY;
                                  same >= 5 ? done() : requestAnimationFrame(look); };
             look(); })"""
    )


def to_transcript(tab: Page) -> None:
    tab.evaluate("() => document.getElementById('transcript-h').scrollIntoView()")
    settle(tab)


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_follow_scrolls_to_the_spoken_sentence_unless_switched_off(
    browser: Any, pages: dict[str, Path], motion: str
) -> None:
    tab = open_page(browser, pages["zh"], width=320, height=480)
    tab.emulate_media(reduced_motion=motion)
    last = tab.locator(SENTENCE).last
    last_start = starts(tab)[-1]
    to_transcript(tab)
    assert not last.evaluate(VISIBLE)
    tab.evaluate("t => { audio.currentTime = t; }", last_start + 0.2)
    last.wait_for(state="attached")
    tab.wait_for_function("el => el.hasAttribute('aria-current')", arg=last.element_handle())
    if motion == "reduce":  # no smooth scrolling: in view at once
        assert last.evaluate(VISIBLE)
    else:
        tab.wait_for_function(f"el => ({VISIBLE})(el)", arg=last.element_handle())
    # switched off, the page stays where the listener left it
    tab.uncheck("#follow")
    tab.evaluate("() => { audio.currentTime = 0.6; }")
    tab.wait_for_function("() => document.querySelector('[data-t]').hasAttribute('aria-current')")
    to_transcript(tab)
    before = tab.evaluate("() => scrollY")
    assert not last.evaluate(VISIBLE)
    tab.evaluate("t => { audio.currentTime = t; }", last_start + 0.2)
    tab.wait_for_function("el => el.hasAttribute('aria-current')", arg=last.element_handle())
    settle(tab)
    assert tab.evaluate("() => scrollY") == before
    tab.close()


@pytest.mark.parametrize(("width", "font"), [(320, "100%"), (1280, "200%"), (640, "200%")])
def test_reflows_without_horizontal_scrolling(
    browser: Any, pages: dict[str, Path], width: int, font: str
) -> None:
    for lang in ("zh", "en"):
        tab = open_page(browser, pages[lang], width=width, height=700)
        tab.evaluate("f => { document.documentElement.style.fontSize = f; }", font)
        tab.evaluate(
            "() => { document.querySelector('details').open = true; audio.currentTime = 6; }"
        )
        tab.wait_for_selector("[data-t][aria-current]")
        sizes = tab.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert sizes[0] <= sizes[1], (lang, width, font, sizes)
        clipped = tab.evaluate(
            "() => [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1"
            " && getComputedStyle(e).overflowX === 'hidden' && !e.matches('.vh, .vh *')).map(e => e.tagName)"
        )
        assert clipped == []
        tab.close()


def test_screenshots_at_1280_and_320_are_kept(
    browser: Any, pages: dict[str, Path], artifacts: Path
) -> None:
    for width, height in ((1280, 800), (320, 640)):
        tab = open_page(browser, pages["zh"], width=width, height=height)
        tab.evaluate("() => { audio.currentTime = 5.8; }")
        tab.wait_for_selector("[data-t][aria-current]")
        shot = artifacts / f"page-zh-{width}.png"
        tab.screenshot(path=str(shot))
        png = shot.read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") == width
        tab.close()
    print(f"listening-page screenshots: {artifacts}")


def test_chinese_text_is_drawn_by_a_system_cjk_font(tab: Page) -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig is missing: apt-get install -y fontconfig")
    families = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    if not families.strip():
        pytest.skip(
            "no CJK font installed: apt-get install -y fonts-wqy-microhei (or fonts-noto-cjk)"
        )
    cjk = {name.strip() for line in families.splitlines() for name in line.split(",")}
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": SENTENCE})["nodeId"]
    used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    han = tab.locator(SENTENCE).first.evaluate(
        "e => (e.textContent.match(/[\\u4e00-\\u9fff]/g) || []).length"
    )
    drawn = sum(f["glyphCount"] for f in used if f["familyName"] in cjk)
    assert han > 0 and drawn >= han, used


def test_page_loads_nothing_but_local_files(browser: Any, pages: dict[str, Path]) -> None:
    tab = browser.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.goto(pages["zh"].as_uri())
    tab.wait_for_selector("html[data-ready]")
    tab.evaluate("() => { audio.currentTime = 3; }")
    assert requested and all(url.startswith(("file://", "data:")) for url in requested), requested
    tab.close()
