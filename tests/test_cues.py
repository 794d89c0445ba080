"""Cue building: timing from real boundaries, line breaking, profile limits."""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path

import jieba
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tts_export.captions import profiles
from tts_export.captions.cues import build_cues
from tts_export.captions.profiles import CaptionProfile, get_profile
from tts_export.captions.speakers import (
    JoinedCue,
    is_dialogue,
    shown_line,
    speaker_lines,
)
from tts_export.common.lang import display_width, has_han
from tts_export.errors import ConfigError
from tts_export.models import Boundary, Clip, Cue, Placement, Timeline, Utterance

jieba.setLogLevel(logging.WARNING)  # the tests call jieba directly too
SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ca70ea49c8ed113c.txt"
ZH = get_profile("netflix", language="zh", max_chars=None, max_lines=None)
EN = get_profile("netflix", language="en", max_chars=None, max_lines=None)
_DROPPED = re.compile(r"[，。,.\s]|…|⋯")


def seed_sentences() -> list[tuple[str, str]]:
    """(speaker, sentence) pairs from the seed, bold markers and glossary notes removed."""
    body = SEED.read_text(encoding="utf-8").split("---", 2)[2]
    out: list[tuple[str, str]] = []
    for line in body.splitlines():
        match = re.match(r"^(\S{1,6}?)[:：]\s*(.+)$", line)
        if not match:
            continue
        text = re.sub(r"\*\*([^*]+)\*\*（[^）]*）", r"\1", match.group(2)).replace("**", "")
        for sentence in re.findall(r"[^。！？]+[。！？]?", text):
            if sentence.strip():
                out.append((match.group(1), sentence.strip()))
    return out


SENTENCES = seed_sentences()
EN_SENTENCES = [
    "We talked to Sam Altman about the new video app and the way it copies TikTok.",
    "Honestly, I think the physics engine is the part that surprised me the most, "
    "because nobody expected it to handle water, light and crowds this well.",
    "OK.",
    "The real question is whether the commerce loop will work for OpenAI or not.",
    "If Amazon spent thirty years building an empire, a single app could knock down one "
    "of its walls in a matter of months, and that is what people are worried about.",
]


def utter(i: int, speaker: str, text: str, kind: str = "speech") -> Utterance:
    return Utterance(f"u{i:04d}", None, speaker, text, text, i, i, 0, kind)  # type: ignore[arg-type]


def make_timeline(
    items: list[tuple[str, str]],
    *,
    ms_per_char: int = 220,
    pause: int = 300,
    words: bool = False,
    lead_ms: int = 0,
    tail: int = 500,
) -> Timeline:
    """A timeline of spoken utterances; ``words`` adds jieba/space word boundaries."""
    placements = []
    cursor = 400
    for i, (speaker, text) in enumerate(items):
        if text.startswith("["):
            u = utter(i, speaker, text, "sound")
            placements.append(Placement(u, None, cursor, cursor + 1000))
            cursor += 1000 + pause
            continue
        bounds: tuple[Boundary, ...] = ()
        speech = max(len(text) * ms_per_char, 300)
        if words:
            pieces = [w for w in (jieba.lcut(text) if has_han(text) else text.split()) if w.strip()]
            t = lead_ms
            step = speech // max(1, len(pieces))
            out = []
            for n, piece in enumerate(pieces):
                long = step * 3 if n == len(pieces) // 2 else step  # uneven pace
                out.append(Boundary(t, t + long, piece))
                t += long
            bounds = tuple(out)
            speech = t
        elif lead_ms:
            bounds = (Boundary(lead_ms, lead_ms + speech, text),)
        duration = speech + lead_ms + 100
        clip = Clip(f"u{i:04d}", "x.wav", 24000, duration, bounds, "test", "v", False)
        placements.append(Placement(utter(i, speaker, text), clip, cursor, cursor + duration))
        cursor += duration + pause
    return Timeline(tuple(placements), (), cursor - pause + tail, 24000)


def speech_start(p: Placement) -> int:
    assert p.clip is not None
    return p.start_ms + (p.clip.boundaries[0].start_ms if p.clip.boundaries else 0)


