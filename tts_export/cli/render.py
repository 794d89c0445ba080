"""``tts-export render``: options in, ``tts_export.render`` called per transcript, files listed."""

from __future__ import annotations

import sys
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
    DialectOpt,
    EngineOpt,
    GlossaryOpt,
    LexiconOpt,
    NameOpt,
    NormalizeOpt,
    StrictOpt,
    VoiceOpt,
    VoicesDirOpt,
    load,
    parse_loudness,
    parse_voices,
    transcript_arg,
)
from tts_export.errors import ConfigError
from tts_export.output.results import Batch, Render


@app.command()
def render(
    transcripts: Annotated[
        list[str],
        typer.Argument(
            metavar="TRANSCRIPT...",
            help="Transcript file(s) (Markdown with YAML front matter); - reads stdin.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="DIR", help="Output folder (default: out)."),
    ] = None,
    engine: EngineOpt = None,
    fallback: Annotated[
        str | None,
        typer.Option(
            "--fallback",
            metavar="NAME",
            help="Engine for utterances the main engine fails on, in the same persona: auto "
            "(default: espeak for kokoro, kokoro for edge), an engine name, or none to fail.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="Parallel synthesis calls (default: the engine's own; edge 4, kokoro 1 "
            "using every core; kokoro calls get cores / jobs threads each).",
        ),
    ] = None,
    voice: VoiceOpt = None,
    voices_dir: VoicesDirOpt = None,
    lexicon: LexiconOpt = None,
    normalize: NormalizeOpt = None,
    glossary: GlossaryOpt = None,
    dialect: DialectOpt = None,
    strict: StrictOpt = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", metavar="DIR", help="Clip cache (default: .cache/tts-export)."),
    ] = None,
    captions: Annotated[
        str | None,
        typer.Option(
            "--captions",
            metavar="PROFILE",
            help="Caption rules: netflix (default), bbc or podcast.",
        ),
    ] = None,
    max_chars: Annotated[
        int | None,
        typer.Option(
            "--max-chars", metavar="N", help="Override the profile's characters per line."
        ),
    ] = None,
    max_lines: Annotated[
        int | None,
        typer.Option("--max-lines", metavar="N", help="Override the profile's lines per cue."),
    ] = None,
    captions_formats: Annotated[
        str | None,
        typer.Option(
            "--captions-formats",
            metavar="LIST",
            help="Comma list of srt,vtt,ass,json,txt,html (default srt,vtt).",
        ),
    ] = None,
    vtt_labels: Annotated[
        str | None,
        typer.Option(
            "--vtt-labels",
            metavar="voice|text|both",
            help="How WebVTT names speakers: <v Name> spans, the visible label on a "
            "speaker change, or both (default; players ignore <v> when drawing captions).",
        ),
    ] = None,
    audio_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FMT",
            help="mp3 (default), m4a, m4b, ogg, opus, flac or wav.",
        ),
    ] = None,
    bitrate: Annotated[
        str | None,
        typer.Option("--bitrate", metavar="RATE", help="e.g. 96k (default for mono MP3)."),
    ] = None,
    sample_rate: Annotated[
        int | None,
        typer.Option(
            "--sample-rate", metavar="HZ", help="Output sample rate (default: the engine's)."
        ),
    ] = None,
    stereo: Annotated[
        bool, typer.Option("--stereo", help="Write two channels (default mono).")
    ] = False,
    loudness: Annotated[
        str | None,
        typer.Option(
            "--loudness",
            metavar="LUFS|off",
            help="Integrated loudness target in LUFS, or off (default -19 mono, -16 stereo).",
        ),
    ] = None,
    group: Annotated[
        bool,
        typer.Option(
            "--group/--no-group",
            help="Render several sentences of a turn per engine call where the engine can "
            "(faster; kokoro).",
        ),
    ] = True,
    allow_outside_files: Annotated[
        bool,
        typer.Option(
            "--allow-outside-files",
            help="Let a transcript name files (cover art) outside its own folder.",
        ),
    ] = False,
    intro: Annotated[
        str | None,
        typer.Option(
            "--intro", metavar="FILE", help="A jingle before the speech (its own chapter)."
        ),
    ] = None,
    outro: Annotated[
        str | None,
        typer.Option("--outro", metavar="FILE", help="Music after the speech (its own chapter)."),
    ] = None,
    bed: Annotated[
        str | None,
        typer.Option("--bed", metavar="FILE", help="Music under the speech, looped and ducked."),
    ] = None,
    bed_level: Annotated[
        float | None,
        typer.Option(
            "--bed-level", metavar="LU", help="The bed's level under speech (default -18)."
        ),
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            metavar="local|ray",
            help="Where synthesis runs: here (default) or on Ray actors (pip install "
            "'tts-export[ray]'); the driver keeps the cache and writes the files.",
        ),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            metavar="ADDRESS",
            help="auto (a running cluster), ray://HOST:PORT, or unset for a Ray on this machine.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", metavar="N", help="Ray actors, one engine each (default 2)."),
    ] = None,
    worker_threads: Annotated[
        int | None,
        typer.Option("--threads-per-worker", metavar="N", help="Threads per Ray actor (kokoro)."),
    ] = None,
    recursive: Annotated[
        bool,
        typer.Option("--recursive", "-r", help="Look for transcripts in subfolders too."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the results as one JSON object on stdout."),
    ] = False,
    page: Annotated[
        bool,
        typer.Option(
            "--page",
            help="Also write <stem>.html: a listening page with the player, captions, chapters "
            "and the transcript, for any static host or file://.",
        ),
    ] = False,
    name: NameOpt = None,
    config_file: ConfigOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Render transcript(s) to audio, captions, transcripts and a manifest."""
    given: dict[str, Any] = {
        "out_dir": out,
        "engine": engine,
        "fallback": fallback,
        "jobs": jobs,
        "glossary": glossary,
        "normalize": normalize,
        "dialect": dialect,
        "cache_dir": cache_dir,
        "captions": captions,
        "max_chars": max_chars,
        "max_lines": max_lines,
        "vtt_labels": vtt_labels,
        "intro": intro,
        "outro": outro,
        "bed": bed,
        "bed_level": bed_level,
        "executor": executor,
        "ray_address": ray_address,
        "workers": workers,
        "worker_threads": worker_threads,
        "audio_format": audio_format,
        "bitrate": bitrate,
        "sample_rate": sample_rate,
    }
    options = {k: v for k, v in given.items() if v is not None}
    listener = RichListener(err, quiet)

    def run() -> None:
        base = load(config_file)
        if strict:
            options["strict"] = True
        if not group:
            options["group"] = False
        if voice:
            options["voices"] = parse_voices(voice)
        if voices_dir:
            options["voice_dirs"] = (*base.voice_dirs, *voices_dir)
        if lexicon:
            options["lexicon"] = (*base.lexicon, *lexicon)
        if captions_formats:
            options["captions_formats"] = tuple(
                f.strip() for f in captions_formats.split(",") if f.strip()
            )
        if stereo:
            options["channels"] = 2
        if allow_outside_files:
            options["allow_outside_files"] = True
        if page:
            options["page"] = True
        if loudness is not None:
            options["loudness"] = parse_loudness(loudness)
        if _is_batch(transcripts, recursive):
            if name is not None:
                raise ConfigError("--name", name, "names one output: give one transcript")
            try:
                batch = api.render(
                    list(transcripts), recursive=recursive, config=base, listener=listener,
                    **options,
                )  # fmt: skip
            finally:
                listener.close()
            batch_summary(batch, as_json=as_json)
            if not batch.ok:
                raise typer.Exit(1)
            return
        transcript, stem = transcript_arg(transcripts[0], name)
        try:
            result = api.render(transcript, name=stem, config=base, listener=listener, **options)
        finally:
            listener.close()
        summary(result, quiet, as_json=as_json)

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


def batch_summary(batch: Batch, *, as_json: bool) -> None:
    """The table of a batch on stderr (file, length, cues, cache hits, fallbacks, status, time)."""
    for item in batch.items:
        for note in item.render.warnings if item.render else ():
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


def summary(result: Render, quiet: bool, *, as_json: bool = False) -> None:
    for note in result.warnings:
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
