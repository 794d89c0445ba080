"""Render-speed benchmark for the offline ``kokoro`` engine (issue: speed).

Renders a fixed transcript (the seed, or its first sections with --quick)
and prints one table:

- cold render: wall time, RTF (wall / audio length), peak RSS;
- the naive loop measured in the same run (sentence by sentence, one
  onnxruntime session with default options), its RTF and the ratio;
- pipeline overhead: the share of the cold render's wall time during which
  no model inference was running (parsing, G2P, caching, stitching, encoding,
  captions);
- warm rerun (nothing changed) and one-edit rerun (one turn changed), with
  their ratios to the cold render.

Each render runs in its own child process so that peak RSS is that render's
own. Not a test: it reports figures.

    python bench/bench_render.py            # the whole seed (about an hour of speech)
    python bench/bench_render.py --quick    # the first two sections
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"


# --- child side ------------------------------------------------------------------


def _instrument_inference() -> list[tuple[float, float]]:
    """Record the (start, end) of every onnxruntime inference in this process."""
    import onnxruntime as ort

    spans: list[tuple[float, float]] = []
    original = ort.InferenceSession.run

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spans.append((start, time.perf_counter()))

    ort.InferenceSession.run = timed
    return spans


def _union_seconds(spans: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b <= end:
            continue
        total += b - max(a, end)
        end = b
    return total


def child_render(transcript: Path, out: Path, cache: Path, group: bool) -> dict[str, Any]:
    spans = _instrument_inference()
    from tts_export import render
    from tts_export.engines.kokoro.engine import KokoroEngine

    start = time.perf_counter()
    result = render(transcript, out_dir=out, cache_dir=cache, group=group)
    wall = time.perf_counter() - start
    made = KokoroEngine()  # the defaults the render used
    cap = f"{made.pause_cap} frames" if made.pause_cap else "off"
    return {
        "engine": f"threads {made.threads}, jobs {made.max_jobs}, "
        f"groups <= {made.max_group_tokens} tokens, pad/pause cap {cap}",
        "wall_s": wall,
        "inference_s": _union_seconds(spans),
        "audio_ms": result.duration_ms,
        "synthesized": result.synthesized,
        "utterances": result.utterances,
    }


def child_naive(transcript: Path) -> dict[str, Any]:
    """The naive loop: every sentence alone, one session with default options."""
    import numpy as np
    import onnxruntime as ort

    from tts_export.casting import cast_voices, load_profiles
    from tts_export.engines.kokoro import engine as kokoro
    from tts_export.engines.kokoro.model import load_model_bytes
    from tts_export.engines.kokoro.tokens import split_phonemes
    from tts_export.models import Realization
    from tts_export.script import build_script
    from tts_export.transcript.parse import read_transcript

    script = build_script(read_transcript(transcript))
    speech = [u for u in script.utterances if u.kind == "speech"]
    casting = cast_voices(
        tuple(dict.fromkeys(u.speaker for u in speech)),
        language=script.transcript.language,
        engine="kokoro",
        profiles=load_profiles(),
    )
    engine = kokoro.KokoroEngine()
    start = time.perf_counter()
    session = ort.InferenceSession(load_model_bytes(), providers=["CPUExecutionProvider"])
    samples = 0
    for u in speech:
        realization = casting.profiles[u.speaker].realization("kokoro")
        assert isinstance(realization, Realization)
        style = engine._blend(realization)
        for piece in split_phonemes(engine.phonemes(u.spoken), 510):
            ids = [engine._vocab[c] for c in piece if c in engine._vocab]
            wave = session.run(
                None,
                {
                    "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                    "style": style[len(ids) - 1].reshape(1, 256),
                    "speed": np.array([realization.speed], dtype=np.float32),
                },
            )[0]
            samples += int(np.asarray(wave).size)
    return {"wall_s": time.perf_counter() - start, "audio_ms": samples * 1000 // 24000}


# --- parent side -----------------------------------------------------------------


def run_child(*args: str) -> tuple[dict[str, Any], int]:
    """Run this script as a child; return its JSON result (with its CPU seconds) and peak RSS.

    CPU seconds (user + system) move less than wall time when something else
    loads the machine, so the ratios are printed on both.
    """
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"child {args[0]} failed:\n{err[-3000:]}")
    result, rss = json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss // 1024
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    print(f"# {args[0]}: {json.dumps(result)} peak RSS {rss} MB", file=sys.stderr, flush=True)
    return result, rss


def quick_transcript(folder: Path, sections: int) -> Path:
    text = SEED.read_text(encoding="utf-8")
    heads = [m.start() for m in re.finditer(r"^### ", text, flags=re.M)]
    cut = heads[sections] if sections < len(heads) else len(text)
    path = folder / f"seed_first_{sections}_sections.md"
    path.write_text(text[:cut], encoding="utf-8")
    return path


def edited_copy(source: Path, folder: Path) -> Path:
    """The same transcript with one turn in the middle changed."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    turns = [i for i, line in enumerate(lines) if re.match(r"^\S{1,12}[:：] ", line)]
    target = turns[len(turns) // 2]
    lines[target] = lines[target].rstrip("\n") + "我再补充一句，这一点非常重要。\n"
    path = folder / source.name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the first sections")
    parser.add_argument("--sections", type=int, default=2, help="sections for --quick")
    parser.add_argument("--work", type=Path, help="keep the renders and cache in this folder")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "render":
            result = child_render(Path(rest[0]), Path(rest[1]), Path(rest[2]), rest[3] == "group")
        else:
            result = child_naive(Path(rest[0]))
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        transcript = quick_transcript(work, args.sections) if args.quick else SEED
        cache, out = work / "cache", work / "out"
        cold, cold_rss = run_child("render", str(transcript), str(out), str(cache), "group")
        naive, naive_rss = run_child("naive", str(transcript))
        warm, warm_rss = run_child("render", str(transcript), str(out), str(cache), "group")
        (work / "edit").mkdir(exist_ok=True)
        edited = edited_copy(transcript, work / "edit")
        edit, edit_rss = run_child("render", str(edited), str(work / "out2"), str(cache), "group")

    audio_s = cold["audio_ms"] / 1000
    overhead = (cold["wall_s"] - cold["inference_s"]) / cold["wall_s"]
    edit_extra = edit["wall_s"] - edit["inference_s"]
    print(f"# kokoro defaults: {cold['engine']}", flush=True)
    rows = [
        ("transcript", transcript.name, ""),
        ("kokoro", "defaults", cold["engine"]),
        ("audio length", f"{audio_s / 60:.1f} min", f"{cold['utterances']} utterances"),
        ("cold render", f"{cold['wall_s']:.1f} s", f"RTF {cold['wall_s'] / audio_s:.3f}"),
        (
            "naive loop",
            f"{naive['wall_s']:.1f} s",
            f"RTF {naive['wall_s'] / audio_s:.3f}; it made {naive['audio_ms'] / 1000:.0f} s "
            f"of audio for a {audio_s:.0f} s programme",
        ),
        (
            "cold / naive",
            f"{cold['wall_s'] / naive['wall_s']:.3f}",
            f"goal <= 0.90; in CPU seconds {cold['cpu_s']:.0f} / {naive['cpu_s']:.0f} = "
            f"{cold['cpu_s'] / naive['cpu_s']:.3f}",
        ),
        ("pipeline overhead", f"{overhead:.1%}", "of cold wall time (no inference running)"),
        (
            "warm rerun",
            f"{warm['wall_s']:.2f} s",
            f"{warm['wall_s'] / cold['wall_s']:.2%} of cold (goal <= 1 %)",
        ),
        (
            "one-edit rerun",
            f"{edit['wall_s']:.2f} s",
            f"{edit['synthesized']} clips re-made; {edit['inference_s']:.2f} s inference + "
            f"{edit_extra:.2f} s other = {edit_extra / cold['wall_s']:.2%} of cold "
            "(goal <= 1 % + that turn)",
        ),
        ("peak RSS cold", f"{cold_rss} MB", "goal < 1500 MB"),
        ("peak RSS naive/warm/edit", f"{naive_rss}/{warm_rss}/{edit_rss} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}")


if __name__ == "__main__":
    main()
