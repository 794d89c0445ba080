"""Batch scale-out benchmark (issue 14): local espeak vs the Ray executor on this machine.

Prints one table:

- synthesis of the same batch of sentences (cold cache each time) by the
  local espeak engine and by ``RayEngine("espeak")`` with 1 and 2 workers on
  a local Ray, passes alternated, medians of ``--repeats``: wall time,
  throughput in audio-seconds per wall-second, and Ray's overhead against
  local at equal cores (the local espeak engine renders one sentence at a
  time: one core, like one Ray worker);
- the driver's own cost per sentence: the synth stage with an engine that
  costs nothing (planning, trimming, cache writes with their fsync), with a
  warm cache (planning, cache reads), Ray's dispatch (the driver's CPU in the
  Ray run less its CPU in the engine-free run), and the export of a short
  programme rendered from a warm cache (parse, stitch, encode, captions,
  manifest, page);
- a worker's cost per sentence (espeak, and kokoro with one thread) and from
  both the number of workers one driver can feed before it is the
  bottleneck: worker seconds per sentence / driver seconds per sentence.

Not a test: it reports figures. Keep the machine otherwise idle.

    python bench/bench_batch.py                  # 240 sentences, kokoro on 4
    python bench/bench_batch.py --sentences 120 --kokoro 0
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_export.common.lang import has_han  # noqa: E402
from tts_export.engines.base import Engine  # noqa: E402
from tts_export.engines.espeak.engine import EspeakEngine  # noqa: E402
from tts_export.models import (  # noqa: E402
    Casting,
    Clip,
    Realization,
    Script,
    Synthesis,
    Transcript,
    Utterance,
    VoiceProfile,
)
from tts_export.synth import synthesize_script  # noqa: E402
from tts_export.synth.cache import ClipCache  # noqa: E402

_EN = (
    "The committee met on day {n} to review the budget for the coming year.",
    "Number {n} on the list was the one nobody expected to win.",
    "After {n} minutes of silence, the host asked the next question.",
    "We tested the model on {n} articles, and most summaries were accurate.",
)
_ZH = (
    "第{n}期节目，我们继续聊一聊语音合成。",
    "他说，这件事情已经讨论了{n}次。",
    "到了第{n}天，大家终于达成了一致。",
)


def sentences(count: int) -> list[str]:
    pool = [t for pair in zip(_EN, _ZH * 2, strict=False) for t in pair]
    return [pool[i % len(pool)].format(n=i + 1) for i in range(count)]


def script_of(texts: Sequence[str]) -> tuple[Script, Casting]:
    """English sentences spoken by "en", Chinese ones by "zh", one turn each."""
    utterances = tuple(
        Utterance(f"u{i:04d}", None, "zh" if has_han(t) else "en", t, t, i + 1, i, 0)
        for i, t in enumerate(texts)
    )
    casting = Casting(
        {
            "en": VoiceProfile("en", "female", "en", "", (Realization("espeak", "en-us+f2"),)),
            "zh": VoiceProfile(
                "zh",
                "female",
                "zh",
                "",
                (Realization("espeak", "cmn+f3"), Realization("kokoro", "jf_gongitsune")),
            ),
        }
    )
    return Script(Transcript("bench.md", {}, ()), utterances), casting


def run_synth(engine: Engine, texts: Sequence[str], cache: Path) -> tuple[float, float, float]:
    """Synthesize ``texts``: (wall s, driver CPU s, audio s)."""
    script, casting = script_of(texts)
    wall, cpu = time.perf_counter(), time.process_time()
    clips = synthesize_script(script, casting, engine=engine, fallback=None, cache=ClipCache(cache))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, audio_seconds(clips)


def audio_seconds(clips: dict[str, Clip]) -> float:
    return sum(clip.duration_ms for clip in clips.values()) / 1000


class Replay:
    """An engine that costs nothing: it hands back what espeak rendered before."""

    name = "espeak"
    max_jobs = 4

    def __init__(self, inner: EspeakEngine, done: dict[str, Synthesis]) -> None:
        self.version = inner.version
        self.sample_rate = inner.sample_rate
        self._inner, self._done = inner, done

    def check_voice(self, realization: Realization) -> None:
        self._inner.check_voice(realization)

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        return self._done[text]

    def estimate_ms(self, text: str) -> int:
        return self._inner.estimate_ms(text)

    async def aclose(self) -> None:
        pass


def engine_seconds(
    engine: Engine, texts: Sequence[str], voice: Callable[[str], Realization]
) -> list[float]:
    """Each sentence's engine time alone, one call at a time (a worker's cost)."""

    async def each() -> list[float]:
        spent = []
        for text in texts:
            start = time.perf_counter()
            await engine.synthesize(text, voice(text))
            spent.append(time.perf_counter() - start)
        return spent

    return asyncio.run(each())


def export_seconds(count: int, folder: Path) -> float:
    """Per sentence: render a ``count``-sentence programme with a warm cache into new outputs."""
    from tts_export import render

    body = "\n\n".join(
        f"{'Host' if i % 2 else 'Guest'}: {text}" for i, text in enumerate(sentences(count))
    )
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "programme.md"
    source.write_text(f"---\ntitle: Bench\n---\n{body}\n", encoding="utf-8")
    cache = folder / "cache"
    render(source, engine="espeak", cache_dir=cache, out_dir=folder / "warm-up")
    start = time.perf_counter()
    render(source, engine="espeak", cache_dir=cache, out_dir=folder / "timed")
    return (time.perf_counter() - start) / count


def per_sentence(seconds: float) -> str:
    return f"{1000 * seconds:.2f} ms/sentence"


def synthesis_rows(
    texts: Sequence[str], work: Path, repeats: int
) -> tuple[list[tuple[str, str]], float]:
    """Local vs Ray at equal cores, passes alternated, medians.

    Returns the rows and the driver's CPU per sentence in the 2-worker Ray passes.
    """
    from tts_export.engines.ray import RayEngine

    n = len(texts)
    run_synth(EspeakEngine(), texts[:20], work / "warm-up")  # files read once, into the OS cache
    runs: dict[str, list[tuple[float, float, float]]] = {"local espeak (1 engine)": []}
    startup = 0.0
    for workers in (2, 1):  # the first starts the local Ray with 2 CPUs
        start = time.perf_counter()
        ray = RayEngine("espeak", workers=workers)
        startup = startup or time.perf_counter() - start
        label = f"ray, {workers} worker{'s' if workers > 1 else ''}"
        runs[label] = []
        for r in range(repeats):
            folder = work / f"{workers}-{r}"
            runs["local espeak (1 engine)"].append(run_synth(EspeakEngine(), texts, folder / "l"))
            runs[label].append(run_synth(ray, texts, folder / "r"))  # the stage never closes it
        asyncio.run(ray.aclose())
    medians = {
        k: tuple(statistics.median(x[i] for x in v) for i in range(3)) for k, v in runs.items()
    }
    base = medians["local espeak (1 engine)"][0]
    rows = []
    for label, (wall, _, audio) in medians.items():
        vs = "" if label.startswith("local") else f", {100 * (wall / base - 1):+.0f} % vs local"
        rows.append(
            (f"synth {n} sentences: {label}", f"{wall:.2f} s, {audio / wall:.0f} audio-s/s{vs}")
        )
    rows.append(("ray start-up (local cluster + 2 actors)", f"{startup:.1f} s"))
    return rows, medians["ray, 2 workers"][1] / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=240)
    parser.add_argument("--kokoro", type=int, default=4, help="sentences for kokoro's cost")
    parser.add_argument("--programme", type=int, default=40, help="sentences of the export")
    parser.add_argument("--repeats", type=int, default=3, help="passes of each synthesis")
    args = parser.parse_args()
    texts = sentences(args.sentences)
    n = len(texts)
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    rows, ray_cpu = synthesis_rows(texts, work, args.repeats)

    # The driver's side of synthesis, the engine taking no time.
    local = EspeakEngine()
    script, casting = script_of(texts)
    voices = {u.spoken: casting.profiles[u.speaker].realizations[0] for u in script.utterances}
    replay = Replay(local, {t: asyncio.run(local.synthesize(t, voices[t])) for t in texts})
    cold_wall, cold_cpu, _ = run_synth(replay, texts, work / "replay")
    warm = run_synth(replay, texts, work / "replay")[0] / n
    dispatch = max(0.0, ray_cpu - cold_cpu / n)  # what Ray adds to the driver's CPU
    export = export_seconds(args.programme, work / "export")
    driver = cold_wall / n + dispatch + export
    rows += [
        (
            "driver: synth stage, engine free, cold cache",
            f"{per_sentence(cold_wall / n)} (CPU {per_sentence(cold_cpu / n)})",
        ),
        ("driver: synth stage, warm cache", per_sentence(warm)),
        ("driver: Ray dispatch (CPU in the ray run - above)", per_sentence(dispatch)),
        (f"driver: export of a {args.programme}-sentence programme", per_sentence(export)),
        ("driver: total (cold synth stage + dispatch + export)", per_sentence(driver)),
    ]
    espeak_each = statistics.mean(engine_seconds(local, texts[:60], voices.__getitem__))
    rows.append(("worker: espeak, one sentence", f"{1000 * espeak_each:.1f} ms"))
    synth_only = cold_wall / n + dispatch
    rows.append(("workers one driver can feed: espeak", f"{espeak_each / driver:.1f}"))
    rows.append(("  the same, synthesis only (no export)", f"{espeak_each / synth_only:.1f}"))
    if args.kokoro:
        from tts_export.engines.kokoro.engine import KokoroEngine

        chinese = [t for t in texts if has_han(t)][: args.kokoro + 1]
        voice = casting.profiles["zh"].realizations[1]
        spent = engine_seconds(KokoroEngine(threads=1), chinese, lambda _: voice)
        kokoro_each = statistics.mean(spent[1:])  # the first call loads the model
        rows.append(("worker: kokoro (1 thread), one sentence", f"{kokoro_each:.2f} s"))
        rows.append(
            ("workers one driver can feed: kokoro, 1 thread", f"{kokoro_each / driver:.0f}")
        )
        rows.append(("  the same, synthesis only (no export)", f"{kokoro_each / synth_only:.0f}"))
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 44}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
