"""Cue sync on the seed's first section, rendered with kokoro: prints the p95 cue-onset error.

Renders the seed's front matter and first section through the public API
(``tts_export.render``, default captions), then measures the published files:
for every SRT cue that starts inside a sentence (not the sentence's first
cue; sentences located from the manifest), the speech onset is the first
sustained speech energy in the decoded audio at or after the cue's start,
and the error is how long after the start it comes (issue 12's measure; the
goal is a p95 of at most 100 ms). The onset rule is ``tests/test_kokoro_sync.py``'s.

Takes a few minutes of CPU. Not a test: it reports figures.

    python bench/bench_cue_sync.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pysubs2

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
sys.path.insert(0, str(ROOT / "tests"))

from test_kokoro_sync import WINDOW_MS, onset_error, p95  # noqa: E402

import tts_export  # noqa: E402
from tts_export.audio.ffmpeg import decode_pcm  # noqa: E402

RATE = 24000


def first_section(text: str) -> str:
    """The front matter and the first ``###`` section of a transcript."""
    lines = text.splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("### ")]
    end = headings[1] if len(headings) > 1 else len(lines)
    return "\n".join(lines[:end]) + "\n"


def window_db(x: np.ndarray, rate: int) -> np.ndarray:
    """Level of each 10 ms window in dB relative to the loud windows (the 99th percentile)."""
    win = rate * WINDOW_MS // 1000
    n = x.size // win
    rms = np.sqrt(np.mean(x[: n * win].reshape(n, win) ** 2, axis=1)) + 1e-9
    db = 20 * np.log10(rms)
    return np.asarray(db - np.percentile(db, 99), dtype=np.float64)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "section1.md"
        source.write_text(first_section(SEED.read_text(encoding="utf-8")), encoding="utf-8")
        started = time.perf_counter()
        result = tts_export.render(
            source,
            engine="kokoro",
            out_dir=Path(tmp) / "out",
            cache_dir=Path(tmp) / "cache",
            captions_formats=("srt",),
        )
        wall = time.perf_counter() - started
        pcm = decode_pcm(Path(result.files["audio"]), sample_rate=RATE)
        audio, rate = np.frombuffer(pcm, "<i2").astype(np.float64), RATE
        manifest = json.loads(Path(result.files["manifest"]).read_text(encoding="utf-8"))
        cues = pysubs2.load(str(result.files["srt"]), encoding="utf-8")
    spans = [(u["start_ms"], u["end_ms"]) for u in manifest["utterances"] if u["kind"] == "speech"]
    errors: list[int] = []
    opened: set[int] = set()
    for cue in cues:
        found = [n for n, (a, b) in enumerate(spans) if a <= cue.start < b]
        if not found:
            continue
        n = found[0]
        if n not in opened:  # a sentence's first cue starts with its clip
            opened.add(n)
            continue
        a, b = spans[n]
        db = window_db(audio[a * rate // 1000 : b * rate // 1000], rate)
        errors.append(onset_error(db, cue.start - a))
    print(
        f"seed section 1 with kokoro: {len(spans)} sentences, {len(cues)} cues, render {wall:.0f} s"
    )
    print(f"cues inside sentences: {len(errors)}")
    if errors:
        print(f"|cue start - speech onset|: p95 {p95(errors):.0f} ms, max {max(errors)} ms")
        print("errors (ms):", sorted(errors))


if __name__ == "__main__":
    main()
