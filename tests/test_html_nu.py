"""W3C's Nu HTML checker finds no error in the listening page or the transcript HTML.

The checker is ``vnu.jar`` from the npm package ``vnu-jar`` (pinned in
tests/html; install it with ``npm ci --prefix tests/html --ignore-scripts``:
its install script would download a JDK, and Debian's ``default-jre-headless``
runs it instead). Checked, each rendered once with the real espeak engine:
the seed (``seeds/000_ca70ea49c8ed113c.txt``, the page's size and shape in
use) and the short Chinese and English fixtures. The page's script adds a
``<time>`` to each sentence: the document it builds in Chromium is checked
as well. Without java, the jar, or (for that one test) Chromium, the tests
skip and say why, unless ``TTS_EXPORT_VALIDATORS_REQUIRED=1`` (as in CI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest
from conftest import FIXTURES, ROOT, render_args, run_cli

VNU = ROOT / "tests" / "html" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL = "npm ci --prefix tests/html --ignore-scripts"
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
CHROMIUM = Path("/usr/bin/chromium")
RENDER = ("--page", "--captions-formats", "srt,vtt,html", "--quiet")
TIME = re.compile(r"<time\b([^>]*)>([^<]*)</time>")
CLOCK = re.compile(r"(?:(\d+):)??(\d+):(\d\d)")  # m:ss, mm:ss or h:mm:ss
DATETIME = re.compile(r'\bdatetime="PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?"')


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("TTS_EXPORT_VALIDATORS_REQUIRED") == "1":
        pytest.fail(f"TTS_EXPORT_VALIDATORS_REQUIRED=1 but {reason}")
    pytest.skip(reason)


def vnu_command() -> list[str]:
    """``java -jar vnu.jar``; skips (or fails, where validators are required) without either."""
    java = shutil.which("java")
    if java is None:
        _unavailable("java is not installed: apt-get install -y default-jre-headless")
    if not VNU.is_file():
        _unavailable(f"W3C's Nu checker (vnu-jar) is not installed: run `{INSTALL}`")
    return [java, "-jar", str(VNU)]


def nu_errors(*paths: Path) -> dict[str, list[str]]:
    """Each file's errors from the Nu checker, ``line:column message (extract)``."""
    proc = subprocess.run(
        [*vnu_command(), "--format", "json", "--errors-only", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: a file has errors, listed in the report
    # vnu writes its report to stderr, after any notice of the JVM's (JAVA_TOOL_OPTIONS...)
    start = proc.stderr.find('{"')
    assert start >= 0, proc.stderr
    report: dict[str, Any] = json.loads(proc.stderr[start:])
    found: dict[str, list[str]] = {path.name: [] for path in paths}
    for message in report["messages"]:
        name = message.get("url", "").rsplit("/", 1)[-1]
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        found.setdefault(name, []).append(
            f"{where} {message['message']} ({message.get('extract', '').strip()!r})"
        )
    return found


def assert_valid(*paths: Path) -> None:
    bad = {name: errors for name, errors in nu_errors(*paths).items() if errors}
    count = sum(len(errors) for errors in bad.values())
    shown = "\n".join(f"{name}: {e}" for name, errors in bad.items() for e in errors[:25])
    assert not bad, f"W3C's Nu checker reports {count} errors:\n{shown}"


def undated_times(text: str) -> list[str]:
    """The ``<time>`` elements whose ``datetime`` is not the duration their text shows.

    The checker accepts ``<time>00:18</time>`` (a time of day, 00:18 after
    midnight); on the page it means 18 seconds in, so each needs the duration.
    """
    wrong = []
    for attrs, shown in TIME.findall(text):
        given, clock = DATETIME.search(attrs), CLOCK.fullmatch(shown.strip("[]"))
        if given is None or clock is None or _seconds(given) != _seconds(clock):
            wrong.append(f"<time{attrs}>{shown}</time>")
    return wrong


def _seconds(match: re.Match[str]) -> int:
    """Hours, minutes and seconds (any may be absent) of a duration or clock time, in s."""
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


def _render(source: Path, base: Path) -> dict[str, Path]:
    out = base / "out"
    done = run_cli(*render_args(str(source), *RENDER, out=out, cache=base / "cache"))
    assert done.returncode == 0, done.stderr
    stem = source.stem
    pages = {"page": out / f"{stem}.html", "transcript": out / f"{stem}.transcript.html"}
    assert all(p.is_file() for p in pages.values()), sorted(p.name for p in out.iterdir())
    return pages


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    vnu_command()  # no render (a minute for the seed) when the checker cannot run
    return _render(SEED, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    vnu_command()
    return {
        lang: _render(FIXTURES / "render" / f"short_{lang}.md", tmp_path_factory.mktemp(lang))
        for lang in ("zh", "en")
    }


def test_the_checker_reports_the_errors_it_finds(tmp_path: Path) -> None:
    """The harness can fail: a ``<time>`` whose text is a range and has no datetime."""
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        "<body><p><time>00:00–01:23</time></p></body></html>\n",
        encoding="utf-8",
    )
    errors = nu_errors(broken)["broken.html"]
    assert len(errors) == 1 and "time" in errors[0], errors


def assert_dated(name: str, text: str) -> None:
    assert "<time" in text, name  # the elements in question are there
    wrong = undated_times(text)
    assert not wrong, f"{name}: {len(wrong)} <time>s without their duration: {wrong[:10]}"


def test_the_seeds_page_and_transcript_have_no_errors(seed: dict[str, Path]) -> None:
    assert_valid(seed["page"], seed["transcript"])
    for path in seed.values():
        assert_dated(path.name, path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_short_fixtures_pages_and_transcripts_have_no_errors(
    short: dict[str, dict[str, Path]], lang: str
) -> None:
    assert_valid(short[lang]["page"], short[lang]["transcript"])
    for path in short[lang].values():
        assert_dated(path.name, path.read_text(encoding="utf-8"))


def test_the_document_the_pages_script_builds_has_no_errors(
    short: dict[str, dict[str, Path]], tmp_path: Path
) -> None:
    """After the script ran (a ``<time>`` per sentence, roles, ``aria-current``), in Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        _unavailable("Chromium is not installed: apt-get install -y chromium")
    built = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for lang, pages in short.items():
            tab = browser.new_page()
            tab.goto(pages["page"].as_uri())
            tab.wait_for_selector("html[data-ready]")
            stamps = tab.eval_on_selector_all("#transcript time", "els => els.length")
            sentences = tab.eval_on_selector_all("#transcript [data-t]", "els => els.length")
            assert stamps == sentences > 0, (lang, stamps, sentences)
            built[lang] = "<!doctype html>\n" + str(
                tab.evaluate("() => document.documentElement.outerHTML")
            )
        browser.close()
    paths = []
    for lang, text in built.items():
        paths.append(tmp_path / f"built_{lang}.html")
        paths[-1].write_text(text, encoding="utf-8")
    assert_valid(*paths)
    for path in paths:
        assert_dated(path.name, path.read_text(encoding="utf-8"))