def assert_valid(
    cues: tuple[Cue, ...], timeline: Timeline, profile: CaptionProfile, lang: str
) -> None:
    """Every rule the cue builder promises, measured on its output."""
    by_id = {p.utterance.id: p for p in timeline.placements}
    assert cues, "no cues"
    last_speaker = None
    for n, cue in enumerate(cues):
        assert cue.end_ms > cue.start_ms
        assert 1 <= len(cue.lines) <= profile.max_lines
        placement = by_id[cue.utterance_id]
        assert cue.speaker == placement.utterance.speaker
        ids = utterance_ids(cue)
        lines = speaker_lines(cue)
        assert {line.speaker for line in lines} == {by_id[i].utterance.speaker for i in ids}
        for line in lines:
            width = display_width(shown_line(line, lang), lang)
            assert width <= profile.max_chars, (cue.lines, width)
            if lang == "zh":
                assert line.text[-1] not in "，。,", line
                assert line.text == line.text.strip()
            if cue.kind == "speech":
                if line.speaker != last_speaker:
                    assert line.label, f"speaker change without label at cue {n}"
                last_speaker = line.speaker
        if is_dialogue(cue):  # one hyphenated line per speaker (Netflix, BBC)
            assert len({line.speaker for line in lines}) == len(lines) == 2
            assert all(line.dash for line in lines)
        if n + 1 < len(cues):
            nxt = cues[n + 1]
            assert nxt.start_ms - cue.end_ms >= profile.min_gap_ms
        assert cue.end_ms <= timeline.duration_ms
        assert cue.end_ms - cue.start_ms <= profile.max_ms or len(ids) == 1
    # a cue starts within 100 ms of its speech: the first cue of each utterance; an
    # utterance joined into a cue that began earlier is spoken while that cue shows
    firsts: dict[str, Cue] = {}
    for cue in cues:
        firsts.setdefault(cue.utterance_id, cue)
        for uid in utterance_ids(cue)[1:]:
            if firsts.setdefault(uid, cue) is cue:
                assert cue.start_ms < speech_start(by_id[uid]) < cue.end_ms
    for uid, cue in firsts.items():
        if cue.kind == "speech" and cue.utterance_id == uid:
            assert abs(cue.start_ms - speech_start(by_id[uid])) <= profile.sync_ms
    # text joined back equals the display text, minus the punctuation zh-Hans removes
    spoken = [p for p in by_id.values() if any(ch.isalnum() for ch in p.utterance.display)]
    assert set(firsts) == {p.utterance.id for p in spoken}  # punctuation only: no cue
    joined = "".join("".join(c.lines) for c in cues)
    displays = "".join(p.utterance.display for p in spoken)
    assert _DROPPED.sub("", joined) == _DROPPED.sub("", displays)


def utterance_ids(cue: Cue) -> tuple[str, ...]:
    return cue.utterance_ids if isinstance(cue, JoinedCue) else (cue.utterance_id,)


def test_seed_chinese_cues_meet_every_rule() -> None:
    timeline = make_timeline(SENTENCES[:200], words=True)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert_valid(cues, timeline, ZH, "zh")
    assert len(cues) > 200  # long sentences were split
    durations = [c.end_ms - c.start_ms for c in cues]
    assert max(durations) <= ZH.max_ms
    # where the next speech is far enough away, every cue lasts at least 5/6 s
    assert sum(d < ZH.min_ms for d in durations) <= len(cues) // 20


def test_english_cues_meet_every_rule_and_keep_phrases() -> None:
    items = [("HOST" if i % 2 else "GUEST", s) for i, s in enumerate(EN_SENTENCES)]
    timeline = make_timeline(items, ms_per_char=60, words=True)
    cues = build_cues(timeline, language="en", profile=EN)
    assert_valid(cues, timeline, EN, "en")
    for cue in cues:
        for line in cue.lines:
            last = line.split()[-1].lower()
            assert last not in {"a", "an", "the", "sam"}, cue.lines  # article/name kept whole
    assert any(len(c.lines) == 2 for c in cues)
    assert [c.lines for c in cues if c.utterance_id == "u0002"] == [("OK.",)]


