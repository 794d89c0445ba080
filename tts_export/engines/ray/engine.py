"""The Ray executor as an engine: (text, realization) in on the driver, rendered on Ray actors.

``RayEngine("kokoro")`` meets ``Engine`` (and ``GroupingEngine`` when the
inner engine does), so the synth stage, the content cache, stitching and
every output stay on the driver, unchanged: a cluster render is the local
render, byte for byte. Each actor holds one inner engine made by the
registry (the model loaded once per actor). Its name and version are the
inner engine's, so local and Ray renders share cache entries; the workers
are checked to run that very version before any call.

Calls go to the least busy actor, at most ``in_flight`` per actor (the
driver's memory holds at most workers × in_flight clips in transit). A call
whose actor dies is sent to another one (Ray restarts the dead one), at
most ``MAX_ATTEMPTS`` times in all; its result is taken once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tts_export import engines
from tts_export.engines.base import Engine, GroupingEngine
from tts_export.engines.ray.cluster import (
    check_workers,
    connect,
    import_ray,
    not_started,
    start_workers,
)
from tts_export.engines.ray.worker import Carried
from tts_export.errors import ConfigError, EngineError, TtsExportError
from tts_export.models import Realization, Synthesis

IN_FLIGHT = 2  # calls per actor: one running, one waiting, so no actor idles between calls
MAX_ATTEMPTS = 3  # workers a call is sent to before it fails
START_TIMEOUT_S = 600.0  # to start the actors (a busy cluster may queue them)
_NO_OPTIONS: Mapping[str, object] = MappingProxyType({})


@dataclass(frozen=True)
class RayStats:
    """What the executor has done so far.

    Attributes:
        workers: actors serving calls.
        calls: calls sent to an actor, retries included.
        completed: results received (each call's result is taken once).
        retries: calls sent again because their actor died.
        in_flight: calls out now, per actor.
        pids: the actors' worker processes, as each first reported.
    """

    workers: int
    calls: int
    completed: int
    retries: int
    in_flight: tuple[int, ...]
    pids: tuple[int, ...]


class _Lanes:
    """One event loop's view of the actors: calls in flight per actor, and who waits."""

    def __init__(self, size: int, depth: int, ready: asyncio.Future[None]) -> None:
        self.loop = asyncio.get_running_loop()
        self.busy = [0] * size
        self.depth = depth
        self.ready = ready  # the actors' start-up check
        self._waiting: list[asyncio.Future[None]] = []

    def _pick(self, avoid: set[int]) -> int | None:
        free = [i for i, n in enumerate(self.busy) if n < self.depth]
        fresh = [i for i in free if i not in avoid] or free
        return min(fresh, key=lambda i: self.busy[i]) if fresh else None

    async def take(self, avoid: set[int]) -> int:
        """A slot on the least busy actor, preferring those not in ``avoid``."""
        while (lane := self._pick(avoid)) is None:
            waiter = self.loop.create_future()
            self._waiting.append(waiter)
            await waiter
        self.busy[lane] += 1
        return lane

    def give(self, lane: int) -> None:
        self.busy[lane] -= 1
        # Everyone looks again: a waiter that was cancelled cannot swallow the wake-up.
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            if not waiter.done():
                waiter.set_result(None)


class RayEngine:
    """An engine whose calls run on Ray actors, each holding one ``inner`` engine.

    ``max_group_tokens`` exists only when the inner engine groups sentences,
    so ``isinstance(engine, GroupingEngine)`` says what the inner engine can
    do. The local inner instance serves only the cheap calls (``check_voice``,
    ``estimate_ms``, ``group_cost``); it never synthesizes.
    """

    max_group_tokens: int

    def __init__(
        self,
        inner: str,
        *,
        address: str | None = None,
        workers: int = 2,
        threads: int | None = None,
        inner_options: Mapping[str, object] = _NO_OPTIONS,
        in_flight: int = IN_FLIGHT,
    ) -> None:
        """Connect to Ray, start the actors and check that they hold the driver's engine.

        Args:
            inner: the registry name of the engine the actors run.
            address: None for a local Ray on this machine (bound to
                127.0.0.1; this process's own if it has one), "auto" for the
                cluster running here, "ray://host:port" for Ray Client.
            workers: actors, each with one inner engine.
            threads: CPUs per actor, passed to the inner engine as its
                ``threads`` option (kokoro); None leaves the engine's default
                and reserves one CPU per actor.
            inner_options: other options of the inner engine (kokoro's
                ``group_tokens``...).
            in_flight: calls sent to one actor at once.

        Raises:
            EngineUnavailable: Ray is not installed or not reachable, the
                engine cannot run on a worker, or a worker has another version.
            ConfigError: workers, threads or in_flight out of range, or an
                option the inner engine does not take.
        """
        for label, value, top in (("workers", workers, 1024), ("in_flight", in_flight, 16)):
            _check_count(label, value, top)
        if threads is not None:
            _check_count("threads", threads, 64)
        self._ray = import_ray(local_only=address is None)
        options = {**inner_options, **({} if threads is None else {"threads": threads})}
        self._local: Engine = engines.create(inner, **options)  # also checks the options
        self.name = self._local.name
        self.version = self._local.version
        self.sample_rate = self._local.sample_rate
        self.max_jobs = workers * in_flight
        if isinstance(self._local, GroupingEngine):
            self.max_group_tokens = self._local.max_group_tokens
        self._spec = (inner, options, workers, threads or 1)
        self._depth = in_flight
        self._lost = (self._ray.exceptions.RayActorError, self._ray.exceptions.ObjectLostError)
        self._counts = {"calls": 0, "completed": 0, "retries": 0}
        self._lanes: _Lanes | None = None
        self._pids: tuple[int, ...] = ()
        connect(self._ray, address, num_cpus=workers * (threads or 1))
        self._actors = self._start()
        try:
            refs = [actor.describe.remote() for actor in self._actors]
            self._pids = self._checked(self._ray.get(refs, timeout=START_TIMEOUT_S))
        except self._ray.exceptions.RayError as exc:
            self._kill()
            raise not_started(self.name, exc, workers, threads or 1) from None
        except TtsExportError:
            self._kill()
            raise

    # -- the cheap calls, answered on the driver ------------------------------

    def check_voice(self, realization: Realization) -> None:
        """Raise VoiceError when the inner engine cannot use this voice."""
        self._local.check_voice(realization)

    def estimate_ms(self, text: str) -> int:
        """The inner engine's estimate."""
        return self._local.estimate_ms(text)

    def group_cost(self, text: str) -> int:
        """How much of ``max_group_tokens`` the text takes (grouping inner engines only).

        Raises:
            EngineError: the inner engine does not group sentences.
        """
        return self._grouping().group_cost(text)

    def _grouping(self) -> GroupingEngine:
        if not isinstance(self._local, GroupingEngine):
            raise EngineError(
                self.name,
                "cannot render sentences in groups",
                hint="pass --no-group, or use an engine that renders groups (kokoro)",
            )
        return self._local

    # -- synthesis, on the actors ---------------------------------------------

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        """Render ``text`` on an actor.

        Raises:
            EngineError: the inner engine's own error, or every actor tried
                died (``retryable``).
        """
        result = await self._call("synthesize", text, realization)
        if not isinstance(result, Synthesis):
            raise EngineError(
                self.name,
                f"a Ray worker returned {type(result).__name__}",
                hint=(
                    "the Ray workers run another tts-export version: install the same one on every "
                    "node"
                ),
            )
        return result

    async def synthesize_group(
        self, texts: Sequence[str], realization: Realization
    ) -> tuple[Synthesis, ...]:
        """Render consecutive sentences of one voice in one call on an actor.

        Raises:
            EngineError: the inner engine's own error or cannot group, or
                every actor tried died (``retryable``).
        """
        self._grouping()
        if not texts:
            return ()
        result = await self._call("synthesize_group", list(texts), realization)
        if not (
            isinstance(result, tuple)
            and len(result) == len(texts)
            and all(isinstance(item, Synthesis) for item in result)
        ):
            raise EngineError(
                self.name,
                f"a Ray worker returned {result!r:.80} for a group",
                hint=(
                    "the Ray workers run another tts-export version: install the same one on every "
                    "node"
                ),
            )
        return result

    @property
    def stats(self) -> RayStats:
        """Calls, retries and load so far."""
        lanes = self._lanes.busy if self._lanes is not None else [0] * len(self._actors)
        return RayStats(
            workers=len(self._actors),
            calls=self._counts["calls"],
            completed=self._counts["completed"],
            retries=self._counts["retries"],
            in_flight=tuple(lanes),
            pids=self._pids,
        )

    @property
    def actors(self) -> tuple[Any, ...]:
        """The Ray actor handles (to watch or kill them); empty after ``aclose``."""
        return self._actors

    async def aclose(self) -> None:
        """Stop the actors (their models go with them); the next call starts new ones.

        Ray itself stays up for the rest of the process, for the next engine.
        """
        self._kill()
        self._lanes = None

    def _kill(self) -> None:
        actors, self._actors = self._actors, ()
        for actor in actors:
            self._ray.kill(actor)

    # -- dispatch -------------------------------------------------------------

    def _start(self) -> tuple[Any, ...]:
        inner, options, workers, cpus = self._spec
        return start_workers(self._ray, inner, options, count=workers, cpus=cpus)

    def _checked(self, descriptions: Sequence[object]) -> tuple[int, ...]:
        return check_workers(
            descriptions, name=self.name, version=self.version, sample_rate=self.sample_rate
        )

    def _lanes_here(self) -> _Lanes:
        """This event loop's lanes; actors are started again after ``aclose``."""
        loop = asyncio.get_running_loop()
        if self._lanes is not None and self._lanes.loop is loop:
            return self._lanes
        ready: asyncio.Future[None] = loop.create_future()
        if self._actors:
            ready.set_result(None)
        else:
            self._actors = self._start()
            ready = asyncio.ensure_future(self._restarted(self._actors))
        self._lanes = _Lanes(len(self._actors), self._depth, ready)
        return self._lanes

    async def _restarted(self, actors: Sequence[Any]) -> None:
        """Check actors started after ``aclose``; a failure stays this loop's answer."""
        _, _, workers, cpus = self._spec
        try:
            refs = [asyncio.wrap_future(actor.describe.remote().future()) for actor in actors]
            found = await asyncio.wait_for(asyncio.gather(*refs), START_TIMEOUT_S)
            self._pids = self._checked(found)
        except (self._ray.exceptions.RayError, TimeoutError) as exc:
            self._kill()
            raise not_started(self.name, exc, workers, cpus) from None
        except TtsExportError:
            self._kill()
            raise

    async def _call(self, method: str, *args: object) -> object:
        lanes = self._lanes_here()
        await lanes.ready
        avoid: set[int] = set()
        lost: BaseException | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            lane = await lanes.take(avoid)
            self._counts["calls"] += 1
            try:
                result = await getattr(self._actors[lane], method).remote(*args)
            except self._lost as exc:
                # The actor died with the call (Ray restarts it): send it to another one.
                avoid.add(lane)
                lost = exc
                if attempt < MAX_ATTEMPTS:
                    self._counts["retries"] += 1
                continue
            finally:
                lanes.give(lane)
            self._counts["completed"] += 1
            if isinstance(result, Carried):
                raise result.rebuild()
            return result
        raise EngineError(
            self.name,
            f"{MAX_ATTEMPTS} Ray workers died while rendering this text: "
            f"{type(lost).__name__}: {str(lost)[:200]}",
            retryable=True,
            attempts=MAX_ATTEMPTS,
            hint="a worker may run out of memory: lower --workers or the threads per worker",
        )


def _check_count(label: str, value: object, top: int) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= top):
        raise ConfigError(
            f"ray {label}",
            value,
            f"must be a whole number from 1 to {top}",
            hint="e.g. --workers 4 / --threads-per-worker 2",
        )
