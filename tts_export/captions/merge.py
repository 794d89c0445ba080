"""Short-cue merging: cues timed on the speech in; cues none shorter than 5/6 s where avoidable out.

A cue shorter than the profile's minimum (Netflix: 5/6 s) that could not be
stretched (the next cue starts too soon) is joined with a neighbour: with a
cue of the same speaker on one line or as a second line, or, across a change
of speaker, as a two-speaker cue with one line per speaker, each led by a
hyphen (Netflix, BBC). A join is made only when the result keeps every other
rule: line width (speaker labels and hyphens counted), lines per cue, the
longest cue (7 s) and reading speed (or, where the voice speaks faster than
the limit, the pace of the speech itself: no caption can be slower). After
each round of joins the cues are retimed, so the 2-frame gaps and chaining
still hold.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tts_export.captions.profiles import CaptionProfile
from tts_export.captions.speakers import JoinedCue, SpeakerLine, shown_line, speaker_lines
from tts_export.captions.timing import retime, shown_end
from tts_export.common.lang import display_width, is_chinese
from tts_export.models import Cue

_NO_SPACE_AFTER = frozenset("？！⋯…；：、?!")  # full-width marks that end a clause themselves
_WORD = re.compile(r"[A-Za-z0-9'’]+")


@dataclass(frozen=True)
class _Item:
    """A cue timed on the speech and how its text continues into the next cue on one line.

    ``join``: the separator when the next cue is of the same utterance (a
    space or nothing, as the line breaker set it); None after an utterance's
    last cue, where the language decides.
    """

    cue: Cue
    join: str | None


def merge_short(
    cues: Sequence[Cue],
    joins: Sequence[str | None],
    *,
    profile: CaptionProfile,
    duration_ms: int,
) -> tuple[Cue, ...]:
    """Retime the cues, joining each one too short to read with a neighbour where rules allow.

    Args:
        cues: the cues in programme order, timed on the speech (before ``retime``).
        joins: per cue, the separator that continues its text into the next cue
            of the same utterance on one line; None after an utterance's last cue.
        profile: line, duration, reading-speed and gap limits.
        duration_ms: the programme length; no cue ends after it.

    Returns:
        The retimed cues; a joined cue is a ``JoinedCue``.

    Raises:
        ValueError: ``cues`` and ``joins`` differ in length.
    """
    if len(cues) != len(joins):
        raise ValueError("one join per cue")
    items = [_Item(cue, join) for cue, join in zip(cues, joins, strict=True)]
    while True:
        timed = retime([item.cue for item in items], profile, duration_ms)
        plan = _plan(items, timed, profile, duration_ms)
        if not plan:
            return timed
        for first, joined in sorted(plan.items(), reverse=True):
            items[first : first + 2] = [_Item(joined, items[first + 1].join)]


def _plan(
    items: list[_Item], timed: Sequence[Cue], profile: CaptionProfile, duration_ms: int
) -> dict[int, Cue]:
    """This round's joins, none sharing a cue: index of the first cue -> the joined cue."""
    plan: dict[int, Cue] = {}
    used: set[int] = set()
    for index, cue in enumerate(timed):
        if cue.kind != "speech" or cue.end_ms - cue.start_ms >= profile.min_ms or index in used:
            continue
        best: tuple[tuple[int, ...], int, Cue] | None = None
        for first in (index - 1, index):  # the cue before first: a tag question joins back
            if first < 0 or first + 1 >= len(items) or {first, first + 1} & used:
                continue
            start = timed[first].start_ms
            speech = max(items[first].cue.end_ms, items[first + 1].cue.end_ms)
            following = timed[first + 2].start_ms if first + 2 < len(timed) else None
            span = shown_end(start, speech, following, profile, duration_ms) - start
            limits = _paced(profile, (items[first].cue, items[first + 1].cue), speech - start)
            found = _join(items[first], items[first + 1].cue, span, limits)
            if found is not None and (best is None or found[0] < best[0]):
                best = (found[0], first, found[1])
        if best is not None:
            plan[best[1]] = best[2]
            used |= {best[1], best[1] + 1}
    return plan


