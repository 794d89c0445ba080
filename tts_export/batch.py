"""Batches: files, folders and globs in; one render per transcript out, each on its own.

Every transcript found (``.md``, ``.txt``) is rendered into the output
folder at its path relative to what was given, so equal stems in different
folders never collide (a collision that would still happen is refused
before anything runs). One engine serves the whole batch; the sentences of
a window of files are synthesized in one pass, and the files of one window
are assembled and encoded while the next window is synthesized. A file
that fails (bad input, an engine failure) is reported and the others go on.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tts_export import pipeline
from tts_export.config import RenderConfig
from tts_export.errors import ConfigError, TranscriptError, TtsExportError
from tts_export.output.results import Batch, FileResult, Render
from tts_export.synth import Progress
from tts_export.synth.loop import Synthesizer

SUFFIXES = (".md", ".txt")
WINDOW = 8  # files per synthesis pass: outputs appear as the batch goes, cores stay busy
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Entry:
    """One transcript of a batch: where it is and where its outputs go (relative to ``--out``)."""

    path: Path
    folder: Path  # relative output folder ("." for the top)

    @property
    def output(self) -> str:
        """The output stem relative to the output folder, as the summary names it."""
        return (self.folder / self.path.stem).as_posix()


def discover(inputs: Sequence[str | os.PathLike[str]], *, recursive: bool = False) -> list[Entry]:
    """Every transcript named by files, folders and quoted globs, in a stable order.

    A path that does not exist (and is not a glob matching something) is kept as an
    entry: rendering it fails on its own and the rest of the batch goes on.

    Raises:
        ConfigError: two transcripts would write the same outputs.
    """
    entries: list[Entry] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = path.rglob("*") if recursive else path.glob("*")
            for file in sorted(f for f in found if f.suffix.lower() in SUFFIXES and f.is_file()):
                entries.append(Entry(file, file.parent.relative_to(path)))
        elif not path.exists() and _GLOB_CHARS & set(str(item)):
            base = _static_prefix(str(item))
            matches = sorted(glob.glob(str(item), recursive=recursive))
            files = [Path(m) for m in matches if Path(m).is_file()]
            entries.extend(Entry(f, f.parent.relative_to(base)) for f in files)
            if not files:
                entries.append(Entry(path, Path(".")))  # reported: matches nothing
        else:
            entries.append(Entry(path, Path(".")))
    _refuse_collisions(entries)
    return entries


def _static_prefix(pattern: str) -> Path:
    """The folder part of a glob before its first wildcard (outputs mirror paths below it)."""
    head = pattern
    for index, char in enumerate(pattern):
        if char in _GLOB_CHARS:
            head = pattern[:index]
            break
    return Path(head).parent if not head.endswith(("/", "\\")) else Path(head)


def _refuse_collisions(entries: Sequence[Entry]) -> None:
    seen: dict[str, Path] = {}
    for entry in entries:
        key = entry.output.lower()  # case-insensitive file systems collide too
        other = seen.get(key)
        if other is not None and other.resolve() != entry.path.resolve():
            raise ConfigError(
                "transcripts",
                f"{other}, {entry.path}",
                f"both would write {entry.output}.*",
                hint="render them into different --out folders, or give folders so that "
                "outputs mirror their paths",
            )
        seen[key] = entry.path


def _failure(entry: Entry, exc: TtsExportError, started: float) -> FileResult:
    return FileResult(
        source=str(entry.path),
        output=entry.output,
        status="failed",
        render=None,
        error=str(exc),
        wall_ms=int((time.perf_counter() - started) * 1000),
    )


def render_batch(
    entries: Sequence[Entry],
    base: RenderConfig,
    options: Mapping[str, Any],
    listener: pipeline.Listener | None = None,
    *,
    engines: pipeline.EngineSource = pipeline.open_engines,
) -> Batch:
    """Render every entry; failures are reported per file, never stop the others.

    Files whose engine settings agree share one set of engines from ``engines``
    (default: opened for the group, closed after it).

    Raises:
        ConfigError: a batch-wide option is invalid (checked before any work).
        VoiceError, EngineUnavailable, OutputError: the shared engine or cache cannot work
            at all (nothing could be rendered).
    """
    out = Path(options.get("out_dir", base.out_dir))
    results: dict[int, FileResult] = {}
    prepared: dict[int, pipeline.Prepared] = {}
    started: dict[int, float] = {}
    for index, entry in enumerate(entries):
        started[index] = time.perf_counter()
        try:
            if not entry.path.is_file():
                raise TranscriptError(str(entry.path), 0, "no such file", hint="check the path")
            source = pipeline.Source(stem=entry.path.stem, path=entry.path)
            file_options = {**options, "out_dir": out / entry.folder}
            prepared[index] = pipeline.prepare_file(source, base, file_options)
        except TtsExportError as exc:
            results[index] = _failure(entry, exc, started[index])
    tracker = _Tracker(listener, prepared, len(entries))
    tracker.start()
    for item in prepared.values():  # every file's warnings before any synthesis
        pipeline.warn(listener, item)
    for index in results:
        tracker.file_done(results[index])
    groups: dict[tuple[object, ...], list[int]] = {}
    for index, item in prepared.items():
        groups.setdefault(pipeline.synthesis_key(item.config), []).append(index)
    with ThreadPoolExecutor(max_workers=1) as exporter:
        pending: list[tuple[int, Future[Render]]] = []
        for indexes in groups.values():
            with pipeline.synthesis(prepared[indexes[0]].config, engines) as synth:
                _run_group(synth, indexes, entries, prepared, started, results, pending, exporter,
                           tracker)  # fmt: skip
        _gather(pending, entries, started, results, tracker, wait=True)
    return Batch(tuple(results[i] for i in range(len(entries))))


def _gather(
    pending: list[tuple[int, Future[Render]]],
    entries: Sequence[Entry],
    started: Mapping[int, float],
    results: dict[int, FileResult],
    tracker: _Tracker,
    *,
    wait: bool,
) -> None:
    """Take the finished exports' results (all of them with ``wait``), in order."""
    while pending and (wait or pending[0][1].done()):
        index, future = pending.pop(0)
        results[index] = _collect(entries[index], future, started[index])
        tracker.file_done(results[index])


