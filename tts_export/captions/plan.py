"""Cue planning: one or more placed utterances of one speaker in; their cues, timed, out.

The display text is cut into atoms (see ``linebreak``); a dynamic programme
then groups atoms into cues of at most ``max_lines`` lines of ``max_chars``
width, preferring breaks after punctuation, fewer cues, balanced (in Chinese
bottom-heavy) lines and durations inside the profile's limits. Times come
from each clip (see ``timing.Clock``).

Usually a unit is one utterance. When a cue would be too short to read and
cannot be stretched (the next speech starts too soon), ``cues`` plans
neighbouring sentences of the same speaker as one unit: a cue may then hold
the end of one sentence and the start of the next, at a cost, and a cue
that could not be shown for 5/6 s costs more.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from tts_export.captions.linebreak import Atom, Breaker, cut_atoms, normalize
from tts_export.captions.profiles import CaptionProfile
from tts_export.captions.speakers import JoinedCue
from tts_export.captions.timing import Clock, duration_cost
from tts_export.common.lang import display_width
from tts_export.models import Cue, Placement

_CUE_COST = 10.0
_CUE_BREAK_WEIGHT = 3.0
_CROSSING_COST = 12.0  # a cue holding two sentences: only to avoid an unreadable cue
_SHORT_COST = 40.0  # a cue that cannot be shown for the shortest duration

Planned = tuple[Cue, str | None]
"""A cue and how its text continues into the next cue of its unit on one line (None: last)."""


def speaks(placement: Placement, language: str) -> bool:
    """True when the utterance has something to read (not punctuation alone)."""
    return any(ch.isalnum() for ch in normalize(placement.utterance.display, language))


def plan_unit(
    placements: Sequence[Placement],
    language: str,
    profile: CaptionProfile,
    label: str,
    *,
    limit_ms: int | None = None,
) -> list[Planned] | None:
    """Cues for consecutive utterances of one speaker, timed on the programme.

    Args:
        placements: one utterance, or neighbouring utterances of one speaker.
        language: "zh" or "en".
        profile: line, duration and gap limits.
        label: the speaker label shown on the first cue ("" for none); its
            width is kept free on the first line.
        limit_ms: where the next speech starts after the unit; given, a cue
            that could not be shown for ``profile.min_ms`` costs more.

    Returns:
        The cues with their continuation separators, or None when the
        utterances cannot be planned together (a word runs across them).
    """
    texts = [normalize(p.utterance.display, language) for p in placements]
    spoken = [(p, t) for p, t in zip(placements, texts, strict=True) if any(c.isalnum() for c in t)]
    if not spoken:
        return []  # only punctuation (a stray closing quote): nothing to read
    text = " ".join(t for _, t in spoken)
    offsets = list(itertools.accumulate((len(t) + 1 for _, t in spoken), initial=0))
    reserve = min(display_width(label, language), profile.max_chars / 2) if label else 0.0
    atoms = cut_atoms(text, language, profile.max_chars - reserve)
    if not atoms:
        return []
    owner = [_owner(atom, offsets) for atom in atoms]
    if None in owner:
        return None
    owners = [k for k in owner if k is not None]
    breaker = Breaker(atoms, language, profile.max_chars)
    junctions = frozenset(i for i in range(len(atoms) - 1) if owners[i] != owners[i + 1])
    for i in junctions:
        breaker.brk[i] = 0.0  # a sentence ends here whatever its punctuation
    clocks = [Clock(t, p) for p, t in spoken]
    starts = [_at(clocks, spoken, offsets, owners[k], a.start) for k, a in enumerate(atoms)]
    ends = [_at(clocks, spoken, offsets, owners[k], a.end) for k, a in enumerate(atoms)]
    timing = _Timing(starts, ends, junctions, limit_ms)
    plan = _plan_cues(breaker, timing, profile, reserve)
    out: list[Planned] = []
    for index, (i, j, breaks) in enumerate(plan):
        lines = tuple(breaker.render(a, b) for a, b in itertools.pairwise((i, *breaks, j)))
        lines = tuple(line for line in lines if line)
        ids = tuple(dict.fromkeys(spoken[owners[k]][0].utterance.id for k in range(i, j)))
        first = spoken[owners[i]][0].utterance
        fields = (starts[i], max(ends[j - 1], starts[i] + 1), first.speaker, lines)
        shown = bool(label) and index == 0
        cue: Cue = Cue(*fields, shown, "speech", first.id)
        if len(ids) > 1:
            voices = (first.speaker,) * len(lines)
            labels = (shown, *([False] * (len(lines) - 1)))
            cue = JoinedCue(
                *fields, shown, "speech", first.id, voices=voices, labels=labels, utterance_ids=ids
            )
        out.append((cue, _continuation(breaker, j)))
    return out


def _owner(atom: Atom, offsets: list[int]) -> int | None:
    """Index of the utterance an atom belongs to; None when it runs across two."""
    for k in range(len(offsets) - 1):
        if offsets[k] <= atom.start and atom.end <= offsets[k + 1] - 1:
            return k
    return None


def _at(
    clocks: list[Clock],
    spoken: list[tuple[Placement, str]],
    offsets: list[int],
    owner: int,
    offset: int,
) -> int:
    """Programme time at which character ``offset`` of the unit's text is heard."""
    return spoken[owner][0].start_ms + clocks[owner].at(offset - offsets[owner])


def _continuation(breaker: Breaker, stop: int) -> str | None:
    """How the text before atom ``stop`` continues on the same line: a space or nothing."""
    if stop >= len(breaker.atoms):
        return None
    return " " if breaker.mid[stop - 1].endswith(" ") or breaker.ws[stop] else ""


class _Timing:
    """Atom times of a unit and what a cue from atom ``i`` to ``j`` costs in time."""

    def __init__(
        self, starts: list[int], ends: list[int], junctions: frozenset[int], limit: int | None
    ) -> None:
        self.starts, self.ends, self.junctions, self.limit = starts, ends, junctions, limit

    def cost(self, i: int, j: int, profile: CaptionProfile) -> float:
        """Duration cost, plus ``extra``."""
        return duration_cost(self.ends[j - 1] - self.starts[i], profile) + self.extra(i, j, profile)

    def extra(self, i: int, j: int, profile: CaptionProfile) -> float:
        """The cost of crossing sentences and of a cue too short to show (0 for one sentence)."""
        cost = _CROSSING_COST * sum(1 for k in self.junctions if i <= k < j - 1)
        if self.limit is not None:
            following = self.starts[j] if j < len(self.starts) else self.limit
            if following - profile.min_gap_ms - self.starts[i] < profile.min_ms:
                cost += _SHORT_COST
        return cost


def _plan_cues(
    breaker: Breaker, timing: _Timing, profile: CaptionProfile, reserve: float
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Group atoms into cues by dynamic programming: (first, stop, line breaks) per cue."""
    n = len(breaker.atoms)
    starts, ends = timing.starts, timing.ends
    whole = breaker.fit(0, n, profile.max_lines, reserve)
    if (
        whole is not None
        and whole[0] < _CUE_COST / 2
        and ends[-1] - starts[0] <= profile.max_ms
        and not timing.extra(0, n, profile)
    ):
        return [(0, n, whole[1])]  # fast path: the text fits one cue well
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
            cost += timing.cost(i, j, profile)
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
