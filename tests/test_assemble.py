"""Assemble: pauses by context, placements from measured clip lengths, chapters."""

from __future__ import annotations

from typing import Literal

from hypothesis import given
from hypothesis import strategies as st

from tts_export.audio import assemble
from tts_export.models import Clip, Pauses, Script, Transcript, Utterance

P = Pauses(
    sentence=100, same_speaker=200, speaker_change=300, section=1000, head=50, tail=70, sound=400
)


def _utt(
    i: int, section: int, turn: int, speaker: str, kind: Literal["speech", "sound"] = "speech"
) -> Utterance:
    title = f"S{section}" if section else None
    return Utterance(
        id=f"u{i}",
        section=title,
        speaker=speaker,
        display="x",
        spoken="x" if kind == "speech" else "",
        line=i,
        turn_index=turn,
        section_index=section,
        kind=kind,
    )


def _clip(uid: str, ms: int) -> Clip:
    return Clip(uid, "/dev/null", 24000, ms, (), "e", "v", cached=False)


def test_pauses_follow_context() -> None:
    utts = [
        _utt(0, 0, 0, "A"),
        _utt(1, 0, 0, "A"),
        _utt(2, 0, 1, "A"),
        _utt(3, 0, 2, "B"),
        _utt(4, 1, 3, "B"),
        _utt(5, 1, 3, "B", kind="sound"),
    ]
    clips = {u.id: _clip(u.id, 1000) for u in utts if u.kind == "speech"}
    script = Script(Transcript("t", {}, ()), tuple(utts))
    tl = assemble(script, clips, pauses=P, intro_title="Intro")
    starts = [p.start_ms for p in tl.placements]
    assert starts == [50, 1150, 2350, 3650, 5650, 6750]
    assert tl.placements[-1].clip is None and tl.placements[-1].end_ms == 7150
    assert tl.duration_ms == 7150 + 70
    assert [(c.title, c.start_ms, c.end_ms) for c in tl.chapters] == [
        ("Intro", 0, 5650),
        ("S1", 5650, 7220),
    ]


@given(
    st.lists(
        st.tuples(st.integers(1, 20000), st.booleans(), st.booleans()), min_size=1, max_size=40
    )
)
def test_timeline_is_ordered_and_ends_after_last_clip(items: list[tuple[int, bool, bool]]) -> None:
    utts, clips, turn, section = [], {}, 0, 0
    for i, (ms, new_turn, new_section) in enumerate(items):
        turn += new_turn
        section += new_section
        u = _utt(i, section, turn, "AB"[turn % 2])
        utts.append(u)
        clips[u.id] = _clip(u.id, ms)
    tl = assemble(Script(Transcript("t", {}, ()), tuple(utts)), clips, pauses=P, intro_title="I")
    assert tl.placements[0].start_ms == P.head
    for prev, p in zip(tl.placements, tl.placements[1:], strict=False):
        assert p.start_ms >= prev.end_ms + P.sentence
    for p in tl.placements:
        assert p.end_ms - p.start_ms == clips[p.utterance.id].duration_ms
    assert tl.duration_ms == tl.placements[-1].end_ms + P.tail
    assert all(a.end_ms == b.start_ms for a, b in zip(tl.chapters, tl.chapters[1:], strict=False))
