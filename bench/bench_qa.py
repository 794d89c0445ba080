"""Intelligibility benchmark (issue 15): how well whisper-base understands a render.

Renders the seed's first sections with the chosen engine (default: kokoro)
once per lexicon setting — none, the bundled default, and each ``--lexicon``
file given — runs ``qa`` on each render, then ``qa --repair`` on the last one
and ``qa`` again. Prints one row per setting (and "after --repair"): the
overall and per-speaker error rate (CER for Chinese, WER for English) and how
long ``qa`` takes per minute of audio; then the worst utterances, what the
repair changed, and the sentences that resist. Renders share one clip cache
(``--cache-dir`` reuses one across runs), so a lexicon re-renders only the
sentences it touches and the repair re-renders only the repaired ones.

Not a test: it reports figures. Keep the machine otherwise idle.

    python bench/bench_qa.py --asr-model DIR
    python bench/bench_qa.py --asr-model DIR --sections 2 --lexicon my.toml --worst 5
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from tts_export import _repair as repairing
from tts_export import pipeline
from tts_export.config import RenderConfig
from tts_export.lexicon import Lexicon, bundled_lexicon, lexicon_usage, load_lexicon
from tts_export.qa import QaReport, Recognizer, load_recognizer, run_qa
from tts_export.script import build_script

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ca70ea49c8ed113c.txt"


def first_sections(text: str, n: int) -> str:
    """The front matter and the first ``n`` ``###`` sections of a transcript."""
    lines = text.splitlines(keepends=True)
    heads = [i for i, line in enumerate(lines) if line.startswith("### ")]
    end = heads[n] if len(heads) > n else len(lines)
    return "".join(lines[:end])


def render(text: str, lexicon: Lexicon, out: Path, cache: Path, engine: str) -> Path:
    base = RenderConfig(out_dir=out, engine=engine, fallback="none", cache_dir=cache,
                        audio_format="wav", captions_formats=("srt",))  # fmt: skip
    prepared = pipeline.prepare_file(pipeline.Source("seed", text=text), base, {})
    script = build_script(prepared.transcript, lexicon=lexicon, engine=engine)
    prepared = dataclasses.replace(prepared, script=script)
    with pipeline.synthesis(prepared.config) as synth:
        clips, failed = synth.synthesize([prepared.work])
    if failed:
        raise SystemExit(f"synthesis failed: {failed[0]}")
    pipeline.finish(prepared, clips[0])
    return out / "seed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asr-model", default="base", help="faster-whisper model dir or name")
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--sections", type=int, default=2)
    parser.add_argument("--lexicon", action="append", default=[], type=Path)
    parser.add_argument("--worst", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work", type=Path, help="keep renders (and the cache) here")
    parser.add_argument("--cache-dir", type=Path, help="clip cache (default: WORK/cache)")
    parser.add_argument("--max-cer", type=float, default=0.05, help="repair utterances above")
    args = parser.parse_args()
    text = first_sections(SEED.read_text(encoding="utf-8"), args.sections)
    model = Path(args.asr_model) if Path(args.asr_model).is_dir() else args.asr_model
    recognizer = load_recognizer(model, threads=args.threads)
    settings = [("none", Lexicon()), ("bundled", bundled_lexicon())]
    settings += [(path.name, bundled_lexicon().merged(load_lexicon(path))) for path in args.lexicon]
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.work or Path(scratch)
        cache = args.cache_dir or Path(tmp) / "cache"
        rows, reports = [], []
        for label, lexicon in settings:
            stem = render(text, lexicon, Path(tmp) / label, cache, args.engine)
            report, per_minute = timed_qa(stem, recognizer)
            rows.append(row(label, report, per_minute))
            reports.append((label, report))
        base = RenderConfig(out_dir=stem.parent, engine=args.engine, fallback="none",
                            cache_dir=cache, audio_format="wav", captions_formats=("srt",),
                            lexicon=tuple(args.lexicon))  # fmt: skip
        started = time.perf_counter()
        fixed = repairing.repair(stem, pipeline.Source("seed", text=text), base, {}, recognizer,
                                 max_cer=args.max_cer)  # fmt: skip
        repair_s = time.perf_counter() - started
        report, per_minute = timed_qa(stem, recognizer)
        rows.append(row("after --repair", report, per_minute))
        reports.append(("after --repair", report))
        print(f"| lexicon | overall (by sound) | {' | '.join(report.by_speaker())} "
              "| qa s/min audio |")  # fmt: skip
        print("|---|---:|" + "---:|" * len(report.by_speaker()) + "---:|")
        print("\n".join(rows))
        for label, each in reports:
            print(f"\n{label}: worst")
            show(each, args.worst)
        again = fixed.render
        print(f"\n--repair (over {args.max_cer:.0%}): {len(fixed.tried)} tried, "
              f"{len(fixed.repairs)} repaired in {repair_s:.0f} s; the render made again "
              f"synthesized {again.synthesized}, {again.cached} from the cache")  # fmt: skip
        for r in fixed.repairs:
            print(f"    {r.id} {r.speaker} {r.before:6.1%} -> {r.after:6.1%}  {r.change}")
        resist = [u for u in report.utterances if u.rate > args.max_cer]
        print(f"resisting (over {args.max_cer:.0%} after repair): {len(resist)}")
        script = build_script(pipeline.prepare_file(pipeline.Source("seed", text=text),
                              RenderConfig(engine=args.engine), {}).transcript)  # fmt: skip
        usage = lexicon_usage(script.utterances, settings[-1][1], engine=args.engine)
        print("uncovered Latin terms:", ", ".join(u.term for u in usage.uncovered))


def timed_qa(stem: Path, recognizer: Recognizer) -> tuple[QaReport, float]:
    """The QA report, and its seconds per minute of audio."""
    started = time.perf_counter()
    report = run_qa(stem, recognizer)
    return report, (time.perf_counter() - started) / max(report.audio_ms / 60000, 1e-9)


def row(label: str, report: QaReport, per_minute: float) -> str:
    """One Markdown table row: overall, per speaker (each also by sound), qa s per audio min."""
    sound = report.by_speaker(by_sound=True)
    speakers = " | ".join(f"{v:.1%} ({sound[k]:.1%})" for k, v in report.by_speaker().items())
    overall = f"{report.rate:.1%} ({report.sound_rate:.1%})"
    return f"| {label} | {overall} | {speakers} | {per_minute:.1f} |"


def show(report: QaReport, n: int) -> None:
    for u in report.worst(n):
        by_sound = f"({u.sound_rate:.0%} by sound)"
        print(f"    {u.id} {u.speaker} {u.rate:6.1%} {by_sound}  spoken: {u.spoken}")
        print(f"    {'':>{len(u.id) + len(u.speaker) + 8}}  heard:  {u.heard}")


if __name__ == "__main__":
    main()