def test_one_line_when_it_fits_and_bottom_heavy_otherwise() -> None:
    short = "抖音危险了，对对。"
    long = "我觉得这个还是几件事情结合起来，还是蛮有的聊的。"
    timeline = make_timeline([("主持人", short), ("主持人", long)])
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert cues[0].lines == ("主持人：抖音危险了 对对"[4:],)
    two = [c for c in cues if c.utterance_id == "u0001"]
    assert len(two) == 1 and len(two[0].lines) == 2
    top, bottom = (display_width(line, "zh") for line in two[0].lines)
    assert top <= bottom
    assert two[0].lines[0].endswith("结合起来") or two[0].lines[0].endswith("事情")


def test_no_break_inside_a_word_number_or_latin_term() -> None:
    texts = [
        "所以GPT-5当时没给我多大震撼，但今天就尤其是这个第三季度最后一天，9月30号临时交作业，"
        "人家能把这两样东西拿出来。",
        "这一次Sora 2的物理引擎非常强大，苦心经营30年的一个帝国真的可能就会被踹倒一面墙。",
        "大概3.5秒10秒的样子，跟这个CP AI的视频结合，你觉得这个事情其实已经验证了吗？",
    ]
    narrow = get_profile("netflix", language="zh", max_chars=8, max_lines=2)
    for profile in (ZH, narrow):
        timeline = make_timeline([("老修", t) for t in texts])
        cues = build_cues(timeline, language="zh", profile=profile)
        assert_valid(cues, timeline, profile, "zh")
        for uid, text in zip(("u0000", "u0001", "u0002"), texts, strict=True):
            pieces = [line for c in cues if c.utterance_id == uid for line in c.lines]
            core = _DROPPED.sub("", text)
            allowed = _word_edges(text)
            offset = 0
            for piece in pieces[:-1]:
                offset += len(_DROPPED.sub("", piece))
                assert offset in allowed, (piece, core[offset - 3 : offset + 3])
            for term in ("GPT-5", "Sora 2", "30", "3.5", "CP AI"):
                if term in text:
                    assert any(term in line for line in pieces), (term, pieces)


def _word_edges(text: str) -> set[int]:
    """Offsets (in text without spaces/commas/stops) where jieba ends a word."""
    edges = {0}
    count = 0
    for word in jieba.lcut(text):
        count += len(_DROPPED.sub("", word))
        edges.add(count)
    return edges


def test_timing_follows_word_boundaries_not_an_estimate() -> None:
    # The second half starts after a long hesitation: proportional timing would
    # put it early; the boundaries put it at the real word.
    text = "我觉得这个还是几件事情结合起来，还是蛮有的聊的。刚刚闲哥体验过了吧，闲哥你觉得怎么样？"
    words = [w for w in jieba.lcut(text)]
    bounds = []
    t = 200
    for w in words:
        if w == "刚刚":
            t += 3000  # hesitation
        bounds.append(Boundary(t, t + 180 * len(w), w))
        t += 180 * len(w)
    clip = Clip("u0000", "x.wav", 24000, t + 50, tuple(bounds), "espeak", "v", False)
    timeline = Timeline(
        (Placement(utter(0, "主持人", text), clip, 1000, 1000 + t + 50),), (), 1000 + t + 550, 24000
    )
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert len(cues) >= 2
    assert cues[0].start_ms == 1000 + 200
    second = next(c for c in cues if c.lines[0].startswith("刚刚"))
    word_start = 1000 + next(b.start_ms for b in bounds if b.text == "刚刚")
    assert abs(second.start_ms - word_start) <= 100
    assert cues[0].end_ms <= second.start_ms - ZH.min_gap_ms


def test_sentence_boundary_with_leading_silence_sets_the_start() -> None:
    timeline = make_timeline([("主持人", "直接搞出来这个东西。")], lead_ms=390)
    cue = build_cues(timeline, language="zh", profile=ZH)[0]
    assert cue.start_ms == timeline.placements[0].start_ms + 390


