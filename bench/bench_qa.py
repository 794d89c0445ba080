"""Intelligibility benchmark (issue 15): how well whisper-base understands a render.

Renders the seed's first sections with the chosen engine (default: kokoro)
once per lexicon setting — none, the bundled default, and each ``--lexicon``
file given — then runs ``qa`` on each render and prints the overall and
per-speaker error rate (CER for Chinese, WER for English), the worst
utterances, and how long ``qa`` takes per minute of audio. Renders share one
clip cache, so a lexicon re-renders only the sentences it touches.

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

from tts_export import pipeline
from tts_export.config import RenderConfig
from tts_export.lexicon import Lexicon, bundled_lexicon, lexicon_usage, load_lexicon
from tts_export.qa import QaReport, load_recognizer, run_qa
from tts_export.script import build_script
from tts_export.synth.cache import ClipCache

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
    used, fallback = pipeline.open_engines(prepared.config)
    try:
        clips, failed = pipeline.synthesize(
            [prepared], engine=used, fallback=fallback, cache=ClipCache(cache)
        )
    finally:
        pipeline.close_engines(used, fallback)
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
    parser.add_argument("--work", type=Path, help="keep renders and cache here")
    args = parser.parse_args()
    text = first_sections(SEED.read_text(encoding="utf-8"), args.sections)
    model = Path(args.asr_model) if Path(args.asr_model).is_dir() else args.asr_model
    recognizer = load_recognizer(model, threads=args.threads)
    settings = [("none", Lexicon()), ("bundled", bundled_lexicon())]
    settings += [(path.name, bundled_lexicon().merged(load_lexicon(path))) for path in args.lexicon]
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.work or Path(scratch)
        cache = Path(tmp) / "cache"
        print(f"{'lexicon':<16} {'overall':>8}  per speaker              qa s/min audio")
        for label, lexicon in settings:
            stem = render(text, lexicon, Path(tmp) / label, cache, args.engine)
            started = time.perf_counter()
            report = run_qa(stem, recognizer)
            per_minute = (time.perf_counter() - started) / max(report.audio_ms / 60000, 1e-9)
            speakers = "  ".join(f"{k} {v:.1%}" for k, v in report.by_speaker().items())
            print(f"{label:<16} {report.rate:>8.1%}  {speakers:<24} {per_minute:>6.1f}")
            show(report, args.worst)
        script = build_script(pipeline.prepare_file(pipeline.Source("seed", text=text),
                              RenderConfig(engine=args.engine), {}).transcript)  # fmt: skip
        usage = lexicon_usage(script.utterances, settings[-1][1], engine=args.engine)
        print("uncovered Latin terms:", ", ".join(u.term for u in usage.uncovered))


def show(report: QaReport, n: int) -> None:
    for u in report.worst(n):
        print(f"    {u.id} {u.speaker} {u.rate:6.1%}  spoken: {u.spoken}")
        print(f"    {'':>{len(u.id) + len(u.speaker) + 8}}  heard:  {u.heard}")


if __name__ == "__main__":
    main()