def _join(
    item: _Item, after: Cue, span_ms: int, profile: CaptionProfile
) -> tuple[tuple[int, ...], Cue] | None:
    """The best way to show two neighbouring cues as one, and its rank; None when none fits."""
    cue = item.cue
    if cue.kind != "speech" or after.kind != "speech" or span_ms > profile.max_ms:
        return None
    left, right = _lines(cue), _lines(after)
    options: list[list[SpeakerLine]] = [[*left, *right]]
    if left[-1].speaker == right[0].speaker:
        sep = item.join if item.join is not None else _separator(left[-1].text, profile.language)
        one = replace(left[-1], text=left[-1].text + sep + right[0].text)
        options.append([*left[:-1], one, *right[1:]])
    best: tuple[tuple[int, ...], list[SpeakerLine]] | None = None
    for lines in options:
        rank = _rank(lines, span_ms, profile)
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, lines)
    if best is None:
        return None
    lines = best[1]
    return best[0], JoinedCue(
        cue.start_ms,
        max(after.end_ms, cue.end_ms),
        cue.speaker,
        tuple(line.text for line in lines),
        cue.label,
        "speech",
        cue.utterance_id,
        voices=tuple(line.speaker for line in lines),
        labels=tuple(line.label for line in lines),
        utterance_ids=tuple(dict.fromkeys((*_ids(cue), *_ids(after)))),
    )


def _paced(profile: CaptionProfile, cues: Sequence[Cue], speech_ms: int) -> CaptionProfile:
    """The reading-speed limits a join must keep: the profile's, or the speech's own pace.

    A voice that speaks faster than the limit cannot be captioned slower than
    it speaks; a join is then held to the pace of its speech, as heard, less
    the 2 frames a cue gives up when the next one starts as its speech ends.
    """
    text = " ".join(shown_line(x, profile.language) for cue in cues for x in speaker_lines(cue))
    span = max(speech_ms - profile.min_gap_ms, 1)
    cps = display_width(text, profile.language) * 1000 / span
    wpm = len(_WORD.findall(text)) * 60_000 / span
    return replace(
        profile,
        max_cps=max(profile.max_cps, cps),
        max_wpm=None if profile.max_wpm is None else max(profile.max_wpm, wpm),
    )


def _lines(cue: Cue) -> list[SpeakerLine]:
    return [replace(line, dash=False) for line in speaker_lines(cue)]


def _ids(cue: Cue) -> tuple[str, ...]:
    return cue.utterance_ids if isinstance(cue, JoinedCue) else (cue.utterance_id,)


def _separator(text: str, language: str) -> str:
    """Between two utterances set on one line: a space, none after a full-width ？ or ！ (zh)."""
    if is_chinese(language) and text and text[-1] in _NO_SPACE_AFTER:
        return ""
    return " "


def _rank(
    lines: list[SpeakerLine], span_ms: int, profile: CaptionProfile
) -> tuple[int, ...] | None:
    """Lower is better: a single speaker, fewer lines, a zh top line no longer than the bottom.

    None when the layout breaks a rule: too many lines, a speaker's part over
    more than one line in a two-speaker cue, a line too wide, reading too fast.
    """
    voices = [line.speaker for line in lines]
    dialogue = len(set(voices)) > 1
    if len(lines) > profile.max_lines:
        return None
    if dialogue and any(a == b for a, b in itertools.pairwise(voices)):
        return None  # each speaker's part of a two-speaker cue is one hyphenated line
    shown = [
        shown_line(
            SpeakerLine(line.speaker, line.text, line.label, dialogue),
            profile.language,
        )
        for line in lines
    ]
    widths = [display_width(text, profile.language) for text in shown]
    if max(widths) > profile.max_chars:
        return None
    if _too_fast(shown, span_ms, profile):
        return None
    top_longer = is_chinese(profile.language) and len(widths) == 2 and widths[0] > widths[1]
    return (int(dialogue), len(lines), int(top_longer))


def reads_too_fast(
    cue: Cue, span_ms: int, profile: CaptionProfile, *, speech_ms: int | None = None
) -> bool:
    """True when the cue's visible text (labels, hyphens) over ``span_ms`` beats the reading speed.

    Args:
        cue: a plain or joined cue; its first line's label as ``cue.label`` says.
        span_ms: how long the cue is shown.
        profile: characters per second (and words per minute) limits.
        speech_ms: how long its speech lasts; given, a voice faster than the
            limits sets them (see ``_paced``).
    """
    if speech_ms is not None:
        profile = _paced(profile, (cue,), speech_ms)
    return _too_fast(
        [shown_line(x, profile.language) for x in speaker_lines(cue)], span_ms, profile
    )


def _too_fast(shown: Sequence[str], span_ms: int, profile: CaptionProfile) -> bool:
    text = " ".join(shown)
    if display_width(text, profile.language) * 1000 > profile.max_cps * span_ms:
        return True
    words = len(_WORD.findall(text))
    return profile.max_wpm is not None and words * 60_000 > profile.max_wpm * span_ms
