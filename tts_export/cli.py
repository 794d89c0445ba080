"""The command line: options in, one config out, the pipeline called, progress shown."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tts_export.config import RenderConfig, load_project_file, merge
from tts_export.errors import ConfigError, TtsExportError
from tts_export.synth.scheduler import Progress as SynthProgress

from . import pipeline

app = typer.Typer(
    help="Turn a written conversation into narrated multi-voice audio with timed captions, "
    "chapters and a transcript.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

PROJECT_FILE = "tts-export.toml"


class _RichListener:
    """Renders pipeline progress: one bar with ETA for synthesis."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=quiet,
            transient=False,
        )
        self.task: TaskID | None = None

    def stage(self, name: str) -> None:
        if self.quiet:
            return
        if name == "synthesizing":
            self.bar.start()
        elif self.task is not None and self.bar.live.is_started:
            self.bar.stop()
        if name != "synthesizing":
            self.bar.console.print(f"[dim]{name}…[/dim]")

    def progress(self, update: SynthProgress) -> None:
        if self.quiet:
            return
        detail = f"{update.cached} cached"
        if update.fallbacks:
            detail += f", {update.fallbacks} fallback"
        if update.failures:
            detail += f", [red]{update.failures} failed[/red]"
        if self.task is None:
            self.task = self.bar.add_task("synthesizing", total=update.total, detail=detail)
        self.bar.update(self.task, completed=update.done, detail=detail)

    def close(self) -> None:
        if self.bar.live.is_started:
            self.bar.stop()


