"""Cue building: a ``Timeline`` in, caption ``Cue``s out (integer ms).

Each utterance's display text is cut into atoms (see ``linebreak``); a
dynamic programme then groups atoms into cues of at most ``max_lines`` lines
of ``max_chars`` width, preferring breaks after punctuation, fewer cues,
balanced (in Chinese bottom-heavy) lines and durations inside the profile's
limits. Times come from the clip (see ``timing``): its word or sentence
boundaries where the engine gave them, otherwise proportional to characters,
then a timing pass keeps 2-frame gaps, chains short gaps and stretches short
cues into the silence that follows.
"""

from __future__ import annotations

import itertools

from tts_export.captions.linebreak import Breaker, cut_atoms, normalize
from tts_export.captions.profiles import CaptionProfile, language_key
from tts_export.captions.speakers import speaker_label
from tts_export.captions.timing import Clock, duration_cost, retime
from tts_export.lang import display_width
from tts_export.models import Cue, Placement, Timeline

_CUE_COST = 10.0
_CUE_BREAK_WEIGHT = 3.0


def _utterance_cues(
    placement: Placement, language: str, profile: CaptionProfile, label: str
) -> list[Cue]:
    """Cues for one spoken utterance, timed on the programme."""
    text = normalize(placement.utterance.display, language)
    if not any(ch.isalnum() for ch in text):
        return []  # only punctuation (a stray closing quote): nothing to read
    reserve = min(display_width(label, language), profile.max_chars / 2) if label else 0.0
    atoms = cut_atoms(text, language, profile.max_chars - reserve)
    if not atoms:
        return []
    breaker = Breaker(atoms, language, profile.max_chars)
    clock = Clock(text, placement)
    starts = [clock.at(a.start) for a in atoms]
    ends = [clock.at(a.end) for a in atoms]
    plan = _plan_cues(breaker, starts, ends, profile, reserve)
    cues: list[Cue] = []
    for index, (i, j, breaks) in enumerate(plan):
        edges = (i, *breaks, j)
        lines = tuple(breaker.render(a, b) for a, b in itertools.pairwise(edges))
        cues.append(
            Cue(
                start_ms=placement.start_ms + starts[i],
                end_ms=placement.start_ms + max(ends[j - 1], starts[i] + 1),
                speaker=placement.utterance.speaker,
                lines=tuple(line for line in lines if line),
                label=bool(label) and index == 0,
                utterance_id=placement.utterance.id,
            )
        )
    return cues


def _plan_cues(
    breaker: Breaker,
    starts: list[int],
    ends: list[int],
    profile: CaptionProfile,
    reserve: float,
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Group atoms into cues by dynamic programming: (first, stop, line breaks) per cue."""
    n = len(breaker.atoms)
    whole = breaker.fit(0, n, profile.max_lines, reserve)
    if whole is not None and whole[0] < _CUE_COST / 2 and ends[-1] - starts[0] <= profile.max_ms:
        return [(0, n, whole[1])]  # fast path: the sentence fits one cue well
    capacity = profile.max_chars * profile.max_lines
    best: list[tuple[float, int, tuple[int, ...]]] = [(0.0, -1, ())]
    for j in range(1, n + 1):
        choice: tuple[float, int, tuple[int, ...]] | None = None
        for i in range(j - 1, -1, -1):
            room = reserve if i == 0 else 0.0
            if breaker.width(i, j) + room > capacity and choice is not None:
                break
            layout = breaker.fit(i, j, profile.max_lines, room)
            if layout is None:
                continue
            cost = best[i][0] + _CUE_COST + layout[0]
            cost += _CUE_BREAK_WEIGHT * breaker.brk[j - 1] if j < n else 0.0
            cost += duration_cost(ends[j - 1] - starts[i], profile)
            if choice is None or cost < choice[0]:
                choice = (cost, i, layout[1])
        if choice is None:  # cannot happen after _split_long_atoms; keep one atom per cue
            choice = (best[j - 1][0] + 1000.0, j - 1, ())
        best.append(choice)
    plan: list[tuple[int, int, tuple[int, ...]]] = []
    j = n
    while j > 0:
        _, i, breaks = best[j]
        plan.append((i, j, breaks))
        j = i
    return plan[::-1]


def _sound_cue(placement: Placement) -> Cue:
    """A non-speech caption such as ``[笑]`` over its own slot."""
    text = " ".join(placement.utterance.display.split())
    return Cue(
        start_ms=placement.start_ms,
        end_ms=max(placement.end_ms, placement.start_ms + 1),
        speaker=placement.utterance.speaker,
        lines=(text,),
        kind="sound",
        utterance_id=placement.utterance.id,
    )


def build_cues(timeline: Timeline, *, language: str, profile: CaptionProfile) -> tuple[Cue, ...]:
    """Caption cues for a whole timeline.

    Args:
        timeline: placed clips and sound cues, in programme order.
        language: "zh" (or any zh-* tag) or another language (English rules).
        profile: line, duration and gap limits (see ``caption_profiles``).

    Returns:
        Cues in time order, one speaker per cue; the first cue of each new
        speaker has ``label=True``; sound cues have ``kind="sound"``.

    Raises:
        Nothing of its own: empty timelines give no cues.
    """
    lang = language_key(language)
    cues: list[Cue] = []
    last_speaker: str | None = None
    for placement in sorted(timeline.placements, key=lambda p: p.start_ms):
        if placement.clip is None or placement.utterance.kind == "sound":
            cues.append(_sound_cue(placement))
            continue
        speaker = placement.utterance.speaker
        label = speaker_label(speaker, lang) if speaker != last_speaker else ""
        made = _utterance_cues(placement, lang, profile, label)
        if made:
            last_speaker = speaker
        cues.extend(made)
    return retime(cues, profile, timeline.duration_ms)
