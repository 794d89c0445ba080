"""A token budget for model calls: a call's token count in, permission to run out.

Activations take about 32 MB per second of speech in a call, so calls
running at once share a budget of tokens, which bounds peak memory.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class TokenGate:
    """Lets calls run at once while their tokens together stay within a budget.

    Calls are let in first come, first served; one bigger than the budget runs
    alone, so every call gets through. The budget bounds peak memory, which
    grows with the speech in flight.

    Args:
        budget: the most tokens that calls may hold at once (one call may exceed it).
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._used = 0
        self._queue: deque[object] = deque()
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, tokens: int) -> Iterator[None]:
        """Wait for the turn of a call of ``tokens`` tokens; hold them while the block runs."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            self._cond.wait_for(
                lambda: (
                    self._queue[0] is ticket
                    and (self._used == 0 or self._used + tokens <= self.budget)
                )
            )
            self._queue.popleft()
            self._used += tokens
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                self._used -= tokens
                self._cond.notify_all()