def _fail(exc: TtsExportError) -> None:
    err.print(f"[bold red]error:[/bold red] {exc}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _base_config(config_file: Path | None) -> RenderConfig:
    path = config_file or Path(PROJECT_FILE)
    if config_file is not None and not config_file.is_file():
        raise ConfigError("--config", str(config_file), "file not found")
    settings = load_project_file(path)
    return merge(RenderConfig(), settings, source=str(path)) if settings else RenderConfig()


def _voices(pairs: list[str] | None) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for pair in pairs or []:
        speaker, sep, profile = pair.partition("=")
        if not sep or not speaker.strip() or not profile.strip():
            raise ConfigError(
                "--voice", pair, "must be SPEAKER=PROFILE", hint="e.g. --voice 主持人=zh-f-bright"
            )
        chosen[speaker.strip()] = profile.strip()
    return chosen


def _loudness(value: str) -> float | None:
    if value.lower() == "off":
        return None
    try:
        return float(value)
    except ValueError:
        raise ConfigError(
            "--loudness", value, "must be a LUFS number such as -16, or 'off'"
        ) from None


EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        "-e",
        help="kokoro (offline neural, default), espeak (offline, instant, robotic) or edge (online, needs the internet).",
    ),
]
VoiceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--voice",
        help="SPEAKER=PROFILE; repeat for more speakers. Overrides front matter `voices:`.",
    ),
]
DialectOpt = Annotated[
    str | None,
    typer.Option("--dialect", help="Force the speaker-label dialect instead of detecting it."),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat parse warnings as errors.")]
GlossaryOpt = Annotated[
    str | None,
    typer.Option(
        "--glossary",
        help="drop (default): glossary notes after bold terms are neither spoken nor captioned; keep: speak them.",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help=f"Project settings file (default: ./{PROJECT_FILE} if present)."),
]


@app.command()
def render(
    transcripts: Annotated[
        list[Path], typer.Argument(help="Transcript file(s) (Markdown with YAML front matter).")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output folder (default: out).")
    ] = None,
    engine: EngineOpt = None,
    fallback: Annotated[
        str | None,
        typer.Option(
            "--fallback",
            help="Engine for utterances the main engine fails on, in the same persona: auto (default: espeak for kokoro, kokoro for edge), an engine name, or none to fail instead.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Parallel synthesis calls (default: the engine's own; edge 4, kokoro 1 "
            "using every core; kokoro calls get cores / jobs threads each).",
        ),
    ] = None,
    voice: VoiceOpt = None,
    voices_dir: Annotated[
        list[Path] | None,
        typer.Option("--voices-dir", help="Extra folder of voice-profile TOML files."),
    ] = None,
    glossary: GlossaryOpt = None,
    dialect: DialectOpt = None,
    strict: StrictOpt = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Clip cache (default: .cache/tts-export).")
    ] = None,
    captions: Annotated[
        str | None,
        typer.Option("--captions", help="Caption rules: netflix (default), bbc or podcast."),
    ] = None,
    max_chars: Annotated[
        float | None,
        typer.Option("--max-chars", help="Override the profile's characters per line."),
    ] = None,
    max_lines: Annotated[
        int | None, typer.Option("--max-lines", help="Override the profile's lines per cue.")
    ] = None,
    captions_formats: Annotated[
        str | None,
        typer.Option(
            "--captions-formats", help="Comma list of srt,vtt,ass,json,txt,html (default srt,vtt)."
        ),
    ] = None,
    audio_format: Annotated[
        str | None,
        typer.Option("--format", "-f", help="mp3 (default), m4a, m4b, ogg, opus, flac or wav."),
    ] = None,
    bitrate: Annotated[
        str | None, typer.Option("--bitrate", help="e.g. 96k (default for mono MP3).")
    ] = None,
    sample_rate: Annotated[
        int | None,
        typer.Option("--sample-rate", help="Output sample rate (default: the engine's)."),
    ] = None,
    stereo: Annotated[
        bool, typer.Option("--stereo", help="Write two channels (default mono).")
    ] = False,
    loudness: Annotated[
        str | None,
        typer.Option(
            "--loudness",
            help="Integrated loudness target in LUFS, or off (default -19 mono, -16 stereo).",
        ),
    ] = None,
    group: Annotated[
        bool,
        typer.Option(
            "--group/--no-group",
            help="Render several sentences of a turn per engine call where the engine can (faster; kokoro).",
        ),
    ] = True,
    config_file: ConfigOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Render transcript(s) to audio, captions, transcripts and a manifest."""
    overrides: dict[str, Any] = {}
    given = {
        "out_dir": out,
        "engine": engine,
        "fallback": fallback,
        "jobs": jobs,
        "glossary": glossary,
        "dialect": dialect,
        "cache_dir": cache_dir,
        "captions": captions,
        "max_chars": max_chars,
        "max_lines": max_lines,
        "audio_format": audio_format,
        "bitrate": bitrate,
        "sample_rate": sample_rate,
    }
    overrides.update({k: v for k, v in given.items() if v is not None})
    listener = _RichListener(err, quiet)
    try:
        base = _base_config(config_file)
        if strict:
            overrides["strict"] = True
        if not group:
            overrides["group"] = False
        if voice:
            overrides["voices"] = _voices(voice)
        if voices_dir:
            overrides["voice_dirs"] = (*base.voice_dirs, *voices_dir)
        if captions_formats:
            overrides["captions_formats"] = tuple(
                f.strip() for f in captions_formats.split(",") if f.strip()
            )
        if stereo:
            overrides["channels"] = 2
            if loudness is None and base.loudness == RenderConfig().loudness:
                overrides["loudness"] = -16.0
        if loudness is not None:
            overrides["loudness"] = _loudness(loudness)
        for path in transcripts:
            result = pipeline.render(path, base, overrides, listener)
            listener.close()
            _summary(result, quiet)
    except TtsExportError as exc:
        listener.close()
        _fail(exc)
    except KeyboardInterrupt:
        listener.close()
        err.print("interrupted: clips rendered so far are cached; run the same command to resume.")
        raise typer.Exit(130) from None


def _summary(result: pipeline.RenderResult, quiet: bool) -> None:
    for note in result.notes:
        err.print(f"[yellow]warning[/yellow] line {note.line}: {note.message}", highlight=False)
    for item in result.fallbacks:
        err.print(f"[yellow]fallback[/yellow] {item}", highlight=False)
    if quiet:
        return
    stats = result.stats
    minutes, seconds = divmod(result.duration_ms // 1000, 60)
    err.print(
        f"[green]done[/green]: {minutes}:{seconds:02d} of audio, {stats['utterances']} utterances "
        f"({stats['cached']} from cache, {stats['fallbacks']} by fallback)",
        highlight=False,
    )
    for kind, path in result.files.items():
        err.print(f"  {kind:<14} {path}", highlight=False)


@app.command("inspect")
def inspect_cmd(
    transcript: Annotated[Path, typer.Argument(help="Transcript file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    engine: EngineOpt = None,
    voice: VoiceOpt = None,
    dialect: DialectOpt = None,
    strict: StrictOpt = False,
    glossary: GlossaryOpt = None,
    config_file: ConfigOpt = None,
) -> None:
    """Show what would be rendered (speakers, voices, sections, warnings), without synthesizing."""
    from tts_export.report import format_report

    overrides: dict[str, Any] = {
        k: v
        for k, v in {"engine": engine, "dialect": dialect, "glossary": glossary}.items()
        if v is not None
    }
    try:
        if strict:
            overrides["strict"] = True
        if voice:
            overrides["voices"] = _voices(voice)
        report = pipeline.inspect(transcript, _base_config(config_file), overrides)
    except TtsExportError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_report(report) + "\n")


@app.command()
def check(
    subtitles: Annotated[Path, typer.Argument(help="An SRT, WebVTT or ASS file.")],
    audio: Annotated[
        Path | None,
        typer.Option("--audio", help="The audio the captions belong to (cues must end within it)."),
    ] = None,
    captions: Annotated[
        str, typer.Option("--captions", help="Rules: netflix, bbc or podcast.")
    ] = "netflix",
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh or en (default: detected).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
) -> None:
    """Check captions against professional rules; exit 1 when any rule is broken."""
    from tts_export.audio.encode import decode_duration_ms
    from tts_export.captions.check import check_subtitles

    try:
        audio_ms = decode_duration_ms(audio) if audio is not None else None
        report = check_subtitles(subtitles, audio_ms=audio_ms, profile=captions, language=lang)
    except TtsExportError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        for kind in ("errors", "warnings"):
            for item in report[kind]:
                sys.stdout.write(
                    f"{kind[:-1]}: cue {item['cue']} at {item['start']}: "
                    f"{item['rule']}: {item['message']}\n"
                )
        sys.stdout.write(
            f"{report['cues']} cues, {len(report['errors'])} errors, "
            f"{len(report['warnings'])} warnings\n"
        )
    if report["errors"]:
        raise typer.Exit(1)


@app.command()
def voices(
    engine: Annotated[
        str | None,
        typer.Option("--engine", "-e", help="List this engine's voices instead of the personas."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only this language (zh, en, zh-CN, ...).")
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="edge: fetch the live list (needs the internet).")
    ] = False,
    voices_dir: Annotated[
        list[Path] | None,
        typer.Option("--voices-dir", help="Extra folder of voice-profile TOML files."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List voice personas (profiles), or an engine's own voices with --engine."""
    from tts_export.casting import load_profiles

    try:
        if engine is None:
            rows: list[dict[str, Any]] = [
                {
                    "id": p.id,
                    "gender": p.gender,
                    "language": p.language,
                    "engines": {r.engine: r.voice for r in p.realizations},
                    "description": p.description,
                }
                for p in load_profiles(tuple(voices_dir or ())).values()
                if lang is None or p.language.startswith(lang.split("-")[0])
            ]
        else:
            from dataclasses import asdict

            from tts_export.engines import list_voices

            rows = [asdict(v) for v in list_voices(engine, lang=lang, refresh=refresh)]
    except TtsExportError as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    for row in rows:
        if engine is None:
            engines_text = ", ".join(f"{k}={v}" for k, v in row["engines"].items())
            sys.stdout.write(
                f"{row['id']:<14} {row['gender']:<7} {row['language']:<4} {engines_text}\n"
            )
        else:
            sys.stdout.write("  ".join(str(v) for v in row.values()) + "\n")


def main() -> None:
    """Console-script entry point."""
    app()
