"""The CLI's progress bar, drawn by rich on a recording terminal and read back as text."""

from __future__ import annotations

import io
import re
import time

from rich.console import Console

from tts_export import FileResult, Progress
from tts_export.cli.console import RichListener


def _terminal() -> Console:
    return Console(file=io.StringIO(), record=True, force_terminal=True, width=140)


def _update(done: int, total: int = 30, cached: int = 0) -> Progress:
    return Progress(
        total=total, done=done, cached=cached, fallbacks=0, failures=0,
        utterance_id=f"u{done}", engine="espeak",
    )  # fmt: skip


def _file(output: str) -> FileResult:
    return FileResult(
        source=f"{output}.md", output=output, status="ok", render=None, error="", wall_ms=1
    )


def _last_frame(text: str) -> str:
    """The bar as last drawn (a live display redraws it in place, frame after frame)."""
    assert "synthesizing" in text, text
    return "synthesizing" + text.rsplit("synthesizing", 1)[1].splitlines()[0]


def test_the_batch_bar_shows_files_sentences_and_an_eta() -> None:
    console = _terminal()
    listener = RichListener(console, quiet=False)
    listener.stage("synthesizing")  # what render_batch sends before any file
    listener.files_total(3)
    listener.progress(_update(1))
    time.sleep(0.05)  # rich estimates the speed from two updates apart in time
    listener.progress(_update(12, cached=2))
    listener.file_done(_file("news/ep"), 1, 3)
    listener.close()
    text = console.export_text()
    bar = _last_frame(text)
    assert "12/30 sentences" in bar and "1/3 files" in bar and "2 cached" in bar
    assert re.search(r"ETA \d+:\d\d:\d\d", bar), bar
    assert "[1/3] ok news/ep" in text


def test_one_file_s_bar_shows_sentences_and_no_file_count() -> None:
    console = _terminal()
    listener = RichListener(console, quiet=False)
    listener.stage("synthesizing")
    listener.progress(_update(1, total=4))
    time.sleep(0.05)
    listener.progress(_update(3, total=4))
    listener.close()
    bar = _last_frame(console.export_text())
    assert "3/4 sentences" in bar and "files" not in bar
    assert re.search(r"ETA \d+:\d\d:\d\d", bar), bar


def test_quiet_draws_nothing() -> None:
    console = _terminal()
    listener = RichListener(console, quiet=True)
    listener.stage("synthesizing")
    listener.files_total(2)
    listener.progress(_update(1, total=2))
    listener.file_done(_file("a"), 1, 2)
    listener.close()
    assert console.export_text() == ""


def test_the_export_bar_shows_each_step_with_programme_time() -> None:
    from tts_export.audio.progress import Step

    console = _terminal()
    listener = RichListener(console, quiet=False)
    listener.export_progress(Step("levelling", 0, 0))
    listener.export_progress(Step("encoding", 0, 754_000))
    listener.export_progress(Step("encoding", 100_000, 754_000))
    time.sleep(0.05)  # rich estimates the speed from two advances apart in time
    listener.export_progress(Step("encoding", 381_500, 754_000))
    listener.close()
    text = console.export_text()
    last = "encoding" + text.rsplit("encoding", 1)[1].splitlines()[0]
    assert "6:21 of 12:34" in last, last
    assert re.search(r"ETA \d+:\d\d:\d\d", last), last
    assert "levelling" in text and not listener.export.live.is_started


def test_a_warning_is_printed_at_once_and_remembered_for_the_summary() -> None:
    from tts_export.models import Note

    for quiet in (False, True):  # a warning is not progress: quiet still shows it
        console = _terminal()
        listener = RichListener(console, quiet=quiet)
        listener.warning("talk.md", Note(3, "code block skipped (not read aloud)"))
        assert "warning line 3: code block skipped" in console.export_text()
        assert listener.warned == {("talk.md", 3, "code block skipped (not read aloud)")}
