"""The listening page in a real browser: headless Chromium (Debian's), opened from file://.

Each behaviour of issue 13 is driven and measured here: axe-core (a packaged
copy in tests/browser) reports no WCAG 2.0/2.1/2.2 A or AA violation; a
click, Enter or Space on a sentence seeks the audio to its start; playing
time moves ``aria-current`` and the caption area; ``#t=`` plays from there;
Tab walks player, chapters, search and transcript in that order, with a
visible focus. Layout (following, reflow at 320 CSS px and 200 % text, CJK
fonts, screenshots) is in ``test_page_layout``, which shares these fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from test_page import render_page

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="browser tests need Playwright for Python: pip install -e '.[test]' "
    "(it drives Debian's chromium; never run `playwright install`)",
)

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SENTENCE = "#transcript [data-t]"

Page = Any  # playwright.sync_api.Page (imported lazily so that the module skips cleanly)


@pytest.fixture(scope="module")
def browser(pages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread, and render() runs its own:
    # the pages are rendered first, before the browser starts.
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Chromium: apt-get install -y chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        lang: render_page(FIXTURES / "render" / f"short_{lang}.md", tmp_path_factory.mktemp(lang))
        for lang in ("zh", "en")
    }


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("page-artifacts")


def open_page(
    browser: Any, page: Path, *, width: int = 1280, height: int = 900, fragment: str = ""
) -> Page:
    tab = browser.new_page()
    tab.set_viewport_size({"width": width, "height": height})
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.errors = errors
    tab.goto(page.as_uri() + fragment)
    tab.wait_for_selector("html[data-ready]")
    return tab


@pytest.fixture
def tab(browser: Any, pages: dict[str, Path]) -> Iterator[Page]:
    opened = open_page(browser, pages["zh"])
    yield opened
    assert opened.errors == []
    opened.close()


def axe(tab: Page) -> list[dict[str, Any]]:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: npm ci --prefix tests/browser")
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def summary(violations: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def starts(tab: Page) -> list[float]:
    found: list[float] = tab.eval_on_selector_all(
        SENTENCE, "els => els.map(e => +e.dataset.t / 1000)"
    )
    return found


def record_seeks(tab: Page) -> None:
    """Keep ``audio.currentTime`` as each seek starts, before playback moves it on."""
    tab.evaluate(
        "() => { window.seeks = []; audio.pause();"
        " audio.addEventListener('seeking', () => seeks.push(audio.currentTime)); }"
    )


def first_seek(tab: Page) -> float:
    tab.wait_for_function("() => window.seeks.length > 0")
    value: float = tab.evaluate("() => window.seeks[0]")
    tab.evaluate("() => { window.seeks = []; audio.pause(); }")
    return value


def current(tab: Page) -> dict[str, Any]:
    state: dict[str, Any] = tab.evaluate(
        """() => {
          const marked = [...document.querySelectorAll('[data-t][aria-current]')];
          const cap = document.getElementById('caption');
          return {ids: marked.map(e => e.id),
                  who: cap.querySelector('.who').textContent,
                  what: cap.querySelector('.what').textContent};
        }"""
    )
    return state


@pytest.mark.parametrize(
    ("lang", "width", "scheme", "state"),
    [
        ("zh", 1280, "light", "initial"),
        ("zh", 1280, "light", "playing"),
        ("zh", 320, "dark", "playing"),
        ("en", 320, "light", "initial"),
        ("en", 1280, "dark", "playing"),
    ],
)
def test_axe_finds_no_wcag_a_or_aa_violation(
    browser: Any, pages: dict[str, Path], lang: str, width: int, scheme: str, state: str
) -> None:
    tab = open_page(browser, pages[lang], width=width)
    tab.emulate_media(color_scheme=scheme)
    if state == "playing":  # a current sentence, search hits and the timeline text shown
        tab.evaluate(
            "() => { audio.currentTime = 6; document.querySelector('details').open = true; }"
        )
        tab.fill("#q", "e" if lang == "en" else "我")
        tab.wait_for_selector("[data-t].hit")
        tab.wait_for_selector("[data-t][aria-current]")
    assert summary(axe(tab)) == []
    tab.close()


def test_axe_run_here_does_catch_violations(tab: Page) -> None:
    # the harness must be able to fail: break the page twice and expect both reports
    tab.evaluate(
        "() => { document.documentElement.removeAttribute('lang');"
        " document.querySelector('.caption').style.color = '#333'; audio.currentTime = 6; }"
    )
    tab.wait_for_selector("[data-t][aria-current]")
    found = {v["id"] for v in axe(tab)}
    assert {"html-has-lang", "color-contrast"} <= found


@pytest.mark.parametrize("how", ["click", "Enter", "Space"])
def test_a_sentence_seeks_the_audio_to_its_start(tab: Page, how: str) -> None:
    times = starts(tab)
    sentences = tab.locator(SENTENCE)
    record_seeks(tab)
    for index in (0, len(times) // 2, len(times) - 1):
        target = sentences.nth(index)
        if how == "click":
            target.click()
        else:
            target.focus()
            tab.keyboard.press(how)
        assert abs(first_seek(tab) - times[index]) <= 0.05, (how, index)


def test_playing_time_moves_aria_current_and_the_caption(tab: Page) -> None:
    times = starts(tab)
    texts = tab.eval_on_selector_all(
        SENTENCE, "els => els.map(e => e.textContent.slice(e.firstChild.textContent.length))"
    )
    speakers = tab.eval_on_selector_all(
        SENTENCE, "els => els.map(e => e.closest('.turn').querySelector('.who').textContent)"
    )
    ids = tab.eval_on_selector_all(SENTENCE, "els => els.map(e => e.id)")
    for index in range(len(times) - 1, -1, -1):  # backwards: every move is a real change
        moment = (
            times[index] + (times[index + 1] if index + 1 < len(times) else times[index] + 1)
        ) / 2
        tab.evaluate("t => { audio.currentTime = t; }", moment)
        tab.wait_for_function(
            "id => document.getElementById(id).hasAttribute('aria-current')", arg=ids[index]
        )
        state = current(tab)
        assert state["ids"] == [ids[index]]
        assert state["what"] == texts[index] and state["who"].startswith(speakers[index])
    tab.evaluate("() => { audio.currentTime = 0; }")
    tab.wait_for_function("() => !document.querySelector('[data-t][aria-current]')")
    assert current(tab) == {"ids": [], "who": "", "what": ""}


@pytest.mark.parametrize("fragment", ["#t=20", "#t=0:20", "#t=npt:20,25"])
def test_t_fragment_plays_from_there(browser: Any, pages: dict[str, Path], fragment: str) -> None:
    tab = open_page(browser, pages["zh"], fragment=fragment)
    tab.wait_for_function("() => !audio.paused && audio.currentTime > 20.05")
    tab.evaluate("() => audio.pause()")
    position = tab.evaluate("() => audio.currentTime")
    assert 20 <= position < 25
    times, ids = starts(tab), tab.eval_on_selector_all(SENTENCE, "els => els.map(e => e.id)")
    expected = ids[max(i for i, t in enumerate(times) if t <= position)]
    tab.wait_for_function(
        "id => document.getElementById(id).hasAttribute('aria-current')", arg=expected
    )
    assert current(tab)["ids"] == [expected]
    tab.close()


def test_sentence_fragment_moves_to_that_sentence(browser: Any, pages: dict[str, Path]) -> None:
    tab = open_page(browser, pages["zh"])
    target = tab.eval_on_selector_all(SENTENCE, "els => [els[5].id, +els[5].dataset.t / 1000]")
    tab.evaluate("id => { location.hash = id; }", target[0])
    tab.wait_for_function("id => document.activeElement.id === id", arg=target[0])
    assert abs(tab.evaluate("() => audio.currentTime") - target[1]) <= 0.05
    tab.close()


def test_tab_reaches_player_chapters_search_transcript_in_order(tab: Page) -> None:
    seen: list[str] = []
    for _ in range(80):
        tab.keyboard.press("Tab")
        seen.append(
            tab.evaluate(
                """() => { const e = document.activeElement;
                  if (e.id === 'audio') return 'player';
                  if (e.classList.contains('chap')) return 'chapters';
                  if (e.id === 'q') return 'search';
                  if (e.hasAttribute('data-t')) return 'transcript';
                  return e.tagName.toLowerCase(); }"""
            )
        )
        if seen[-1] == "transcript" and seen.count("transcript") > 3:
            break
    firsts = [seen.index(part) for part in ("player", "chapters", "search", "transcript")]
    assert firsts == sorted(firsts), seen
    assert seen[0] == "a"  # the skip link comes first
    # no trap: Tab goes on past the last sentence and out of the page
    tab.locator(SENTENCE).last.focus()
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => !document.activeElement.hasAttribute('data-t')")


def test_keyboard_focus_is_visible_on_every_stop(tab: Page) -> None:
    outlines = []
    for _ in range(30):
        tab.keyboard.press("Tab")
        outlines.append(
            tab.evaluate(
                """() => { const e = document.activeElement, s = getComputedStyle(e);
                  return [e.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
            )
        )
    assert {tag for tag, _, _ in outlines} >= {"A", "AUDIO", "SELECT", "INPUT", "SPAN"}
    assert all(style == "solid" and width >= 2 for _, style, width in outlines), outlines


