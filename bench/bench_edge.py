"""Edge adapter throughput against the loopback fake: wall time at --jobs 1 and 8 vs ideal.

python bench/bench_edge.py [N] [LATENCY_S]     (defaults: 200 utterances, 0.3 s)
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fake_edge import LEAD_MS, FakeEdge, duration_for, mp3_for

from tts_export.engines.edge.engine import EdgeEngine
from tts_export.models import Realization


async def _run(engine: EdgeEngine, texts: list[str]) -> None:
    voice = Realization("edge", "zh-CN-XiaoxiaoNeural")
    await asyncio.gather(*(engine.synthesize(t, voice) for t in texts))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    latency = float(sys.argv[2]) if len(sys.argv) > 2 else 0.3
    texts = [f"第{i:03d}句话在这里。" for i in range(n)]
    mp3_for(LEAD_MS + duration_for(texts[0]))
    fake = FakeEdge().start()
    fake.delay_s = latency
    try:
        for jobs in (1, 8):
            start = time.monotonic()
            asyncio.run(_run(EdgeEngine(url=fake.url, jobs=jobs), texts))
            wall = time.monotonic() - start
            ideal = latency * n / jobs
            print(
                f"jobs={jobs:<2} n={n} wall={wall:6.2f}s ideal={ideal:6.2f}s "
                f"ratio={wall / ideal:4.2f} peak={fake.max_concurrent}"
            )
            fake.max_concurrent = 0
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