def test_short_cue_extends_into_silence_but_never_over_next_speech() -> None:
    timeline = make_timeline([("A", "嗯。"), ("B", "对吧？")], pause=2000)
    first, _ = build_cues(timeline, language="zh", profile=ZH)
    assert first.end_ms - first.start_ms == ZH.min_ms
    close = make_timeline([("A", "嗯。"), ("B", "对吧？")], pause=150)
    (joined,) = build_cues(close, language="zh", profile=ZH)  # too short apart: one cue
    assert joined.end_ms - joined.start_ms >= ZH.min_ms
    assert isinstance(joined, JoinedCue) and joined.voices == ("A", "B")


def _durations(cues: tuple[Cue, ...]) -> list[int]:
    return [c.end_ms - c.start_ms for c in cues]


def test_a_tag_question_too_short_to_read_joins_the_sentence_before() -> None:
    """Issue 12: 38 cues such as "对吧？" (597 ms) stayed under 5/6 s in the seed."""
    items = [
        ("主持人", "我们来看看。"),
        ("主持人", "这是一种非常可怕的竞争啊。"),
        ("主持人", "对吧？"),
        ("主持人", "就好像我记得我看过一期节目。"),
    ]
    timeline = make_timeline(items, pause=150)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert [c.lines for c in cues] == [
        ("我们来看看",),
        ("这是一种非常可怕的竞争啊 对吧？",),
        ("就好像我记得我看过一期节目",),
    ]
    assert min(_durations(cues)) >= ZH.min_ms
    assert isinstance(cues[1], JoinedCue) and cues[1].utterance_ids == ("u0001", "u0002")
    assert not cues[1].label and cues[1].voices == ("主持人",)
    assert_valid(cues, timeline, ZH, "zh")
    # with the label there is no room on one line: the two sentences are laid out again
    cues = build_cues(make_timeline(items[1:], pause=150), language="zh", profile=ZH)
    assert [c.lines for c in cues] == [
        ("这是一种", "非常可怕的竞争啊 对吧？"),
        ("就好像我记得我看过一期节目",),
    ]
    assert cues[0].label and min(_durations(cues)) >= ZH.min_ms


def test_with_no_room_on_either_side_two_sentences_are_planned_together() -> None:
    """The seed's "对吧？" between two full two-line cues: no join fits, a new plan does."""
    items = [
        ("老修", "他已经把OpenAI深深的绑定在就是美国现在的这个发展上面了嘛。"),
        ("老修", "对吧？"),
        ("老修", "无论是硬件投入，还是说未来的舆论的这个传播，还是说商业模式。"),
    ]
    timeline = make_timeline(items, pause=150, ms_per_char=180)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert min(_durations(cues)) >= ZH.min_ms
    assert [c.lines for c in cues][1:] == [
        ("现在的这个发展上面了嘛 对吧？",),
        ("无论是硬件投入 还是说未来的", "舆论的这个传播 还是说商业模式"),
    ]
    assert isinstance(cues[1], JoinedCue) and cues[1].utterance_ids == ("u0000", "u0001")
    assert_valid(cues, timeline, ZH, "zh")


def test_a_short_reply_of_another_speaker_becomes_a_two_speaker_cue() -> None:
    items = [("闲哥", "你现在先卖自己嘛。"), ("老修", "对。"), ("闲哥", "然后后面卖大牌。")]
    timeline = make_timeline(items, pause=150)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert min(_durations(cues)) >= ZH.min_ms
    dialogue = [c for c in cues if is_dialogue(c)]
    assert len(dialogue) == 1 and len(cues) == 2
    lines = speaker_lines(dialogue[0])
    assert [shown_line(x, "zh") for x in lines] in (
        ["-闲哥：你现在先卖自己嘛", "-老修：对"],
        ["-老修：对", "-闲哥：然后后面卖大牌"],
    )
    assert_valid(cues, timeline, ZH, "zh")


def test_english_short_cue_joins_on_one_line() -> None:
    items = [("HOST", "Is that what you mean?"), ("HOST", "OK."), ("GUEST", "Yes, it is.")]
    timeline = make_timeline(items, ms_per_char=60, pause=120)
    cues = build_cues(timeline, language="en", profile=EN)
    assert cues[0].lines == ("Is that what you mean? OK.",)
    assert min(_durations(cues)) >= EN.min_ms
    assert_valid(cues, timeline, EN, "en")


