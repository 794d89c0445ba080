"""Cue building: a ``Timeline`` in, caption ``Cue``s out (integer ms).

Each utterance is planned into cues on its own (see ``plan``): line breaks
and cue breaks chosen by a dynamic programme, times from the clip's word or
sentence boundaries. A timing pass then keeps 2-frame gaps, chains short
gaps and stretches short cues into the silence that follows (``timing``).
A cue still too short to read (under 5/6 s, the next speech too close) is
fixed in two steps: its sentence is planned again together with a
neighbouring sentence of the same speaker, so a cue may hold the end of one
and the start of the other; what is left is joined with a neighbouring cue,
across a change of speaker as a two-speaker cue (see ``merge``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tts_export.captions.merge import merge_short, reads_too_fast
from tts_export.captions.plan import Planned, plan_unit
from tts_export.captions.profiles import CaptionProfile, language_key
from tts_export.captions.speakers import JoinedCue, speaker_label
from tts_export.captions.timing import retime
from tts_export.models import Cue, Placement, Timeline


@dataclass(frozen=True)
class _Unit:
    """Utterances planned together (usually one), the label they open with, their cues."""

    placements: tuple[Placement, ...]
    label: str
    planned: tuple[Planned, ...]

    @property
    def speech(self) -> bool:
        return bool(self.planned) and self.planned[0][0].kind == "speech"


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
        Cues in time order; the first cue of each new speaker has
        ``label=True``; sound cues have ``kind="sound"``. A cue that holds
        more than one sentence, or two speakers, is a ``JoinedCue``.

    Raises:
        Nothing of its own: empty timelines give no cues.
    """
    lang = language_key(language)
    units: list[_Unit] = []
    last_speaker: str | None = None
    for placement in sorted(timeline.placements, key=lambda p: p.start_ms):
        if placement.clip is None or placement.utterance.kind == "sound":
            units.append(_Unit((placement,), "", ((_sound_cue(placement), None),)))
            continue
        speaker = placement.utterance.speaker
        label = speaker_label(speaker, lang) if speaker != last_speaker else ""
        made = plan_unit([placement], lang, profile, label) or []
        if made:
            last_speaker = speaker
        units.append(_Unit((placement,), label, tuple(made)))
    units = _replan_short(units, lang, profile, timeline.duration_ms)
    planned = [item for unit in units for item in unit.planned]
    return merge_short(
        [cue for cue, _ in planned],
        [join for _, join in planned],
        profile=profile,
        duration_ms=timeline.duration_ms,
    )


def _measure(
    units: Sequence[_Unit], profile: CaptionProfile, duration_ms: int
) -> tuple[list[int], set[int]]:
    """After retiming: the units holding a speech cue too short to show, in order, and
    the units holding a cue over several sentences that reads too fast (faster than
    the limit and than its own speech)."""
    owners = [n for n, unit in enumerate(units) for _ in unit.planned]
    planned = [cue for unit in units for cue, _ in unit.planned]
    timed = retime(planned, profile, duration_ms)
    short: dict[int, None] = {}
    fast: set[int] = set()
    for owner, cue, heard in zip(owners, timed, planned, strict=True):
        span = cue.end_ms - cue.start_ms
        if cue.kind == "speech" and span < profile.min_ms:
            short[owner] = None
        speech = heard.end_ms - heard.start_ms
        if isinstance(cue, JoinedCue) and reads_too_fast(cue, span, profile, speech_ms=speech):
            fast.add(owner)
    return list(short), fast


def _replan_short(
    units: list[_Unit], language: str, profile: CaptionProfile, duration_ms: int
) -> list[_Unit]:
    """Plan each sentence holding a too-short cue together with a neighbour of its speaker.

    A new plan is kept only when it leaves fewer too-short cues than there
    were, and none of its cues over two sentences reads too fast.
    """
    tried: set[tuple[Placement, ...]] = set()
    while True:
        found, _ = _measure(units, profile, duration_ms)
        short = [n for n in found if units[n].placements not in tried]
        if not short:
            return units
        n = short[0]
        tried.add(units[n].placements)
        for first, stop in ((n - 1, n + 1), (n, n + 2), (n - 1, n + 2)):
            unit = _joint(units, first, stop, language, profile, duration_ms)
            if unit is None:
                continue
            trial = [*units[:first], unit, *units[stop:]]
            still, fast = _measure(trial, profile, duration_ms)
            if len(still) < len(found) and first not in fast:
                units = trial
                break


def _joint(
    units: Sequence[_Unit],
    first: int,
    stop: int,
    language: str,
    profile: CaptionProfile,
    duration_ms: int,
) -> _Unit | None:
    """Units ``first..stop-1`` planned as one, or None when they are not one speaker's speech."""
    if first < 0 or stop > len(units):
        return None
    group = units[first:stop]
    speakers = {p.utterance.speaker for unit in group for p in unit.placements}
    if len(speakers) != 1 or not all(unit.speech for unit in group):
        return None
    following = next((u.planned[0][0].start_ms for u in units[stop:] if u.planned), None)
    limit = following if following is not None else duration_ms + profile.min_gap_ms
    placements = tuple(p for unit in group for p in unit.placements)
    made = plan_unit(placements, language, profile, group[0].label, limit_ms=limit)
    if not made:
        return None
    return _Unit(placements, group[0].label, tuple(made))
