"""``tts-export inspect``, ``check`` and ``voices``: thin calls to the API, results on stdout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from tts_export import api
from tts_export.cli.app import app
from tts_export.cli.console import fail, guarded, say, to_json, write
from tts_export.cli.options import (
    ConfigOpt,
    VoicesDirOpt,
    load,
    settings_given,
    transcript_arg,
    with_settings,
)
from tts_export.common.lang import primary_subtag
from tts_export.errors import TtsExportError
from tts_export.output.report import format_report

# Shown wherever Kokoro's own voices are listed: they are not what their ids suggest.
KOKORO_NOTE = (
    "Kokoro's only voices here are five Japanese ones (one male): they read "
    "Chinese and English too, with an accent (whisper-base: 9.6 % of Chinese characters, "
    "11.3 % of English words misheard). For native voices use --engine edge (online)."
)


@app.command("inspect")
@with_settings("inspect")
def inspect_cmd(
    transcript: Annotated[
        str, typer.Argument(metavar="TRANSCRIPT", help="Transcript file; - reads stdin.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    config_file: ConfigOpt = None,
    *,
    settings: dict[str, Any],
) -> None:
    """Show what would be rendered (speakers, voices, sections, warnings), without synthesizing."""

    def run() -> None:
        base, options = load(config_file), settings_given(settings)
        source, stem = transcript_arg(transcript, None)
        report = api.inspect(source, name=stem, config=base, **options)
        write(sys.stdout, (to_json(report.to_json()) if as_json else format_report(report)) + "\n")

    guarded(run)


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
        str,
        typer.Option(
            "--captions",
            metavar="PROFILE",
            help="Rules: netflix, bbc or podcast (for Chinese all three are Netflix's zh-Hans rules: the BBC's guide has none).",
        ),
    ] = "netflix",
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="zh|en", help="zh or en (default: detected).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
) -> None:
    """Check captions against professional rules; exit 1 when any rule is broken."""
    result: list[Any] = []
    guarded(
        lambda: result.append(api.check(subtitles, audio=audio, captions=captions, language=lang))
    )
    report = result[0]
    if as_json:
        write(sys.stdout, to_json(report.to_json()) + "\n")
    else:
        lines = [
            f"{kind}: cue {item.cue} at {item.start}: {item.rule}: {item.message}\n"
            for kind, items in (("error", report.errors), ("warning", report.warnings))
            for item in items
        ]
        lines.append(
            f"{report.cues} cues, {len(report.errors)} errors, {len(report.warnings)} warnings\n"
        )
        write(sys.stdout, "".join(lines))
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
    """List voice personas (profiles), or an engine's own voices with --engine.

    The offline neural engine (kokoro) has five Japanese voices, which read Chinese
    and English; native voices are edge's (online).
    """
    found: list[Any] = []
    dirs = tuple(voices_dir or ())
    guarded(lambda: found.extend(api.voices(engine, lang, voice_dirs=dirs, refresh=refresh)))
    if engine == "kokoro" or any("kokoro" in v.realizations for v in found):
        say("note:", "yellow", KOKORO_NOTE)  # the personas' kokoro= voices are these too
    if not found:
        _none_found(engine, lang, dirs, as_json)
    if as_json:
        write(sys.stdout, to_json([v.to_json() for v in found]) + "\n")
        return
    rows = []
    for v in found:
        if engine is None:
            engines_text = ", ".join(f"{k}={name}" for k, name in v.realizations.items())
            rows.append(f"{v.id:<14} {v.gender:<7} {v.language:<4} {engines_text}\n")
        else:
            rows.append(f"{v.id}  {v.gender}  {v.language}\n")
    write(sys.stdout, "".join(rows))


def _none_found(
    engine: str | None, lang: str | None, dirs: tuple[Path, ...], as_json: bool
) -> NoReturn:
    """Nothing matched: say so on stderr, naming the languages there are, and exit 1."""
    every: list[Any] = []
    guarded(lambda: every.extend(api.voices(engine, None, voice_dirs=dirs)))
    languages = sorted({primary_subtag(v.language) for v in every})
    what = f"{engine} voices" if engine else "voice personas"
    asked = f" for language {lang!r}" if lang else ""
    there = f"; there are {what} for: {', '.join(languages)}" if languages else ""
    if not engine:
        hint = "add a persona of that language in a TOML file and pass --voices-dir DIR"
    elif languages:
        hint = "give --lang one of the languages named, or leave --lang out"
    else:
        hint = f"the {engine} engine lists no voices here: reinstall tts-export"
    if as_json:
        write(sys.stdout, "[]\n")
    fail(TtsExportError(f"no {what}{asked}{there}", hint=hint))
