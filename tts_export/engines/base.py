"""The engine contract: (spoken text, realization) in, PCM and boundaries out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import product
from typing import Protocol, runtime_checkable

from tts_export.models import Realization, Synthesis


@runtime_checkable
class Engine(Protocol):
    """A speech engine adapter.

    What the package knows about an engine without building it (whether it takes
    ``jobs``, its automatic fallback, how to derive voices) is declared on its
    registry entry (``engines.EngineInfo``).

    Attributes:
        name: registry name ("kokoro", "espeak", "edge").
        version: changes whenever the same input may give other audio; part of
            every cache key.
        sample_rate: the rate of the PCM it returns.
        max_jobs: how many ``synthesize`` calls may usefully run at once.
    """

    name: str
    version: str
    sample_rate: int
    max_jobs: int

    def check_voice(self, realization: Realization) -> None:
        """Raise VoiceError when the engine cannot use this realization's voice."""
        ...

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        """Render ``text`` (one sentence-sized utterance).

        Returns mono 16-bit PCM at ``sample_rate`` with word or sentence
        boundaries in ms when the engine gives them. CPU-bound engines run
        their work in a thread or process so the event loop stays free.

        Raises:
            EngineError: the text could not be rendered (``retryable`` tells
                whether trying again may help).
            EngineUnavailable: the engine cannot run here at all.
        """
        ...

    def estimate_ms(self, text: str) -> int:
        """Expected duration of ``text`` without synthesizing it."""
        ...

    async def aclose(self) -> None:
        """Release sessions, processes and connections.

        Called once, by whoever made the engine (a render's ``EngineSet``), on the
        event loop its calls ran on; the synth stage never calls it.
        """
        ...


@runtime_checkable
class GroupingEngine(Protocol):
    """An engine that can render several sentences of one voice in one call.

    Fewer, longer calls cost less per second of speech (per-call overhead and
    the silence a model pads around each call are paid once). The engine must
    know where each sentence ends inside the call (from the model's own
    durations, not guessed), and return one ``Synthesis`` per text.
    """

    max_group_tokens: int

    def group_cost(self, text: str) -> int:
        """How much of ``max_group_tokens`` the text takes, from the text alone.

        Planning calls this for every sentence, cached or not, so it must be
        cheap and deterministic (no phonemizer, no model): a rerun that finds
        every clip cached does no engine work at all.
        """
        ...

    async def synthesize_group(
        self, texts: Sequence[str], realization: Realization
    ) -> tuple[Synthesis, ...]:
        """Render ``texts`` in one call; one Synthesis per text, in order.

        Raises:
            EngineError: the group could not be rendered.
        """
        ...


# Pitch shifts tried, in this order, after an engine's own variants (the same order
# every time, so the same transcript is cast the same way).
PITCH_SHIFTS_HZ = (15, -15, 30, -30)


def pitch_variants(own: Sequence[Realization]) -> Iterator[Realization]:
    """``own`` shifted in pitch (within -100..100 Hz): voices that differ by ear."""
    for shift, a in product(PITCH_SHIFTS_HZ, own):
        if -100 <= a.pitch + shift <= 100:
            yield replace(a, pitch=a.pitch + shift)
