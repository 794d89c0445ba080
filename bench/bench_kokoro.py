"""Measure the kokoro engine's real-time factor: sentence by sentence vs grouped calls.

Parses the seed with the project's own parser and segmenter, takes the first N
speech utterances, and renders them twice on one engine (one session, the
engine's default threads): one ``synthesize`` call per sentence (the naive
loop), and ``synthesize_group`` over runs of consecutive sentences of one turn
that fit ``max_group_tokens`` (the plan the synth stage makes). The two take
turns over blocks of runs so that load from other processes falls on both
alike. Audio length is counted after ``audio.trim_silence`` (40 ms margin), as
the synth stage stores clips, so both paths are measured against the same
speech. Phonemes are computed once up front (as synth planning does) and
timed separately.

    python bench/bench_kokoro.py [--sentences 40] [--block 3] [--threads N] [--group-tokens N]

Threads and group budget default to the engine's (all cores; 200 tokens).
Measured 2026-11-28 on an idle 2-core machine, 40 sentences: 40 single
calls 117.3 s for 280.7 s of speech (RTF 0.418), 28 grouped calls 115.2 s
for 273.6 s (RTF 0.421); groups / singles wall 0.98; peak RSS 1.31 GB.
Grouped speech is shorter than the same sentences alone (fewer
mid-sentence pauses, shorter final syllables), so what grouping saves is
less audio, not faster inference.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_export.engines.kokoro.engine import KokoroEngine  # noqa: E402
from tts_export.models import Realization, Synthesis, Utterance  # noqa: E402
from tts_export.script import build_script  # noqa: E402
from tts_export.synth.clips import trim_silence  # noqa: E402
from tts_export.transcript.parse import read_transcript  # noqa: E402

SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
VOICE = Realization("kokoro", "jf_gongitsune")


def seed_utterances(count: int) -> list[Utterance]:
    """The first ``count`` speech utterances of the seed."""
    script = build_script(read_transcript(SEED))
    return [u for u in script.utterances if u.kind == "speech"][:count]


def plan(engine: KokoroEngine, utterances: Sequence[Utterance]) -> list[list[Utterance]]:
    """Runs of consecutive same-turn sentences within the engine's token budget."""
    runs: list[list[Utterance]] = []
    used, turn = 0, -1
    for u in utterances:
        cost = engine.group_cost(u.spoken)
        if runs and u.turn_index == turn and used + cost <= engine.max_group_tokens:
            runs[-1].append(u)
            used += cost
        else:
            runs.append([u])
            used, turn = cost, u.turn_index
    return runs


def speech_seconds(clips: Sequence[Synthesis]) -> float:
    total = 0
    for clip in clips:
        pcm, _ = trim_silence(clip.pcm, clip.sample_rate, margin_ms=40)
        total += len(pcm) // 2
    return total / clips[0].sample_rate if clips else 0.0


class Way:
    """One way of rendering and what it has measured."""

    def __init__(self, name: str) -> None:
        self.name, self.wall, self.calls = name, 0.0, 0
        self.clips: list[Synthesis] = []

    def report(self) -> str:
        audio = speech_seconds(self.clips)
        return (
            f"{self.name:<8} calls {self.calls:4d}  wall {self.wall:7.1f} s  "
            f"speech {audio:7.1f} s  RTF {self.wall / audio:.3f}"
        )


async def singles(engine: KokoroEngine, run: list[str], into: Way) -> None:
    start = time.perf_counter()
    for text in run:
        into.clips.append(await engine.synthesize(text, VOICE))
        into.calls += 1
    into.wall += time.perf_counter() - start


async def grouped(engine: KokoroEngine, run: list[str], into: Way) -> None:
    start = time.perf_counter()
    if len(run) == 1:
        into.clips.append(await engine.synthesize(run[0], VOICE))
    else:
        into.clips.extend(await engine.synthesize_group(run, VOICE))
    into.calls += 1
    into.wall += time.perf_counter() - start


async def bench(engine: KokoroEngine, runs: list[list[str]], block: int) -> tuple[Way, Way]:
    naive, group = Way("singles"), Way("groups")
    await engine.synthesize("预热。", VOICE)  # session load and first-run allocation
    for n, first in enumerate(range(0, len(runs), block)):
        chunk = runs[first : first + block]
        order = [(singles, naive), (grouped, group)]
        for fn, into in order if n % 2 == 0 else order[::-1]:
            for run in chunk:
                await fn(engine, run, into)
    return naive, group


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--block", type=int, default=3, help="runs per turn-taking block")
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads")
    parser.add_argument("--group-tokens", type=int, default=None, help="budget of a grouped call")
    args = parser.parse_args()
    utterances = seed_utterances(args.sentences)
    engine = KokoroEngine(threads=args.threads, group_tokens=args.group_tokens)
    t0 = time.perf_counter()
    runs = [[u.spoken for u in run] for run in plan(engine, utterances)]
    planning = time.perf_counter() - t0
    sizes = [len(r) for r in runs]
    print(
        f"{len(utterances)} sentences, {sum(len(u.spoken) for u in utterances)} chars, "
        f"{len(runs)} runs (largest {max(sizes)}); planning {planning:.2f} s; "
        f"threads {engine.threads}, group budget {engine.max_group_tokens} tokens",
        flush=True,
    )
    naive, group = asyncio.run(bench(engine, runs, args.block))
    print(naive.report())
    print(group.report())
    print(f"groups / singles wall time: {group.wall / naive.wall:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