def test_no_join_that_would_break_a_line_or_duration_rule() -> None:
    full = "你" * 13 + "。"  # with "闲哥：" a full line; with a dialogue hyphen too wide
    items = [("闲哥", full), ("主持人", "对吧？"), ("主持人", "[笑]")]
    timeline = make_timeline(items, ms_per_char=150, pause=150)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert [c.lines for c in cues] == [("你" * 13,), ("对吧？",), ("[笑]",)]
    assert cues[1].end_ms - cues[1].start_ms < ZH.min_ms  # no room on either side: it stays
    assert not any(isinstance(c, JoinedCue) for c in cues)
    assert_valid(cues, timeline, ZH, "zh")
    wider = make_timeline([("闲哥", full[1:]), *items[1:]], ms_per_char=150, pause=150)
    assert is_dialogue(build_cues(wider, language="zh", profile=ZH)[0])  # one less: it fits
    slow = make_timeline([("A", "嗯。"), ("A", "我" * 30 + "。"), ("B", "好。")], pause=150)
    cues = build_cues(slow, language="zh", profile=ZH)
    assert all(c.end_ms - c.start_ms <= ZH.max_ms for c in cues)  # 7 s is the limit
    assert_valid(cues, slow, ZH, "zh")


def test_gaps_up_to_half_a_second_are_chained() -> None:
    timeline = make_timeline(SENTENCES[:10], pause=400)
    cues = build_cues(timeline, language="zh", profile=ZH)
    gaps = [b.start_ms - a.end_ms for a, b in itertools.pairwise(cues)]
    assert all(g == ZH.min_gap_ms for g in gaps if g <= ZH.chain_gap_ms)
    wide = make_timeline(SENTENCES[:3], pause=1500)
    cues = build_cues(wide, language="zh", profile=ZH)
    between = [
        b.start_ms - a.end_ms
        for a, b in itertools.pairwise(cues)
        if a.utterance_id != b.utterance_id
    ]
    assert between and all(g > ZH.chain_gap_ms for g in between)


def test_sound_cues_are_their_own_cues_and_labels_follow_speakers() -> None:
    items = [
        ("主持人", "对，很屌。"),
        ("闲哥", "[笑]"),
        ("闲哥", "然后呢你还可以选择Altman。"),
        ("闲哥", "瞎搞。"),
        ("主持人", "没错，对没错。"),
    ]
    timeline = make_timeline(items)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert_valid(cues, timeline, ZH, "zh")
    sound = [c for c in cues if c.kind == "sound"]
    assert [c.lines for c in sound] == [("[笑]",)]
    assert [c.label for c in cues if c.kind == "speech"] == [True, True, False, True]


def test_stray_quotes_join_their_words() -> None:
    timeline = make_timeline([("A", "点关注点Like。”"), ("A", "”就是他自己这样。"), ("A", "”")])
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert [c.lines for c in cues] == [("点关注点Like”",), ("”就是他自己这样",)]


def test_ellipsis_and_question_marks_per_netflix_zh() -> None:
    timeline = make_timeline([("A", "我不知道……真的吗？太好了！")])
    lines = [line for c in build_cues(timeline, language="zh", profile=ZH) for line in c.lines]
    text = "".join(lines)
    assert "⋯" in text and "…" not in text
    assert "？" in text and "！" in text


def test_last_cue_ends_within_the_programme() -> None:
    timeline = make_timeline(SENTENCES[:5], tail=0)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert cues[-1].end_ms <= timeline.duration_ms


def test_profiles_and_overrides() -> None:
    assert profiles.names() == ("netflix", "bbc", "podcast")
    assert get_profile("podcast", language="en", max_chars=None, max_lines=None).max_chars == 32
    assert get_profile("BBC", language="en-GB", max_chars=None, max_lines=None).max_wpm == 180
    custom = get_profile("netflix", language="zh-Hans", max_chars=18, max_lines=1)
    assert (custom.max_chars, custom.max_lines, custom.min_gap_ms) == (18, 1, 83)
    with pytest.raises(ConfigError) as info:
        get_profile("youtube", language="en", max_chars=None, max_lines=None)
    assert "netflix" in info.value.hint and "podcast" in info.value.hint
    with pytest.raises(ConfigError):
        get_profile("netflix", language="en", max_chars=1, max_lines=None)


