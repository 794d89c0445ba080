"""Engine lifetime: the engines of a render (or a batch, a repair, a session) and their one loop.

An ``EngineSet`` owns one event loop (an ``asyncio.Runner``) for its whole
life and the engines it was given: every synthesis of the render runs on that
loop, and closing the set closes each engine once, on the same loop, then the
loop. Nothing else closes an engine: the synth stage only uses them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from tts_export import engines as registry
from tts_export.common.files import remove_stale_temporaries
from tts_export.engines.base import Engine
from tts_export.errors import EngineUnavailable, SynthesisFailed
from tts_export.models import Casting, Clip, Realization, Script
from tts_export.synth.cache import ClipCache
from tts_export.synth.many import synthesize_many
from tts_export.synth.scheduler import ProgressCallback

T = TypeVar("T")


class EngineSet:
    """The engine and its fallback, opened once, on one event loop owned until ``close``.

    Attributes:
        engine: the chosen engine.
        fallback: the engine that renders what the chosen one gives up on, or None.
    """

    def __init__(
        self, make: Callable[[], Engine], make_fallback: Callable[[], Engine | None]
    ) -> None:
        """Open the engine, then the fallback (the engine is closed again if that fails).

        Raises:
            EngineUnavailable, ConfigError: as the factories raise them.
        """
        self._runner = asyncio.Runner()
        self.closed = False
        self.fallback: Engine | None = None
        self.engine = make()
        try:
            self.fallback = make_fallback()
        except BaseException:
            self.close()
            raise

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` to its end on the set's loop (the loop every call of the set shares)."""
        return self._runner.run(work)

    def close(self) -> None:
        """Close each engine once, on the set's loop, then the loop (closing again does nothing)."""
        if self.closed:
            return
        self.closed = True
        engines = [self.engine]
        if self.fallback is not None and self.fallback is not self.engine:
            engines.append(self.fallback)

        async def close_all() -> None:
            for engine in engines:
                await engine.aclose()

        try:
            self._runner.run(close_all())
        finally:
            self._runner.close()

    def __enter__(self) -> EngineSet:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class EngineChoice:
    """The settings that decide which engines a render opens, and how (equal: same engines).

    Attributes:
        engine: the chosen engine's registry name.
        fallback: an engine name, "auto" (the engine's declared fallback) or "none".
        jobs: calls in flight for an engine that takes them (0: its own choice).
        executor: "local", or "ray" to run the chosen engine on Ray actors.
        ray_address, workers, worker_threads: the Ray executor's settings.
    """

    engine: str
    fallback: str = "auto"
    jobs: int = 0
    executor: str = "local"
    ray_address: str | None = None
    workers: int = 2
    worker_threads: int | None = None

    def make(self, name: str) -> Engine:
        """The engine ``name``; ``jobs`` and the executor size the chosen engine, never another.

        With ``executor="ray"`` the chosen engine runs on Ray actors (one model load per
        actor); its name and version stay the inner engine's, so the cache is shared with
        local renders. The fallback always runs here.

        Raises:
            EngineUnavailable: the engine cannot run here.
        """
        if self.executor == "ray" and name == self.engine:
            from tts_export.engines.ray.engine import RayEngine

            return RayEngine(name, address=self.ray_address, workers=self.workers,
                             threads=self.worker_threads)  # fmt: skip
        if self.jobs and name == self.engine and registry.info(name).takes_jobs:
            return registry.create(name, jobs=self.jobs)  # kokoro's threads follow: cores / jobs
        return registry.create(name)

    def make_fallback(self) -> Engine | None:
        """The fallback engine, or None (none chosen, or it cannot run here)."""
        name = self.fallback
        if name == "auto":
            name = registry.info(self.engine).fallback
        if name in ("none", self.engine):
            return None
        try:
            return self.make(name)
        except EngineUnavailable:
            return None  # no fallback here; failures are then reported as failures

    @staticmethod
    def estimates(texts: Sequence[str]) -> dict[str, int]:
        """Expected speech of ``texts`` in ms, by every registered engine that can run here.

        Estimates come from the text alone, so each engine is built here (never on Ray: an
        estimate starts no actor), asked, and closed again on one loop.
        """
        found: dict[str, int] = {}
        with asyncio.Runner() as runner:
            for name in registry.names():
                try:
                    engine = registry.create(name)
                except EngineUnavailable:
                    continue
                try:
                    found[name] = sum(engine.estimate_ms(text) for text in texts)
                finally:
                    runner.run(engine.aclose())
        return found

    def open(self) -> EngineSet:
        """The engine and fallback, opened on a loop of their own (close the set when done).

        Raises:
            EngineUnavailable: the chosen engine cannot run here.
        """
        return EngineSet(lambda: self.make(self.engine), self.make_fallback)


# One script to synthesize: its casting, and utterance id -> realization overrides.
Work = tuple[Script, Casting, Mapping[str, Realization]]


class Synthesizer:
    """A synthesis started: engines open on their loop, stale temporaries gone, the cache."""

    def __init__(
        self, opened: EngineSet, cache_dir: Path, *, jobs: int, trim_margin_ms: int, group: bool
    ) -> None:
        remove_stale_temporaries(cache_dir, recursive=True)
        self.engines = opened
        self.cache = ClipCache(cache_dir)
        self.jobs, self.trim_margin_ms, self.group = jobs, trim_margin_ms, group

    def synthesize(
        self, work: Sequence[Work], on_progress: ProgressCallback | None = None
    ) -> tuple[dict[int, dict[str, Clip]], dict[int, SynthesisFailed]]:
        """Synthesize several scripts at once on the set's loop (their sentences share the cores).

        Returns:
            Per script index, its clips; and per script index that could not be completed, why.

        Raises:
            VoiceError: a persona's voice is not usable by the engine.
            OutputError: the cache cannot be written.
        """
        return self.engines.run(
            synthesize_many(
                [(script, casting) for script, casting, _ in work],
                engine=self.engines.engine,
                fallback=self.engines.fallback,
                cache=self.cache,
                jobs=self.jobs,
                trim_margin_ms=self.trim_margin_ms,
                group=self.group,
                on_progress=on_progress,
                overrides=[chosen for _, _, chosen in work],
            )
        )
