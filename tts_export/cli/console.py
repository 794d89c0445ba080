"""What the CLI shows: progress and errors on stderr, results on stdout, user text literally."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn, TextIO

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bar
from rich.text import Text

from tts_export.audio.progress import Step
from tts_export.errors import TtsExportError
from tts_export.models import Note
from tts_export.output.results import FileResult
from tts_export.synth import Progress

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _clock(ms: int) -> str:
    minutes, seconds = divmod(ms // 1000, 60)
    return f"{minutes}:{seconds:02d}"


class RichListener:
    """Renders pipeline progress on stderr: one bar with sentences, files (a batch) and ETA,
    then one bar per step of the audio export (programme time done of the whole); warnings
    as soon as a transcript is read (``warned`` holds them, so the summary skips them)."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("sentences"),
            TextColumn("{task.fields[files]}", markup=False),
            TextColumn("{task.fields[detail]}", markup=False),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
            transient=False,
        )
        self.task: TaskID | None = None
        self.files = ""  # "1/3 files" in a batch, nothing for one file
        self.export = Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.fields[amount]}", markup=False),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
            transient=False,
        )
        self.step: tuple[str, TaskID] | None = None
        self.warned: set[tuple[str, int, str]] = set()

    def stage(self, name: str) -> None:
        if self.quiet:
            return
        if name == "synthesizing":
            self.task = None
            self.bar.start()
            return
        self.close()
        err.print(Text(f"{name}…", style="dim"))

    def warning(self, source: str, note: Note) -> None:
        """A parse warning, printed now (also when quiet, as the summary would)."""
        self.warned.add((source, note.line, note.message))
        where = f"{source}:{note.line}" if self.files else f"line {note.line}"
        line = Text.assemble(("warning", "yellow"), " ", f"{where}: {note.message}")
        self.bar.console.print(line)  # above the bar when it is drawn

    def export_progress(self, step: Step) -> None:
        """The audio export moved on: a bar per step, counted in programme time where it can."""
        if self.quiet:
            return
        if not self.export.live.is_started:
            self.export.start()
        if self.step is None or self.step[0] != step.name:
            if self.step is not None:  # the step before is over (levelling is not counted)
                self.export.update(self.step[1], total=1, completed=1)
            self.step = (step.name, self.export.add_task(step.name, total=None, amount=""))
        counted = step.total_ms > 0
        self.export.update(
            self.step[1], total=step.total_ms if counted else None, completed=step.done_ms,
            amount=f"{_clock(step.done_ms)} of {_clock(step.total_ms)}" if counted else "",
        )  # fmt: skip

    def files_total(self, total: int) -> None:
        """A batch of ``total`` files begins: the bar counts them from 0."""
        self._files(0, total)

    def progress(self, update: Progress) -> None:
        if self.quiet:
            return
        detail = f"{update.cached} cached"
        if update.fallbacks:
            detail += f", {update.fallbacks} fallback"
        if update.repaired:
            detail += f", {update.repaired} damaged in cache, remade"
        if update.failures:
            detail += f", {update.failures} failed"
        if self.task is None:
            self.task = self.bar.add_task(
                "synthesizing", total=update.total, detail=detail, files=self.files
            )
        self.bar.update(self.task, completed=update.done, total=update.total, detail=detail)

    def file_done(self, result: FileResult, done: int, total: int) -> None:
        """A batch file is finished: one line above the bar, and the bar's file count."""
        if self.quiet:
            return
        mark, style = ("ok", "green") if result.status == "ok" else ("failed", "bold red")
        line = Text.assemble((f"[{done}/{total}] ", "dim"), (mark, style), " ", result.output)
        (self.bar.console if self.bar.live.is_started else err).print(line)
        self._files(done, total)

    def _files(self, done: int, total: int) -> None:
        self.files = f"{done}/{total} files"
        if self.task is not None:
            self.bar.update(self.task, files=self.files)

    def close(self) -> None:
        if self.bar.live.is_started:
            self.bar.stop()
        if self.export.live.is_started:
            if self.step is not None and self.step[0] == "levelling":
                self.export.update(self.step[1], total=1, completed=1)
            self.export.stop()
            self.step = None


def say(prefix: str, style: str, message: str) -> None:
    """One line to stderr: a styled prefix, then the message exactly as it is."""
    err.print(Text.assemble((prefix, style), " ", message))


def fail(exc: TtsExportError) -> NoReturn:
    say("error:", "bold red", str(exc))
    raise typer.Exit(1)


def write(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()


def write_paths(paths: Iterable[Path]) -> None:
    """File paths on stdout, one a line, as the file system's bytes.

    A console that cannot encode a name (latin-1, cp1252) would print ``??`` and
    a script reading the list would get paths that do not exist.
    """
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        write(sys.stdout, "".join(f"{path}\n" for path in paths))
        return
    sys.stdout.flush()
    buffer.write(b"".join(os.fsencode(path) + b"\n" for path in paths))
    buffer.flush()


def to_json(data: object) -> str:
    """JSON for stdout: UTF-8 text where stdout can take it, ASCII escapes where it cannot."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return json.dumps(data, ensure_ascii=encoding not in ("utf8", "utf16", "utf32"), indent=2)


def guarded(action: Callable[[], None]) -> None:
    try:
        action()
    except TtsExportError as exc:
        fail(exc)
