"""Session benchmark (issue 21): two renders through one ``Session(engine="kokoro")`` against
two module-level ``render()`` calls, in the same run.

Prints one row per call: wall time, this process's CPU seconds (every thread),
and how many times the Kokoro model was loaded during the call and how long that
took. Each call renders with a cache of its own, fresh, so every call
synthesizes; the session's calls run first, so the session pays for the cold
read of the model files. Two short, different transcripts from tests/fixtures.

Not a test: it reports figures. Keep the machine otherwise idle.

    python bench/bench_session.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tts_export  # noqa: E402
from tts_export.engines.kokoro import engine as kokoro_engine  # noqa: E402

TRANSCRIPTS = (
    ROOT / "tests" / "fixtures" / "render" / "short_zh.md",
    ROOT / "tests" / "fixtures" / "transcripts" / "colon_zh.md",
)


class Loads:
    """Counts and times the model loads (``open_session``) the kokoro engine makes."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        real: Callable[..., Any] = getattr(kokoro_engine, "open_session")  # noqa: B009

        def counted(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.count += 1
                self.seconds += time.perf_counter() - started

        setattr(kokoro_engine, "open_session", counted)  # noqa: B010


def measure(
    label: str, call: Callable[[], tts_export.Render], loads: Loads
) -> tuple[str, float, float, int, float, int]:
    count, seconds = loads.count, loads.seconds
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return label, wall, cpu, loads.count - count, loads.seconds - seconds, result.synthesized


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=0, help="kokoro jobs (0: its own choice)")
    args = parser.parse_args()
    loads = Loads()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)

        def options(run: str) -> dict[str, Any]:
            return {"engine": "kokoro", "jobs": args.jobs, "out_dir": work / run / "out",
                    "cache_dir": work / run / "cache", "audio_format": "wav"}  # fmt: skip

        session_started = time.perf_counter()
        with tts_export.Session(engine="kokoro", jobs=args.jobs) as session:
            for i, path in enumerate(TRANSCRIPTS, 1):
                rows.append(measure(f"Session.render #{i} ({path.name})",
                                    partial(session.render, path, **options(f"s{i}")),
                                    loads))  # fmt: skip
        session_total = time.perf_counter() - session_started
        oneshot_started = time.perf_counter()
        for i, path in enumerate(TRANSCRIPTS, 1):
            rows.append(measure(f"render() #{i} ({path.name})",
                                partial(tts_export.render, path, **options(f"r{i}")),
                                loads))  # fmt: skip
        oneshot_total = time.perf_counter() - oneshot_started
    print(f"{'call':<40} {'wall s':>7} {'CPU s':>7} {'loads':>5} {'load s':>7} {'synth':>5}")
    for label, wall, cpu, count, seconds, synthesized in rows:
        print(f"{label:<40} {wall:7.2f} {cpu:7.2f} {count:5d} {seconds:7.2f} {synthesized:5d}")
    print(f"{'two renders in one Session (incl. close)':<40} {session_total:7.2f}")
    print(f"{'two one-shot render() calls':<40} {oneshot_total:7.2f}")


if __name__ == "__main__":
    main()