def test_one_line_profile_never_writes_two_lines() -> None:
    profile = get_profile("netflix", language="zh", max_chars=None, max_lines=1)
    timeline = make_timeline(SENTENCES[:40], words=True)
    cues = build_cues(timeline, language="zh", profile=profile)
    assert_valid(cues, timeline, profile, "zh")
    assert all(len(c.lines) == 1 for c in cues)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(0, len(SENTENCES) - 1), min_size=1, max_size=6),
    pace=st.integers(60, 400),
    pause=st.integers(0, 1500),
    words=st.booleans(),
    lead=st.integers(0, 500),
    width=st.sampled_from([10.0, 16.0, 18.0]),
)
def test_any_text_and_timing_gives_valid_cues(
    picks: list[int], pace: int, pause: int, words: bool, lead: int, width: float
) -> None:
    profile = get_profile("netflix", language="zh", max_chars=width, max_lines=2)
    items = [SENTENCES[i] for i in picks]
    timeline = make_timeline(items, ms_per_char=pace, pause=pause, words=words, lead_ms=lead)
    cues = build_cues(timeline, language="zh", profile=profile)
    assert_valid(cues, timeline, profile, "zh")
    assert [c.start_ms for c in cues] == sorted(c.start_ms for c in cues)


_SHORT = ["对吧？", "嗯。", "对对。", "是的。", "哈哈哈。", "[笑]", "”"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["主持人", "闲哥", "老修"]),
            st.one_of(st.sampled_from(_SHORT), st.sampled_from(SENTENCES).map(lambda x: x[1])),
        ),
        min_size=2,
        max_size=10,
    ),
    pace=st.integers(60, 300),
    pause=st.integers(0, 700),
    lines=st.sampled_from([1, 2]),
)
def test_short_replies_and_speaker_changes_give_valid_cues(
    items: list[tuple[str, str]], pace: int, pause: int, lines: int
) -> None:
    """Joins and new plans keep every rule, whatever the mix of speakers and short replies."""
    profile = get_profile("netflix", language="zh", max_chars=None, max_lines=lines)
    timeline = make_timeline(items, ms_per_char=pace, pause=pause)
    if not any(any(ch.isalnum() for ch in p.utterance.display) for p in timeline.placements):
        return
    cues = build_cues(timeline, language="zh", profile=profile)
    assert_valid(cues, timeline, profile, "zh")
    starts = {p.utterance.id: p.start_ms for p in timeline.placements}
    for cue in cues:  # a join never makes a cue longer than 7 s or faster than the limit...
        if isinstance(cue, JoinedCue):
            shown = " ".join(shown_line(x, "zh") for x in speaker_lines(cue))
            span = cue.end_ms - cue.start_ms
            assert span <= profile.max_ms
            if display_width(shown, "zh") * 1000 <= profile.max_cps * span:
                continue
            # ...unless the voice itself speaks faster (issue 22): then the cue is shown
            # while it is heard, and a voice at 5 characters/s is always slower
            assert pace < 200
            assert cue.end_ms > max(starts[uid] for uid in cue.utterance_ids)


@settings(max_examples=25, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                "the",
                "new",
                "app",
                "and",
                "a",
                "real",
                "question",
                "of",
                "Sam",
                "Altman",
                "is",
                ",",
                ".",
                "!",
                "really",
            ]
        ),
        min_size=1,
        max_size=40,
    )
    .map(" ".join)
    .filter(lambda s: any(ch.isalpha() for ch in s)),
    pace=st.integers(30, 200),
)
def test_any_english_text_gives_valid_cues(text: str, pace: int) -> None:
    timeline = make_timeline([("HOST", text)], ms_per_char=pace)
    cues = build_cues(timeline, language="en", profile=EN)
    assert_valid(cues, timeline, EN, "en")


