"""Cue timing: a clip's boundaries and the built cues in; times in ms from the speech out.

``Clock`` maps a character of the display text to the moment it is heard:
the engine's word or sentence boundaries where there are any, otherwise time
in proportion to character weights. ``retime`` then keeps 2-frame gaps,
chains short gaps and stretches short cues into the silence that follows.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from tts_export.captions.linebreak import CLAUSE_END, SENTENCE_END
from tts_export.captions.profiles import CaptionProfile
from tts_export.common.lang import is_cjk
from tts_export.models import Cue, Placement


def _char_weight(ch: str) -> float:
    """How long a character takes to say, relative to one Han character."""
    if is_cjk(ch):
        return 1.0
    if ch.isalnum():
        return 0.45
    if ch.isspace():
        return 0.1
    return 0.6 if ch in SENTENCE_END or ch in CLAUSE_END else 0.1


def _cumulative(text: str) -> list[float]:
    out = [0.0]
    for ch in text:
        out.append(out[-1] + _char_weight(ch))
    return out


class Clock:
    """Maps a character offset of the display text to ms from the clip start.

    Anchors come from the engine's boundaries (located in the spoken text in
    order); between anchors, and where there are none, time runs in proportion
    to character weights.
    """

    def __init__(self, display: str, placement: Placement) -> None:
        clip = placement.clip
        duration = clip.duration_ms if clip is not None else placement.end_ms - placement.start_ms
        spoken = placement.utterance.spoken or display
        self.display_weights = _cumulative(display)
        spoken_weights = _cumulative(spoken)
        scale = spoken_weights[-1] / self.display_weights[-1] if self.display_weights[-1] else 0.0
        self.scale = scale
        points: list[tuple[float, float]] = []
        cursor = 0
        for boundary in clip.boundaries if clip is not None else ():
            found = spoken.find(boundary.text, cursor) if boundary.text else -1
            if found < 0:
                continue
            cursor = found + len(boundary.text)
            for weight, ms in (
                (spoken_weights[found], boundary.start_ms),
                (spoken_weights[cursor], boundary.end_ms),
            ):
                if not points or (weight >= points[-1][0] and ms >= points[-1][1]):
                    points.append((weight, float(ms)))
        if not points or points[0][0] > 0:
            points.insert(0, (0.0, 0.0 if not points else min(points[0][1], 0.0)))
        if points[-1][0] < spoken_weights[-1]:
            points.append((spoken_weights[-1], float(max(duration, points[-1][1]))))
        self.weights = [p[0] for p in points]
        self.times = [p[1] for p in points]
        self.duration = duration

    def at(self, offset: int) -> int:
        """ms from the clip start at which display character ``offset`` is heard."""
        weight = self.display_weights[min(offset, len(self.display_weights) - 1)] * self.scale
        index = bisect.bisect_right(self.weights, weight)
        if index <= 0:
            return round(self.times[0])
        if index >= len(self.weights):
            return round(min(self.times[-1], self.duration))
        w0, w1 = self.weights[index - 1], self.weights[index]
        t0, t1 = self.times[index - 1], self.times[index]
        share = (weight - w0) / (w1 - w0) if w1 > w0 else 0.0
        return round(min(t0 + share * (t1 - t0), self.duration))


def duration_cost(ms: int, profile: CaptionProfile) -> float:
    """Penalty for a cue lasting ``ms``: steep past the longest cue, mild under the shortest.

    Raises:
        Nothing of its own.
    """
    if ms > profile.max_ms:
        return 100.0 + (ms - profile.max_ms) / 50.0
    if ms < profile.min_ms:
        return (profile.min_ms - ms) / 100.0
    return 0.0


def retime(cues: list[Cue], profile: CaptionProfile, duration_ms: int) -> tuple[Cue, ...]:
    """Gaps of 2 frames, chaining, minimum durations, nothing past the programme end.

    Starts stay on the speech; only ends move: back to open a gap, forward to
    close a short gap or reach the minimum duration, never into the next cue.

    Args:
        cues: the cues in programme order, timed on the speech.
        profile: gap, chaining and duration limits.
        duration_ms: the programme length; no cue ends after it.

    Returns:
        The retimed cues, same order, text and type.

    Raises:
        Nothing of its own.
    """
    step = profile.min_gap_ms + 1
    out: list[Cue] = []
    previous_start = -step
    starts: list[int] = []
    for cue in cues:  # strictly spaced starts leave room for a gap between any two cues
        previous_start = max(cue.start_ms, previous_start + step)
        starts.append(previous_start)
    for index, cue in enumerate(cues):
        start = starts[index]
        following = starts[index + 1] if index + 1 < len(cues) else None
        end = shown_end(start, cue.end_ms, following, profile, duration_ms)
        out.append(replace(cue, start_ms=start, end_ms=end))  # keeps JoinedCue
    return tuple(out)


def shown_end(
    start: int, speech_end: int, following: int | None, profile: CaptionProfile, duration_ms: int
) -> int:
    """Where ``retime`` ends a cue that starts at ``start`` and whose speech ends at ``speech_end``.

    Args:
        start: the cue's start.
        speech_end: the end of its speech.
        following: the next cue's start, or None for the last cue.
        profile: gap, chaining and duration limits.
        duration_ms: the programme length.

    Returns:
        The end: 2 frames before the next cue when the gap is short, at least
        the shortest duration where there is room, never into the next cue.
    """
    speech_end = max(speech_end, start + 1)
    ceiling = following - profile.min_gap_ms if following is not None else duration_ms
    longest = max(speech_end, start + profile.max_ms)  # speech is never cut short
    end = max(speech_end, min(start + profile.min_ms, ceiling))
    if following is not None and ceiling - end <= profile.chain_gap_ms - profile.min_gap_ms:
        end = ceiling  # chain: close a short gap (after any stretch) to exactly 2 frames
        if end > longest:  # that would pass 7 s: leave a gap too long to chain instead
            end = max(following - profile.chain_gap_ms - 1, start + profile.min_ms, speech_end)
    end = min(end, longest, ceiling, duration_ms)
    return max(end, start + 1)
