"""``tts-export render``: options in, ``tts_export.render`` called per transcript, files listed."""

from __future__ import annotations

import sys
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from tts_export import api
from tts_export.cli.app import app
from tts_export.cli.console import (
    RichListener,
    err,
    guarded,
    say,
    to_json,
    write,
    write_paths,
)
from tts_export.cli.options import (
    ConfigOpt,
    NameOpt,
    load,
    settings_given,
    transcript_arg,
    with_settings,
)
from tts_export.errors import ConfigError
from tts_export.output.results import Batch, Render


@app.command()
@with_settings("render")
def render(
    transcripts: Annotated[
        list[str],
        typer.Argument(
            metavar="TRANSCRIPT...",
            help="Transcript file(s) (Markdown with YAML front matter); - reads stdin.",
        ),
    ],
    recursive: Annotated[
        bool,
        typer.Option("--recursive", "-r", help="Look for transcripts in subfolders too."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the results as one JSON object on stdout."),
    ] = False,
    name: NameOpt = None,
    config_file: ConfigOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
    *,
    settings: dict[str, Any],
) -> None:
    """Render transcript(s) to audio, captions, transcripts and a manifest."""
    listener = RichListener(err, quiet)

    def run() -> None:
        base, options = load(config_file), settings_given(settings)
        if _is_batch(transcripts, recursive):
            if name is not None:
                raise ConfigError(
                    "--name",
                    name,
                    "names one output: give one transcript",
                    hint="leave --name out: each transcript's outputs are named after its file",
                )
            try:
                batch = api.render(
                    list(transcripts), recursive=recursive, config=base, listener=listener,
                    **options,
                )  # fmt: skip
            finally:
                listener.close()
            batch_summary(batch, as_json=as_json, shown=listener.warned)
            if not batch.ok:
                raise typer.Exit(1)
            return
        transcript, stem = transcript_arg(transcripts[0], name)
        try:
            result = api.render(transcript, name=stem, config=base, listener=listener, **options)
        finally:
            listener.close()
        summary(result, quiet, as_json=as_json, shown=listener.warned)

    try:
        guarded(run)
    except KeyboardInterrupt:
        listener.close()
        err.print("interrupted: clips rendered so far are cached; run the same command to resume.")
        raise typer.Exit(130) from None


_GROUPS = {
    "audio": "audio and chapters left as they were",
    "captions": "captions and transcripts left as they were",
}


def _is_batch(transcripts: list[str], recursive: bool) -> bool:
    """More than one input, a folder, a glob or --recursive: a batch (one single file is not)."""
    if len(transcripts) != 1 or recursive:
        return True
    only = transcripts[0]
    return only != "-" and (
        Path(only).is_dir() or (not Path(only).exists() and any(c in only for c in "*?["))
    )


def batch_summary(
    batch: Batch, *, as_json: bool, shown: Collection[tuple[str, int, str]] = ()
) -> None:
    """The table of a batch on stderr (file, length, cues, cache hits, fallbacks, status, time).

    Warnings in ``shown`` (source, line, message) were printed before synthesis: not again.
    """
    for item in batch.items:
        for note in item.render.warnings if item.render else ():
            if (item.source, note.line, note.message) in shown:
                continue
            say("warning", "yellow", f"{item.source}:{note.line}: {note.message}")
        for fallback in item.render.fallbacks if item.render else ():
            say("fallback", "yellow", f"{item.source}: {fallback}")
    rows = [("file", "length", "cues", "cached", "fallbacks", "status", "wall")]
    for item in batch.items:
        r = item.render
        minutes, seconds = divmod((r.duration_ms if r else 0) // 1000, 60)
        rows.append(
            (
                item.output,
                f"{minutes}:{seconds:02d}" if r else "-",
                str(r.cues) if r else "-",
                f"{r.cached}/{r.utterances}" if r else "-",
                str(len(r.fallbacks)) if r else "-",
                item.status,
                f"{item.wall_ms / 1000:.1f} s",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        err.print(Text("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))))
    for item in batch.failed:
        where = "" if item.error.startswith(item.source) else f"{item.source}: "
        say("failed:", "bold red", where + item.error)
    done = len(batch.items) - len(batch.failed)
    say("done:" if batch.ok else "done, with failures:", "green" if batch.ok else "yellow",
        f"{done} of {len(batch.items)} transcripts rendered")  # fmt: skip
    if as_json:
        write(sys.stdout, to_json(batch.to_json()) + "\n")
    else:
        write_paths(p for item in batch.items if item.render for p in item.render.files.values())


def summary(
    result: Render, quiet: bool, *, as_json: bool = False,
    shown: Collection[tuple[str, int, str]] = (),
) -> None:  # fmt: skip
    """What a render made, on stderr (warnings not already ``shown``, fallbacks, totals)."""
    for note in result.warnings:
        if (result.source, note.line, note.message) in shown:
            continue
        say("warning", "yellow", f"line {note.line}: {note.message}")
    for item in result.fallbacks:
        say("fallback", "yellow", item)
    if result.repaired:
        say("repaired:", "yellow", f"{result.repaired} damaged cache entries were made again")
    for group in result.unchanged:
        say("unchanged:", "dim", f"{_GROUPS.get(group, group)}: nothing they come from changed")
    if not quiet:
        minutes, seconds = divmod(result.duration_ms // 1000, 60)
        say(
            "done:",
            "green",
            f"{minutes}:{seconds:02d} of audio, {result.utterances} utterances "
            f"({result.cached} from cache, {len(result.fallbacks)} by fallback)",
        )
    if as_json:
        write(sys.stdout, to_json(result.to_json()) + "\n")
    else:
        write_paths(result.files.values())
