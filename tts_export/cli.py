"""The command line: options in, the public API called, progress and results shown.

A thin layer over ``tts_export.render``, ``inspect``, ``check`` and ``voices``.
Progress, warnings and errors go to stderr; results (the files written, a
report, ``--json``) go to stdout. User text is always printed literally.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TextIO

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

from tts_export import api
from tts_export.config import PROJECT_FILE, RenderConfig, load_config
from tts_export.errors import ConfigError, TtsExportError
from tts_export.report import format_report
from tts_export.results import Render
from tts_export.synth import Progress

app = typer.Typer(
    help="Turn a written conversation into narrated multi-voice audio with timed captions, "
    "chapters and a transcript.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class _RichListener:
    """Renders pipeline progress on stderr: one bar with ETA for synthesis."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}", markup=False),
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
            self.task = None
            self.bar.start()
            return
        self.close()
        err.print(Text(f"{name}…", style="dim"))

    def progress(self, update: Progress) -> None:
        if self.quiet:
            return
        detail = f"{update.cached} cached"
        if update.fallbacks:
            detail += f", {update.fallbacks} fallback"
        if update.failures:
            detail += f", {update.failures} failed"
        if self.task is None:
            self.task = self.bar.add_task("synthesizing", total=update.total, detail=detail)
        self.bar.update(self.task, completed=update.done, total=update.total, detail=detail)

    def close(self) -> None:
        if self.bar.live.is_started:
            self.bar.stop()


def _say(prefix: str, style: str, message: str) -> None:
    """One line to stderr: a styled prefix, then the message exactly as it is."""
    err.print(Text.assemble((prefix, style), " ", message))


def _fail(exc: TtsExportError) -> NoReturn:
    _say("error:", "bold red", str(exc))
    raise typer.Exit(1)


def _write(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()


def _json(data: object) -> str:
    """JSON for stdout: UTF-8 text where stdout can take it, ASCII escapes where it cannot."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return json.dumps(data, ensure_ascii=encoding not in ("utf8", "utf16", "utf32"), indent=2)


def _config(config_file: Path | None) -> RenderConfig:
    return load_config(config_file)


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


def _transcript(value: str, name: str | None) -> tuple[api.TranscriptInput, str | None]:
    """``-`` reads the transcript from stdin (named ``--name``, default "stdin")."""
    if value == "-":
        return sys.stdin.read(), name or "stdin"
    return Path(value), name


def _guarded(action: Callable[[], None]) -> None:
    try:
        action()
    except TtsExportError as exc:
        _fail(exc)


def _version(value: bool) -> None:
    if value:
        from tts_export import __version__

        _write(sys.stdout, f"tts-export {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn a written conversation into narrated multi-voice audio with timed captions."""


EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        "-e",
        metavar="NAME",
        help="kokoro (offline neural, default; ~0.4x real time on 2 cores), espeak (offline, "
        "instant, robotic: a draft in a minute) or edge (online, needs the internet).",
    ),
]
VoiceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--voice",
        metavar="SPEAKER=PROFILE",
        help="Cast a speaker; repeat for more speakers. Overrides front matter `voices:`.",
    ),
]
VoicesDirOpt = Annotated[
    list[Path] | None,
    typer.Option("--voices-dir", metavar="DIR", help="Extra folder of voice-profile TOML files."),
]
DialectOpt = Annotated[
    str | None,
    typer.Option(
        "--dialect", metavar="NAME", help="Force the speaker-label dialect instead of detecting it."
    ),
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Treat parse warnings as errors.")]
GlossaryOpt = Annotated[
    str | None,
    typer.Option(
        "--glossary",
        metavar="drop|keep",
        help="drop (default): glossary notes after bold terms are neither spoken nor captioned; keep: speak them.",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=f"Settings file (default: ./{PROJECT_FILE} if present).",
    ),
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="STEM",
        help="Output file stem (default: the transcript's; 'stdin' for -).",
    ),
]


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
            help="Engine for utterances the main engine fails on, in the same persona: auto (default: espeak for kokoro, kokoro for edge), an engine name, or none to fail instead.",
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
            help="Render several sentences of a turn per engine call where the engine can (faster; kokoro).",
        ),
    ] = True,
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
        "dialect": dialect,
        "cache_dir": cache_dir,
        "captions": captions,
        "max_chars": max_chars,
        "max_lines": max_lines,
        "audio_format": audio_format,
        "bitrate": bitrate,
        "sample_rate": sample_rate,
    }
    options = {k: v for k, v in given.items() if v is not None}
    listener = _RichListener(err, quiet)

    def run() -> None:
        base = _config(config_file)
        if strict:
            options["strict"] = True
        if not group:
            options["group"] = False
        if voice:
            options["voices"] = _voices(voice)
        if voices_dir:
            options["voice_dirs"] = (*base.voice_dirs, *voices_dir)
        if captions_formats:
            options["captions_formats"] = tuple(
                f.strip() for f in captions_formats.split(",") if f.strip()
            )
        if stereo:
            options["channels"] = 2
        if loudness is not None:
            options["loudness"] = _loudness(loudness)
        if name is not None and len(transcripts) > 1:
            raise ConfigError("--name", name, "names one output: give one transcript")
        for value in transcripts:
            transcript, stem = _transcript(value, name)
            try:
                result = api.render(
                    transcript, name=stem, config=base, listener=listener, **options
                )
            finally:
                listener.close()
            _summary(result, quiet)

    try:
        _guarded(run)
    except KeyboardInterrupt:
        listener.close()
        err.print("interrupted: clips rendered so far are cached; run the same command to resume.")
        raise typer.Exit(130) from None


