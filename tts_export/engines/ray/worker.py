"""A Ray worker's body: one inner engine per actor; (text, realization) in, Synthesis out.

Plain Python, no Ray import: ``cluster.start_workers`` wraps it with
``ray.remote``. Its methods are coroutines, so Ray runs it as an async
actor and several calls may wait inside it; a semaphore keeps the inner
engine to its own ``max_jobs`` (espeak's library is global to the process).
An error the project raises on purpose is sent back as a value
(``Carried``), because its ``__init__`` takes fields, not the message, and so
cannot be unpickled on the driver the usual way.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tts_export import engines
from tts_export.engines.base import Engine, GroupingEngine
from tts_export.errors import EngineError, TtsExportError
from tts_export.models import Realization, Synthesis


@dataclass(frozen=True)
class Carried:
    """A ``TtsExportError`` raised on a worker, in a form that survives pickling."""

    kind: type[TtsExportError]
    args: tuple[object, ...]
    state: Mapping[str, object]

    @classmethod
    def of(cls, error: TtsExportError) -> Carried:
        return cls(type(error), error.args, dict(vars(error)))

    def rebuild(self) -> TtsExportError:
        """The same error, its fields, message and hint included."""
        error = self.kind.__new__(self.kind)  # __init__ would rebuild the message from fields
        error.args = self.args
        vars(error).update(self.state)
        return error


@dataclass(frozen=True)
class Description:
    """What a worker says about itself once started: checked by the driver."""

    name: str
    version: str
    sample_rate: int
    pid: int


class Worker:
    """The actor: holds one inner engine (its model loaded once, on first use)."""

    def __init__(self, inner: str, options: Mapping[str, object]) -> None:
        self._limit: asyncio.Semaphore | None = None
        self._engine: Engine | Carried
        try:
            self._engine = engines.create(inner, **options)
        except TtsExportError as error:
            # Kept and reported by describe(): an actor whose constructor raises is only
            # seen by the driver as "died", without the reason or the hint.
            self._engine = Carried.of(error)

    def describe(self) -> Description | Carried:
        """The inner engine's identity, or why it could not be created here."""
        engine = self._engine
        if isinstance(engine, Carried):
            return engine
        return Description(engine.name, engine.version, engine.sample_rate, os.getpid())

    def _ready(self) -> tuple[Engine, asyncio.Semaphore]:
        if isinstance(self._engine, Carried):
            raise self._engine.rebuild()
        if self._limit is None:  # made here: it belongs to the actor's own event loop
            self._limit = asyncio.Semaphore(max(1, self._engine.max_jobs))
        return self._engine, self._limit

    async def synthesize(self, text: str, realization: Realization) -> Synthesis | Carried:
        """One sentence, as the inner engine renders it."""
        try:
            engine, limit = self._ready()
            async with limit:
                return await engine.synthesize(text, realization)
        except TtsExportError as error:
            return Carried.of(error)

    async def synthesize_group(
        self, texts: Sequence[str], realization: Realization
    ) -> tuple[Synthesis, ...] | Carried:
        """Several sentences of one voice in one call, as the inner engine groups them."""
        try:
            engine, limit = self._ready()
            if not isinstance(engine, GroupingEngine):
                raise EngineError(
                    engine.name,
                    "cannot render sentences in groups",
                    hint="pass --no-group, or use an engine that renders groups (kokoro)",
                )
            async with limit:
                return await engine.synthesize_group(texts, realization)
        except TtsExportError as error:
            return Carried.of(error)

    async def aclose(self) -> None:
        """Release the inner engine's model and sessions."""
        if not isinstance(self._engine, Carried):
            await self._engine.aclose()