def test_skip_link_moves_focus_to_the_transcript(tab: Page) -> None:
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    tab.keyboard.press("Tab")
    assert tab.evaluate("() => document.activeElement.id") == "q"


def test_chapters_speed_timeline_and_search_work_from_the_keyboard_and_mouse(tab: Page) -> None:
    record_seeks(tab)
    chapter = tab.locator("a.chap").nth(1)
    chapter.focus()
    tab.keyboard.press("Enter")
    assert abs(first_seek(tab) - int(chapter.get_attribute("data-c") or 0) / 1000) <= 0.05
    tab.select_option("#speed", "1.5")
    assert tab.evaluate("() => audio.playbackRate") == 1.5
    strip = tab.locator(".tl svg").first
    box = strip.bounding_box()
    span = [int(x) for x in (strip.get_attribute("data-c") or "").split(",")]
    strip.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    assert abs(first_seek(tab) - (span[0] + span[1]) / 2000) <= 0.1
    tab.fill("#q", "闲哥")  # a phrase inside one sentence, not only the speaker's name
    tab.wait_for_function("() => document.getElementById('hits').textContent !== ''")
    hits = tab.eval_on_selector_all("[data-t].hit", "els => els.map(e => e.id)")
    assert len(hits) == 1 and "1" in tab.inner_text("#hits")
    tab.press("#q", "Enter")
    assert tab.evaluate("() => document.activeElement.id") == hits[0]
