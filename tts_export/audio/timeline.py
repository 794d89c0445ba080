"""Assemble: a Script and its clips in, a ``Timeline`` out (integer ms).

Places each clip after a pause chosen by context — another sentence of the
same turn, a new turn by the same or another speaker, a new section — with
room tone at the head and tail. Times come from the clips' measured lengths,
never from an estimate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from tts_export.models import Chapter, Clip, Pauses, Placement, Script, Timeline, Utterance


def pause_before(previous: Utterance | None, current: Utterance, pauses: Pauses) -> int:
    """The silence in ms between ``previous`` and ``current``."""
    if previous is None:
        return pauses.head
    if current.section_index != previous.section_index:
        return pauses.section
    if current.turn_index != previous.turn_index:
        return pauses.same_speaker if current.speaker == previous.speaker else pauses.speaker_change
    return pauses.sentence


def assemble(
    script: Script,
    clips: Mapping[str, Clip],
    *,
    pauses: Pauses,
    intro_title: str,
) -> Timeline:
    """Lay the clips out on one programme.

    Args:
        script: the utterances in order.
        clips: utterance id → clip for every spoken utterance.
        pauses: the pause settings.
        intro_title: chapter title for speech before the first heading.

    Returns:
        The timeline; its sample rate is the one most clips have.
    """
    placements: list[Placement] = []
    cursor = 0
    previous: Utterance | None = None
    for u in script.utterances:
        clip = clips.get(u.id)
        if u.kind == "speech" and clip is None:
            continue  # nothing to place: the synth stage already reported it
        cursor += pause_before(previous, u, pauses)
        length = clip.duration_ms if clip is not None else pauses.sound
        placements.append(
            Placement(utterance=u, clip=clip, start_ms=cursor, end_ms=cursor + length)
        )
        cursor += length
        previous = u
    duration = cursor + pauses.tail if placements else 0
    rates = Counter(c.sample_rate for c in clips.values())
    sample_rate = rates.most_common(1)[0][0] if rates else 24000
    return Timeline(
        placements=tuple(placements),
        chapters=_chapters(placements, duration, intro_title),
        duration_ms=duration,
        sample_rate=sample_rate,
    )


def _chapters(placements: list[Placement], duration: int, intro_title: str) -> tuple[Chapter, ...]:
    """One chapter per section that has something placed, when any section has a title."""
    starts: list[tuple[str, int]] = []
    seen: set[int] = set()
    for p in placements:
        index = p.utterance.section_index
        if index in seen:
            continue
        seen.add(index)
        title = p.utterance.section or intro_title
        # The first chapter also covers the head room tone, so it starts at 0.
        starts.append((title, 0 if not starts else p.start_ms))
    if not any(p.utterance.section for p in placements):
        return ()
    ends = [start for _, start in starts[1:]] + [duration]
    return tuple(
        Chapter(title, start, end) for (title, start), end in zip(starts, ends, strict=True)
    )
