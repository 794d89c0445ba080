"""Audio export progress: the PCM fed to (or read from) ffmpeg in; ``Step`` updates out.

The encode streams the programme through a pipe and the loudness check reads
the written file back through one, so the work can be counted in programme
milliseconds as the blocks pass; levelling plans the gains in one call and is
reported as a step without a count (``total_ms`` 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

_EVERY_MS = 500  # at most one update per half second of programme (a long file: thousands)


@dataclass(frozen=True)
class Step:
    """Where the audio export stands.

    Attributes:
        name: "levelling", "probing the codec", "encoding", "checking loudness",
            "encoding again" (the rare correction pass).
        done_ms: programme milliseconds done in this step.
        total_ms: the step's length in programme milliseconds; 0 when it is not counted.
    """

    name: str
    done_ms: int
    total_ms: int


OnStep = Callable[[Step], None]


def counted(
    blocks: Iterable[bytes], on_step: OnStep | None, name: str, total_ms: int, frame_rate: int
) -> Iterator[bytes]:
    """``blocks`` (float32 PCM) passed on unchanged, with ``Step`` updates as they go by.

    ``frame_rate`` is bytes per second of programme (rate x channels x 4). Sends the
    step at 0 before the first block and at its end after the last.
    """
    if on_step is None:
        yield from blocks
        return
    on_step(Step(name, 0, total_ms))
    seen = last = 0
    for block in blocks:
        seen += len(block)
        done = min(total_ms, seen * 1000 // frame_rate)
        if done - last >= _EVERY_MS:
            on_step(Step(name, done, total_ms))
            last = done
        yield block
    on_step(Step(name, total_ms, total_ms))