def _summary(result: Render, quiet: bool) -> None:
    for note in result.warnings:
        _say("warning", "yellow", f"line {note.line}: {note.message}")
    for item in result.fallbacks:
        _say("fallback", "yellow", item)
    if not quiet:
        minutes, seconds = divmod(result.duration_ms // 1000, 60)
        _say(
            "done:",
            "green",
            f"{minutes}:{seconds:02d} of audio, {result.utterances} utterances "
            f"({result.cached} from cache, {len(result.fallbacks)} by fallback)",
        )
    _write(sys.stdout, "".join(f"{path}\n" for path in result.files.values()))


@app.command("inspect")
def inspect_cmd(
    transcript: Annotated[
        str, typer.Argument(metavar="TRANSCRIPT", help="Transcript file; - reads stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    engine: EngineOpt = None,
    voice: VoiceOpt = None,
    voices_dir: VoicesDirOpt = None,
    dialect: DialectOpt = None,
    strict: StrictOpt = False,
    glossary: GlossaryOpt = None,
    config_file: ConfigOpt = None,
) -> None:
    """Show what would be rendered (speakers, voices, sections, warnings), without synthesizing."""

    def run() -> None:
        options: dict[str, Any] = {
            k: v
            for k, v in {"engine": engine, "dialect": dialect, "glossary": glossary}.items()
            if v is not None
        }
        if strict:
            options["strict"] = True
        if voice:
            options["voices"] = _voices(voice)
        base = _config(config_file)
        if voices_dir:
            options["voice_dirs"] = (*base.voice_dirs, *voices_dir)
        source, stem = _transcript(transcript, None)
        report = api.inspect(source, name=stem, config=base, **options)
        _write(sys.stdout, (_json(report.to_json()) if as_json else format_report(report)) + "\n")

    _guarded(run)


@app.command()
def check(
    subtitles: Annotated[
        Path, typer.Argument(metavar="SUBTITLES", help="An SRT, WebVTT or ASS file.")
    ],
    audio: Annotated[
        Path | None,
        typer.Option(
            "--audio",
            metavar="FILE",
            help="The audio the captions belong to (cues must end within it).",
        ),
    ] = None,
    captions: Annotated[
        str, typer.Option("--captions", metavar="PROFILE", help="Rules: netflix, bbc or podcast.")
    ] = "netflix",
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="zh|en", help="zh or en (default: detected).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
) -> None:
    """Check captions against professional rules; exit 1 when any rule is broken."""
    result: list[Any] = []
    _guarded(
        lambda: result.append(api.check(subtitles, audio=audio, captions=captions, language=lang))
    )
    report = result[0]
    if as_json:
        _write(sys.stdout, _json(report.to_json()) + "\n")
    else:
        lines = [
            f"{kind}: cue {item.cue} at {item.start}: {item.rule}: {item.message}\n"
            for kind, items in (("error", report.errors), ("warning", report.warnings))
            for item in items
        ]
        lines.append(
            f"{report.cues} cues, {len(report.errors)} errors, {len(report.warnings)} warnings\n"
        )
        _write(sys.stdout, "".join(lines))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def voices(
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            "-e",
            metavar="NAME",
            help="List this engine's voices instead of the personas.",
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="LANG", help="Only this language (zh, en, zh-CN, ...)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="edge: fetch the live list (needs the internet).")
    ] = False,
    voices_dir: VoicesDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List voice personas (profiles), or an engine's own voices with --engine."""
    found: list[Any] = []
    _guarded(
        lambda: found.extend(
            api.voices(engine, lang, voice_dirs=tuple(voices_dir or ()), refresh=refresh)
        )
    )
    if as_json:
        _write(sys.stdout, _json([v.to_json() for v in found]) + "\n")
        return
    rows = []
    for v in found:
        if engine is None:
            engines_text = ", ".join(f"{k}={name}" for k, name in v.realizations.items())
            rows.append(f"{v.id:<14} {v.gender:<7} {v.language:<4} {engines_text}\n")
        else:
            rows.append(f"{v.id}  {v.gender}  {v.language}\n")
    _write(sys.stdout, "".join(rows))


def main() -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")  # a cp1252 console shows '?' instead of a traceback
    app()
