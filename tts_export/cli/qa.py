"""``tts-export qa OUTDIR/STEM``: how well a speech recogniser understands a finished render."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

from tts_export import api
from tts_export._repair import Repaired
from tts_export.cli.app import app
from tts_export.cli.console import RichListener, err, guarded, say, to_json, write
from tts_export.cli.options import ConfigOpt, load
from tts_export.qa import QaReport, UtteranceScore


def _pad(text: str, width: int) -> str:
    """Left-aligned in ``width`` terminal cells (a Han character takes two)."""
    return text + " " * max(0, width - cell_len(text))


def format_qa(report: QaReport, *, max_cer: float, worst: int) -> str:
    """The terminal table: overall, per speaker, then the worst utterances."""
    verdict = "ok" if report.passed(max_cer) else f"over the limit of {max_cer:.1%}"
    counted = sum(u.length for u in report.utterances)
    lines = [
        f"{_pad('', 16)} {'errors':>7}  {'by sound':>8}",
        f"{_pad('overall', 16)} {report.rate:>7.1%}  {report.sound_rate:>8.1%}  "
        f"({len(report.utterances)} utterances, "
        f"{counted} tokens, {report.audio_ms / 60000:.1f} min)  {verdict}",
    ]
    per_speaker: dict[str, int] = {}
    for u in report.utterances:
        per_speaker[u.speaker] = per_speaker.get(u.speaker, 0) + 1
    by_sound = report.by_speaker(by_sound=True)
    for speaker, rate in report.by_speaker().items():
        lines.append(
            f"{_pad(speaker, 16)} {rate:>7.1%}  {by_sound[speaker]:>8.1%}  "
            f"({per_speaker[speaker]} utterances)"
        )
    bad = report.worst(worst)
    if bad:
        lines.append("")
        lines.append(f"worst {len(bad)}:")
    for u in bad:
        lines.append(f"  {u.id}  {u.speaker}  {u.rate:.1%} (by sound {u.sound_rate:.1%})")
        lines.append(f"    spoken: {u.spoken}")
        lines.append(f"    heard:  {u.heard}")
    return "\n".join(lines) + "\n"


@app.command("qa")
def qa_cmd(
    render: Annotated[
        Path,
        typer.Argument(
            metavar="OUTDIR/STEM",
            help="A finished render: its output folder and stem (out/episode), or its <stem>.manifest.json.",
        ),
    ],
    asr_model: Annotated[
        str,
        typer.Option(
            "--asr-model",
            metavar="DIR",
            help="A faster-whisper (CTranslate2) model folder, or a model name: base (default) is the whisper-base the QA extra installs, used offline; other names are downloaded by faster-whisper when online.",
        ),
    ] = "base",
    max_cer: Annotated[
        float,
        typer.Option("--max-cer", min=0.0, max=1.0, metavar="RATE", help="Exit 1 when the overall error rate is above this (0.05 = 5 %)."),
    ] = 0.05,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    worst: Annotated[
        int, typer.Option("--worst", min=0, metavar="N", help="List the N worst utterances.")
    ] = 10,
    threads: Annotated[
        int, typer.Option("--threads", min=0, metavar="N", help="Recogniser CPU threads (0: its choice).")
    ] = 0,
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Re-voice each utterance over --max-cer (alone, slower, a nearby blend of the same persona) when that is understood better, keep it in STEM.repairs.json and render again from the cache. Needs --transcript."),
    ] = False,
    transcript: Annotated[
        Path | None,
        typer.Option("--transcript", metavar="FILE", help="--repair: the transcript the render was made from (the manifest does not keep its path; the script is rebuilt from it)."),
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", metavar="DIR", help="--repair: the clip cache the render used (default: as for render)."),
    ] = None,
    config_file: ConfigOpt = None,
) -> None:
    """Transcribe every utterance of a render with an offline recogniser and score it.

    Character error rate for Chinese, word error rate for English, per utterance,
    per speaker and overall, against the text the engine read. Needs the QA extra:
    pip install 'tts-export[qa]'.
    """
    if repair:
        _repair(render, transcript, asr_model, max_cer, threads, cache_dir, config_file, as_json)
        return
    found: list[QaReport] = []
    bar = Bar(BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err, transient=True)

    def progress(score: UtteranceScore, done: int, total: int) -> None:
        if not bar.tasks:
            bar.add_task("qa", total=total)
        bar.update(bar.tasks[0].id, completed=done)

    def run() -> None:
        err.print("transcribing…", style="dim")
        with bar:
            found.append(api.qa(render, asr_model=asr_model, threads=threads, on_utterance=progress))

    guarded(run)
    report = found[0]
    if as_json:
        data = report.to_json(worst=worst)
        data["max_cer"] = max_cer
        data["passed"] = report.passed(max_cer)
        write(sys.stdout, to_json(data) + "\n")
    else:
        write(sys.stdout, format_qa(report, max_cer=max_cer, worst=worst))
    if not report.passed(max_cer):
        raise typer.Exit(1)


def _repair(
    render: Path, transcript: Path | None, asr_model: str, max_cer: float, threads: int,
    cache_dir: Path | None, config_file: Path | None, as_json: bool,
) -> None:  # fmt: skip
    if transcript is None:
        say("error:", "bold red", "--repair needs --transcript FILE: the manifest does not keep "
            "the transcript's path, and the sentences are rebuilt from it")  # fmt: skip
        raise typer.Exit(2)
    found: list[Repaired] = []
    listener = RichListener(err, quiet=False)

    def run() -> None:
        options = {"cache_dir": cache_dir} if cache_dir is not None else {}
        try:
            found.append(
                api.repair(render, transcript=transcript, asr_model=asr_model, max_cer=max_cer,
                           threads=threads, config=load(config_file), listener=listener,
                           **options)  # type: ignore[arg-type]
            )  # fmt: skip
        finally:
            listener.close()

    err.print("checking, then trying alternatives for each utterance over the limit…", style="dim")
    guarded(run)
    done = found[0]
    if as_json:
        write(sys.stdout, to_json(done.to_json()) + "\n")
        return
    lines = [f"before: {done.before.rate:.1%} overall; {len(done.tried)} over {max_cer:.1%} tried, "
             f"{len(done.repairs)} repaired"]  # fmt: skip
    for r in done.repairs:
        lines.append(f"  {r.id}  {r.speaker}  {r.before:.1%} -> {r.after:.1%}  {r.change}")
        lines.append(f"    heard before: {r.heard_before}")
        lines.append(f"    heard after:  {r.heard_after}")
    lines.append(f"rendered again: {done.render.synthesized} synthesized, "
                 f"{done.render.cached} from the cache")  # fmt: skip
    lines.extend(str(path) for path in done.render.files.values())
    write(sys.stdout, "\n".join(lines) + "\n")
