"""Measure how to spend the cores on kokoro inference: threads vs parallel calls.

Takes seed sentences (phonemized once, up front), and runs the same list of
one-sentence calls in each layout, in two rounds (forward, then backward, so
that drifting load from other processes falls on all alike):

- ``naive``: one onnxruntime session with default options;
- ``1 x Nt``: the engine's session, all cores in one call at a time (the default);
- ``2 x 1t shared``: one 1-thread session, two Python threads calling it at once
  (what ``--jobs 2`` does);
- ``2 x 1t procs``: two processes, each with its own 1-thread session.

RTF is wall time over the audio the calls returned (untrimmed). Not a test.

    python bench/bench_layouts.py [--sentences 24] [--skip 40]
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import onnxruntime as ort
from bench_kokoro import VOICE, seed_utterances

from tts_export.engines.kokoro.engine import KokoroEngine, cpu_count
from tts_export.engines.kokoro.model import load_model_bytes, open_session

Feeds = dict[str, Any]
_worker_session: Any = None


def make_feeds(engine: KokoroEngine, texts: Sequence[str]) -> list[Feeds]:
    style = engine._blend(VOICE)
    feeds = []
    for text in texts:
        ids = [engine._vocab[c] for c in engine.phonemes(text) if c in engine._vocab]
        feeds.append(
            {
                "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                "style": style[min(len(ids), len(style)) - 1].reshape(1, 256),
                "speed": np.array([VOICE.speed], dtype=np.float32),
            }
        )
    return feeds


def call(session: Any, feeds: Feeds) -> int:
    return int(np.asarray(session.run(None, feeds)[0]).size)


def in_turn(session: Any, work: Sequence[Feeds]) -> int:
    return sum(call(session, f) for f in work)


def side_by_side(session: Any, work: Sequence[Feeds], jobs: int) -> int:
    todo: queue.SimpleQueue[Feeds] = queue.SimpleQueue()
    for f in work:
        todo.put(f)
    done: list[int] = []

    def worker() -> None:
        while True:
            try:
                f = todo.get_nowait()
            except queue.Empty:
                return
            done.append(call(session, f))

    threads = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done)


def _start_worker() -> None:
    global _worker_session
    _worker_session = open_session(1)


def _worker_call(feeds: Feeds) -> int:
    return call(_worker_session, feeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sentences", type=int, default=24)
    parser.add_argument("--skip", type=int, default=40, help="seed sentences to skip first")
    args = parser.parse_args()
    engine = KokoroEngine()
    texts = [u.spoken for u in seed_utterances(args.skip + args.sentences)][args.skip :]
    work = make_feeds(engine, texts)
    cores = cpu_count()
    naive = ort.InferenceSession(load_model_bytes(), providers=["CPUExecutionProvider"])
    full, single = open_session(cores), open_session(1)
    pool = multiprocessing.get_context("fork").Pool(2, initializer=_start_worker)
    layouts: dict[str, Callable[[], int]] = {
        "naive": lambda: in_turn(naive, work),
        f"1 x {cores}t": lambda: in_turn(full, work),
        "2 x 1t shared": lambda: side_by_side(single, work, 2),
        "2 x 1t procs": lambda: sum(pool.map(_worker_call, work, chunksize=1)),
    }
    for session in (naive, full, single):
        call(session, work[0])  # first-run allocation
    pool.map(_worker_call, work[:2], chunksize=1)
    tokens = sum(int(f["tokens"].size) for f in work)
    print(f"{len(work)} sentences, {tokens} tokens, {cores} cores", flush=True)
    rtf: dict[str, list[float]] = {name: [] for name in layouts}
    for order in (list(layouts), list(layouts)[::-1]):
        for name in order:
            start = time.perf_counter()
            samples = layouts[name]()
            rtf[name].append((time.perf_counter() - start) / (samples / 24000))
            print(f"  {name:<14} RTF {rtf[name][-1]:.3f}", flush=True)
    pool.close()
    base = float(np.mean(rtf["naive"]))
    for name, values in rtf.items():
        mean = float(np.mean(values))
        print(f"{name:<14} RTF {mean:.3f}  ({mean / base:.2f} x naive)")


if __name__ == "__main__":
    main()