def _run_group(
    synth: Synthesizer,
    indexes: list[int],
    entries: Sequence[Entry],
    prepared: Mapping[int, pipeline.Prepared],
    started: dict[int, float],
    results: dict[int, FileResult],
    pending: list[tuple[int, Future[Render]]],
    exporter: ThreadPoolExecutor,
    tracker: _Tracker,
) -> None:
    """Synthesize one group's files window by window, each window's exports queued."""
    for at in range(0, len(indexes), WINDOW):
        window = indexes[at : at + WINDOW]
        for index in window:
            started[index] = time.perf_counter()
        files = [prepared[i] for i in window]
        tracker.begin_pass()
        clips, failed = synth.synthesize([f.work for f in files], on_progress=tracker.progress)
        for position, index in enumerate(window):
            if position in failed:
                results[index] = _failure(entries[index], failed[position], started[index])
                tracker.file_done(results[index])
            else:
                job = exporter.submit(pipeline.finish, files[position], clips[position])
                pending.append((index, job))
        _gather(pending, entries, started, results, tracker, wait=False)


def _collect(entry: Entry, future: Future[Render], started: float) -> FileResult:
    try:
        render = future.result()
    except TtsExportError as exc:
        return _failure(entry, exc, started)
    return FileResult(
        source=str(entry.path),
        output=entry.output,
        status="ok",
        render=render,
        error="",
        wall_ms=int((time.perf_counter() - started) * 1000),
    )


class _Tracker:
    """Batch-wide progress: sentences of the whole batch, files done, for one display."""

    def __init__(
        self,
        listener: pipeline.Listener | None,
        prepared: Mapping[int, pipeline.Prepared],
        files: int,
    ) -> None:
        self.listener = listener
        self.total = sum(
            1 for p in prepared.values() for u in p.script.utterances if u.kind == "speech"
        )
        self.files = files
        self.files_done = 0
        self.before = 0  # sentences finished in earlier passes
        self.before_cached = 0
        self.before_fallbacks = 0
        self.last: Progress | None = None
        self._on_file: Callable[[FileResult, int, int], None] | None = getattr(
            listener, "file_done", None
        )

    def start(self) -> None:
        """The batch's one synthesis stage begins: a listener's display starts here.

        Sent once, before any file: the passes that follow continue one display.
        """
        if self.listener is not None:
            self.listener.stage("synthesizing")
        on_files: Callable[[int], None] | None = getattr(self.listener, "files_total", None)
        if on_files is not None:
            on_files(self.files)

    def begin_pass(self) -> None:
        if self.last is not None:
            self.before += self.last.total
            self.before_cached += self.last.cached
            self.before_fallbacks += self.last.fallbacks
            self.last = None

    def progress(self, update: Progress) -> None:
        self.last = update
        if self.listener is not None:
            self.listener.progress(
                replace(
                    update,
                    total=self.total,
                    done=self.before + update.done,
                    cached=self.before_cached + update.cached,
                    fallbacks=self.before_fallbacks + update.fallbacks,
                )
            )

    def file_done(self, result: FileResult) -> None:
        self.files_done += 1
        if self._on_file is not None:
            self._on_file(result, self.files_done, self.files)