def test_seed_sized_timeline_gives_valid_cues() -> None:
    # Speed is measured in the benchmarks, not here: a loaded machine made a time limit flaky.
    timeline = make_timeline((SENTENCES * 2)[:750])
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert len(cues) >= 750
    assert_valid(cues, timeline, ZH, "zh")


def test_real_espeak_clips_give_valid_cues() -> None:
    """The real offline engine's audio and word events, not hand-made timings."""
    import asyncio

    from tts_export.errors import EngineError
    from tts_export.models import Realization

    try:
        from tts_export.engines.espeak.engine import EspeakEngine

        engine = EspeakEngine()
    except (ImportError, EngineError) as exc:  # pragma: no cover - engine missing here
        pytest.skip(f"espeak engine unavailable: {exc}")

    async def render() -> Timeline:
        placements = []
        cursor = 300
        for i, (speaker, text) in enumerate(SENTENCES[:8]):
            voice = "cmn+f3" if speaker == "主持人" else "cmn+m3"
            syn = await engine.synthesize(text, Realization("espeak", voice))
            clip = Clip(
                f"u{i:04d}",
                "x.wav",
                syn.sample_rate,
                syn.duration_ms,
                syn.boundaries,
                "espeak",
                voice,
                False,
            )
            placements.append(
                Placement(utter(i, speaker, text), clip, cursor, cursor + syn.duration_ms)
            )
            cursor += syn.duration_ms + 250
        return Timeline(tuple(placements), (), cursor + 250, syn.sample_rate)

    timeline = asyncio.run(render())
    assert any(p.clip is not None and len(p.clip.boundaries) > 3 for p in timeline.placements)
    cues = build_cues(timeline, language="zh", profile=ZH)
    assert_valid(cues, timeline, ZH, "zh")
    assert len(cues) >= len(timeline.placements)


def test_a_cue_stretched_to_the_shortest_duration_chains_to_the_next() -> None:
    """Issue 22: "Yes." stretched to 833 ms left a 146 ms gap, which `check` flags as unchained."""
    timeline = make_timeline(
        [("HOST", "So you spent three years on it?"), ("GUEST", "Yes."), ("HOST", "Alone?")],
        ms_per_char=60,
        pause=600,
    )
    cues = build_cues(timeline, language="en", profile=EN)
    gaps = [b.start_ms - a.end_ms for a, b in itertools.pairwise(cues)]
    assert min(_durations(cues)) >= EN.min_ms
    assert all(g == EN.min_gap_ms or g > EN.chain_gap_ms for g in gaps), gaps
    assert_valid(cues, timeline, EN, "en")


def test_a_fast_voice_does_not_keep_a_reply_too_short_to_read() -> None:
    """Issue 22: "Yes." (546 ms) before a sentence of the same speaker spoken at 21
    characters/s stayed alone: every join read faster than 20/s, as the speech does."""
    items = [
        ("HOST", "And nobody helped you with the timing rules at all, not even once?"),
        ("GUEST", "Yes."),
        ("GUEST", "So you spent three years building the caption engine on your own?"),
    ]
    timeline = make_timeline(items, ms_per_char=45, pause=80)
    cues = build_cues(timeline, language="en", profile=EN)
    assert min(_durations(cues)) >= EN.min_ms, [(c.lines, c.end_ms - c.start_ms) for c in cues]
    assert_valid(cues, timeline, EN, "en")


def test_a_reply_joins_the_next_sentence_when_the_voice_beats_the_bbc_pace() -> None:
    """BBC, 180 words/min: "Yes." before a sentence spoken faster than that stayed 546 ms;
    the joint plan was measured against its speech without the 2 frames before the next."""
    bbc = get_profile("bbc", language="en")
    items = [
        ("HOST", "Tell me about the hardest bug you found in the whole project."),
        ("GUEST", "Yes."),
        ("GUEST", "It was the chaining of gaps between cues, which nobody noticed for months."),
    ]
    timeline = make_timeline(items, ms_per_char=40, pause=80)
    cues = build_cues(timeline, language="en", profile=bbc)
    assert min(_durations(cues)) >= bbc.min_ms, [(c.lines, c.end_ms - c.start_ms) for c in cues]
    assert_valid(cues, timeline, bbc, "en")
