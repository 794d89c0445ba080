"""Subtitle writers: write real files, read them back with pysubs2 and as raw text."""

from __future__ import annotations

import html
import itertools
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pysubs2
import pytest
from conftest import FIXTURES, load_subs
from hypothesis import given, settings
from hypothesis import strategies as st
from pysubs2 import Color

from tts_export.audio.timeline import assemble
from tts_export.captions.formats import write_subtitles
from tts_export.captions.speakers import JoinedCue, speaker_label
from tts_export.captions.subtitles import (
    BBC_COLOURS,
    CJK_FONT,
    DEFAULT_VTT_LABELS,
    VTT_LABELS,
    ass_escape,
    vtt_escape,
)
from tts_export.common.files import write_text_atomic
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Chapter, Clip, Cue, Pauses, Script, Timeline
from tts_export.script import build_script
from tts_export.transcript.parse import read_transcript

ALL = ("srt", "vtt", "ass")

ZH_CUES = (
    Cue(500, 2400, "主持人", ("欢迎收听本期节目",), True, "speech", "s00t000u00"),
    Cue(2483, 4700, "主持人", ("今天我们聊聊{Sora 2}", "a<b & c>d"), False, "speech", "s00t000u01"),
    Cue(5300, 7000, "闲哥", ("我试用了一下", "感觉非常强大！"), True, "speech", "s00t001u00"),
    Cue(7100, 7900, "闲哥", ("[笑]",), False, "sound", "s00t001u01"),
    Cue(8500, 10100, "老修", ("算力成本到底有多高？",), True, "speech", "s00t002u00"),
    Cue(11500, 13000, "主持人", ("那么未来一年会怎样？",), True, "speech", "s01t003u00"),
)
EN_CUES = (
    Cue(500, 2000, "Host", ("Welcome to the show.",), True, "speech", "a"),
    Cue(2100, 4000, "Guest", ("Thanks for having me!", "It is a pleasure."), True, "speech", "b"),
    Cue(4100, 5000, "Guest", ("[laughs]",), False, "sound", "c"),
    Cue(5100, 6500, "Critic", ("I {disagree}, C:\\new path.",), True, "speech", "d"),
)
CHAPTERS = (Chapter("开场", 0, 11000), Chapter("展望", 11000, 14000))


def _srt_blocks(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    return [b.split("\n") for b in text.strip("\n").split("\n\n")]


def _vtt_cue_texts(path: Path) -> list[str]:
    blocks = path.read_text(encoding="utf-8").strip("\n").split("\n\n")[1:]
    return ["\n".join(b.split("\n")[2:]) for b in blocks if not b.startswith("NOTE")]


def test_srt_zh_order_times_labels_and_indices(tmp_path: Path) -> None:
    shuffled = [ZH_CUES[i] for i in (3, 0, 5, 2, 1, 4)]
    out = write_subtitles(
        shuffled, out_dir=tmp_path, stem="ep", formats=("srt",), chapters=(), language="zh"
    )
    assert out == {"srt": tmp_path / "ep.srt"}
    subs = load_subs(out["srt"])
    assert [(e.start, e.end) for e in subs] == [(c.start_ms, c.end_ms) for c in ZH_CUES]
    # e.text, not e.plaintext: pysubs2's reader would take "{...}" as a tag again
    texts = [
        e.text.replace("\\N", "\n") for e in pysubs2.load(str(out["srt"]), keep_html_tags=True)
    ]
    assert texts[0] == "主持人：欢迎收听本期节目"
    assert texts[1] == "今天我们聊聊{Sora 2}\na<b & c>d"  # braces kept, not read as tags
    assert texts[2] == "闲哥：我试用了一下\n感觉非常强大！"
    assert texts[3] == "[笑]"  # sound cue: no label
    assert texts[4].startswith("老修：") and texts[5].startswith("主持人：")
    blocks = _srt_blocks(out["srt"])
    assert [b[0] for b in blocks] == [str(i) for i in range(1, 7)]
    assert blocks[0][1] == "00:00:00,500 --> 00:00:02,400"
    raw = out["srt"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").count("：") == 4  # labels only where the speaker changes


def test_srt_en_labels_upper_case_and_backslash_is_literal(tmp_path: Path) -> None:
    out = write_subtitles(
        EN_CUES, out_dir=tmp_path, stem="ep", formats=("srt",), chapters=(), language="en"
    )
    blocks = _srt_blocks(out["srt"])
    assert blocks[0][2] == "HOST: Welcome to the show."
    assert blocks[1][2:] == ["GUEST: Thanks for having me!", "It is a pleasure."]
    assert blocks[2][2:] == ["[laughs]"]
    # "\n" typed in the text must not turn into a line break
    assert len(blocks[3]) == 3 and blocks[3][2].startswith("CRITIC: I {disagree}, C:\\")
    assert "path." in blocks[3][2]
    assert speaker_label("Host", "en") == "HOST: " and speaker_label("主持人", "zh") == "主持人："


def test_vtt_voice_on_every_cue_escaped_and_language_note(tmp_path: Path) -> None:
    out = write_subtitles(
        ZH_CUES, out_dir=tmp_path, stem="ep", formats=("vtt",), chapters=(), language="zh"
    )
    path = out["vtt"]
    # nothing but a blank line may follow the signature (W3C): the language is a NOTE
    assert path.read_text(encoding="utf-8").startswith("WEBVTT\n\nNOTE Language: zh\n\n1\n")
    texts = _vtt_cue_texts(path)
    assert len(texts) == len(ZH_CUES)
    for text, cue in zip(texts, ZH_CUES, strict=True):
        assert text.startswith(f"<v {cue.speaker}>") and text.endswith("</v>")
    assert texts[1] == "<v 主持人>今天我们聊聊{Sora 2}\na&lt;b &amp; c&gt;d</v>"
    assert texts[3] == "<v 闲哥>[笑]</v>"  # sound cue: voice, but no visible label
    # the visible label where the speaker changes, as in SRT (browsers hide voice names)
    assert [
        t.split(">", 1)[1].startswith(f"{c.speaker}：") for t, c in zip(texts, ZH_CUES, strict=True)
    ] == [True, False, True, False, True, True]
    subs = load_subs(path)
    assert [(e.start, e.end) for e in subs] == [(c.start_ms, c.end_ms) for c in ZH_CUES]
    assert vtt_escape("<v a>&") == "&lt;v a&gt;&amp;"


def test_vtt_speaker_name_cannot_break_the_voice_tag(tmp_path: Path) -> None:
    cue = Cue(0, 1000, "A>B & <C>", ("hi",), True)
    out = write_subtitles(
        [cue], out_dir=tmp_path, stem="x", formats=("vtt",), chapters=(), language="en"
    )
    assert _vtt_cue_texts(out["vtt"]) == [
        "<v A&gt;B &amp; &lt;C&gt;>A&gt;B &amp; &lt;C&gt;: hi</v>"
    ]


def test_ass_styles_colours_names_and_no_override_tags(tmp_path: Path) -> None:
    out = write_subtitles(
        ZH_CUES, out_dir=tmp_path, stem="ep", formats=("ass",), chapters=(), language="zh"
    )
    subs = load_subs(out["ass"])
    assert subs.info["PlayResX"] == "1920" and subs.info["PlayResY"] == "1080"
    order = ["主持人", "闲哥", "老修"]
    assert [subs.styles[name].primarycolor for name in order] == list(BBC_COLOURS[:3])
    assert subs.styles["闲哥"].primarycolor == Color(255, 255, 0)  # yellow second
    assert all(subs.styles[name].fontname == CJK_FONT for name in order)
    assert [e.name for e in subs] == [c.speaker for c in ZH_CUES]
    assert [e.style for e in subs] == [c.speaker for c in ZH_CUES]
    # ASS keeps centiseconds
    _assert_centiseconds([(e.start, e.end) for e in subs], ZH_CUES)
    # braces survive as visible text instead of vanishing into an override block
    assert subs[1].plaintext == "今天我们聊聊｛Sora 2｝\na<b & c>d"
    assert subs[2].plaintext == "闲哥：我试用了一下\n感觉非常强大！"
    raw = out["ass"].read_text(encoding="utf-8")
    assert "{" not in raw.split("[Events]")[1]
    assert raw.count("\nDialogue:") == len(ZH_CUES)


def test_ass_colours_repeat_after_four_speakers(tmp_path: Path) -> None:
    cues = [Cue(i * 1000, i * 1000 + 900, f"S{i},x", ("t",), True) for i in range(6)]
    out = write_subtitles(
        cues, out_dir=tmp_path, stem="x", formats=("ass",), chapters=(), language="en"
    )
    subs = load_subs(out["ass"])
    colours = [subs.styles[e.style].primarycolor for e in subs]
    assert colours == [*BBC_COLOURS, BBC_COLOURS[0], BBC_COLOURS[1]]
    assert [e.name for e in subs] == [f"S{i}，x" for i in range(6)]  # comma cannot split the field
    assert subs.styles[subs[0].style].fontname != CJK_FONT
    assert ass_escape("{\\i1}") == "｛＼i1｝"


def test_chapters_track_with_any_chapter(tmp_path: Path) -> None:
    out = write_subtitles(
        ZH_CUES, out_dir=tmp_path, stem="ep", formats=ALL, chapters=CHAPTERS, language="zh"
    )
    assert set(out) == {"srt", "vtt", "ass", "chapters_vtt"}
    assert out["chapters_vtt"] == tmp_path / "ep.chapters.vtt"
    subs = load_subs(out["chapters_vtt"])
    assert [(e.start, e.end, e.plaintext) for e in subs] == [
        (0, 11000, "开场"),
        (11000, 14000, "展望"),
    ]
    single = tmp_path / "one"
    single.mkdir()
    out = write_subtitles(
        ZH_CUES, out_dir=single, stem="ep", formats=("srt",), chapters=CHAPTERS[:1], language="zh"
    )
    assert set(out) == {"srt", "chapters_vtt"}  # one section: one chapter, as in the JSON
    assert [(e.start, e.end, e.plaintext) for e in load_subs(out["chapters_vtt"])] == [
        (0, 11000, "开场")
    ]
    none = tmp_path / "none"
    none.mkdir()
    out = write_subtitles(
        ZH_CUES, out_dir=none, stem="ep", formats=("srt",), chapters=(), language="zh"
    )
    assert set(out) == {"srt"} and not (none / "ep.chapters.vtt").exists()


def test_transcript_formats_are_left_to_transcripts(tmp_path: Path) -> None:
    out = write_subtitles(
        EN_CUES, out_dir=tmp_path, stem="ep", formats=("json", "html"), chapters=(), language="en"
    )
    assert out == {} and list(tmp_path.iterdir()) == []


def test_unknown_format_and_bad_times_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        write_subtitles(
            EN_CUES, out_dir=tmp_path, stem="e", formats=("sbv",), chapters=(), language="en"
        )
    assert "sbv" in str(err.value) and err.value.hint
    bad = [Cue(1000, 1000, "Host", ("x",), True, utterance_id="s00t000u00")]
    with pytest.raises(OutputError) as err2:
        write_subtitles(
            bad, out_dir=tmp_path, stem="e", formats=("srt",), chapters=(), language="en"
        )
    assert "s00t000u00" in str(err2.value) and err2.value.hint
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as err:
        write_subtitles(
            EN_CUES,
            out_dir=tmp_path / "nope",
            stem="e",
            formats=("srt",),
            chapters=(),
            language="en",
        )
    assert "nope" in str(err.value) and "--out" in err.value.hint


def test_atomic_write_replaces_whole_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ep.srt"
    target.write_text("old", encoding="utf-8")
    write_subtitles(EN_CUES, out_dir=tmp_path, stem="ep", formats=ALL, chapters=(), language="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep.ass", "ep.srt", "ep.vtt"]
    assert len(load_subs(target)) == len(EN_CUES)
    before = target.read_bytes()
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600
    with pytest.raises(OutputError):
        write_text_atomic(target, "bad \udc80 surrogate")
    assert target.read_bytes() == before

    def broken(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OutputError) as err:
        write_text_atomic(target, "new content")
    assert "No space left" in str(err.value)
    assert target.read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep.ass", "ep.srt", "ep.vtt"]


def test_1500_cues_all_written(tmp_path: Path) -> None:
    # Speed belongs in a benchmark: a time limit here failed on a loaded machine.
    speakers = ("主持人", "闲哥", "老修")
    cues = [
        Cue(
            i * 2000,
            i * 2000 + 1800,
            speakers[i % 3],
            ("第一行文字内容", "第二行{文字}<内容>"),
            True,
        )
        for i in range(1500)
    ]
    for fmt in ALL:
        out = write_subtitles(
            cues, out_dir=tmp_path, stem="big", formats=(fmt,), chapters=(), language="zh"
        )
        subs = load_subs(out[fmt])
        assert len(subs) == 1500
        assert (subs[0].start, subs[-1].start) == (0, 1499 * 2000)


def _fixture_timeline(name: str) -> tuple[Script, Timeline]:
    script = build_script(read_transcript(FIXTURES / "render" / name))
    clips = {
        u.id: Clip(
            u.id, f"/nonexistent/{u.id}.wav", 24000, 180 * len(u.display), (), "espeak", "v", False
        )
        for u in script.utterances
        if u.kind == "speech"
    }
    return script, assemble(script, clips, pauses=Pauses(), intro_title="开场")


def test_real_fixture_round_trip(tmp_path: Path) -> None:
    script, timeline = _fixture_timeline("short_zh.md")
    cues, previous = [], None
    for p in timeline.placements:
        u = p.utterance
        cues.append(
            Cue(p.start_ms, p.end_ms, u.speaker, (u.display,), u.speaker != previous, u.kind, u.id)
        )
        previous = u.speaker
    out = write_subtitles(
        cues,
        out_dir=tmp_path,
        stem="short_zh",
        formats=ALL,
        chapters=timeline.chapters,
        language="zh",
    )
    srt = load_subs(out["srt"])
    assert len(srt) == len(script.utterances) == 10
    starts = [e.start for e in srt]
    assert starts == sorted(starts) and all(a.end <= b.start for a, b in itertools.pairwise(srt))
    labelled = [
        e.plaintext.split("：")[0] for e in srt if re.match(r"^(主持人|闲哥|老修)：", e.plaintext)
    ]
    assert labelled == ["主持人", "闲哥", "老修", "主持人", "闲哥", "老修"]
    assert "（OpenAI" not in out["srt"].read_text(
        encoding="utf-8"
    )  # glossary dropped from captions
    assert len(_vtt_cue_texts(out["vtt"])) == 10
    assert [e.plaintext for e in load_subs(out["chapters_vtt"])] == ["开场", "展望"]
    assert {e.name for e in load_subs(out["ass"])} == {"主持人", "闲哥", "老修"}


GOLDEN_CUES = (
    Cue(500, 2400, "主持人", ("欢迎收听",), True, "speech", "u0"),
    Cue(2483, 4700, "闲哥", ("我试用了一下", "a<b {x}"), True, "speech", "u1"),
    Cue(4783, 5600, "闲哥", ("[笑]",), False, "sound", "u2"),
)
GOLDEN_SRT = """1
00:00:00,500 --> 00:00:02,400
主持人：欢迎收听

2
00:00:02,483 --> 00:00:04,700
闲哥：我试用了一下
a<b {x}

3
00:00:04,783 --> 00:00:05,600
[笑]

"""
GOLDEN_VTT = """WEBVTT

NOTE Language: zh

1
00:00:00.500 --> 00:00:02.400
<v 主持人>主持人：欢迎收听</v>

2
00:00:02.483 --> 00:00:04.700
<v 闲哥>闲哥：我试用了一下
a&lt;b {x}</v>

3
00:00:04.783 --> 00:00:05.600
<v 闲哥>[笑]</v>

"""
GOLDEN_ASS_EVENTS = """[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:02.40,主持人,主持人,0,0,0,,主持人：欢迎收听
Dialogue: 0,0:00:02.49,0:00:04.70,闲哥,闲哥,0,0,0,,闲哥：我试用了一下\\Na<b ｛x｝
Dialogue: 0,0:00:04.79,0:00:05.60,闲哥,闲哥,0,0,0,,[笑]
"""


def test_golden_small_programme(tmp_path: Path) -> None:
    out = write_subtitles(
        GOLDEN_CUES, out_dir=tmp_path, stem="g", formats=ALL, chapters=CHAPTERS, language="zh"
    )
    assert out["srt"].read_text(encoding="utf-8") == GOLDEN_SRT
    assert out["vtt"].read_text(encoding="utf-8") == GOLDEN_VTT
    ass = out["ass"].read_text(encoding="utf-8")
    assert ass.endswith(GOLDEN_ASS_EVENTS)
    assert "\nStyle: 主持人,Noto Sans CJK SC,54,&H00FFFFFF," in ass
    assert "\nStyle: 闲哥,Noto Sans CJK SC,54,&H0000FFFF," in ass  # yellow in ASS's BGR order
    assert "\nTitle: g\n" in ass
    assert out["chapters_vtt"].read_text(encoding="utf-8") == (
        "WEBVTT\n\nNOTE Language: zh\n\n1\n00:00:00.000 --> 00:00:11.000\n开场\n\n"
        "2\n00:00:11.000 --> 00:00:14.000\n展望\n\n"
    )


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
    min_size=1,
    max_size=30,
).filter(lambda t: t.strip() != "")
_CUE_SPECS = st.lists(
    st.tuples(
        st.integers(1, 5000),  # gap before the cue
        st.integers(20, 7000),  # duration (real cues last hundreds of ms)
        st.sampled_from(["主持人", "Host", "A&B <x>", "闲哥,2"]),
        st.lists(_TEXT, min_size=1, max_size=2),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


def _make(specs: list[tuple[int, int, str, list[str], bool]]) -> list[Cue]:
    cues, t = [], 0
    for gap, length, speaker, lines, label in specs:
        cues.append(Cue(t + gap, t + gap + length, speaker, tuple(lines), label))
        t += gap + length
    return cues


def _assert_centiseconds(times: list[tuple[int, int]], cues: Sequence[Cue]) -> None:
    """ASS keeps centiseconds: starts at most 9 ms late, ends within 9 ms, no gap shrinks
    except by its rounding where a cue of 5/6 s would otherwise drop under 830 ms."""
    assert len(times) == len(cues)
    for n, ((start, end), cue) in enumerate(zip(times, cues, strict=True)):
        assert start % 10 == 0 and end % 10 == 0 and end > start
        assert -9 <= end - cue.end_ms <= 9
        if n + 1 == len(cues) and start < cue.start_ms:  # the last cue keeps 830 ms
            assert start - cue.start_ms >= -9 and end - start >= 830
        else:
            assert 0 <= start - cue.start_ms <= 9
    for (a_start, end), (start, _), a, b in zip(times, times[1:], cues, cues[1:], strict=False):
        gap = b.start_ms - a.end_ms
        if a.end_ms - a.start_ms >= 830 and gap >= 80:
            assert end - a_start >= 830 and start - end >= gap // 10 * 10
        else:
            assert start - end >= gap
    assert times[-1][1] <= cues[-1].end_ms  # the last cue still ends within the audio


def _norm(line: str) -> str:
    return " ".join(line.split())


@settings(max_examples=60, deadline=None)
@given(_CUE_SPECS)
def test_any_text_round_trips_through_every_format(
    specs: list[tuple[int, int, str, list[str], bool]],
) -> None:
    cues = _make(specs)
    with tempfile.TemporaryDirectory() as tmp:
        out = write_subtitles(
            cues, out_dir=Path(tmp), stem="p", formats=ALL, chapters=(), language="en"
        )
        srt_blocks = _srt_blocks(out["srt"])
        assert len(srt_blocks) == len(cues)
        for block, cue in zip(srt_blocks, cues, strict=True):
            expected = [_norm(x).replace("-->", "→") for x in cue.lines]
            if cue.label:
                expected[0] = speaker_label(cue.speaker, "en").replace("-->", "→") + expected[0]
            assert [x.replace("\u2060", "") for x in block[2:]] == expected
        vtt = _vtt_cue_texts(out["vtt"])
        assert len(vtt) == len(cues) == len(load_subs(out["vtt"]))
        for text, cue in zip(vtt, cues, strict=True):
            voice, _, rest = text.partition(">")
            assert html.unescape(voice[3:]) == cue.speaker and rest.endswith("</v>")
            body = html.unescape(rest[: -len("</v>")].replace("\u2060", ""))
            expected = [_norm(x) for x in cue.lines]
            if cue.label:
                expected[0] = speaker_label(cue.speaker, "en") + expected[0]
            assert body.split("\n") == expected
        ass = load_subs(out["ass"])
        _assert_centiseconds([(e.start, e.end) for e in ass], cues)
        for event, cue in zip(ass, cues, strict=True):
            expected = [ass_escape(_norm(x)) for x in cue.lines]
            if cue.label:  # the label, as in SRT: colour alone must not tell speakers apart
                expected[0] = ass_escape(speaker_label(cue.speaker, "en")) + expected[0]
            assert event.plaintext.split("\n") == expected
            assert event.name == cue.speaker.replace(",", "，")


def test_tag_like_text_stays_text(tmp_path: Path) -> None:
    drawing = "{\\p1}m 0 0 l 10 10{\\p0}"
    cues = [
        Cue(0, 1000, "Host", (drawing,), False),
        Cue(1100, 2000, "Host", ("step 1 --> step 2",), False),
    ]
    out = write_subtitles(cues, out_dir=tmp_path, stem="t", formats=ALL, chapters=(), language="en")
    srt = _srt_blocks(out["srt"])
    assert len(srt) == 2 and len(load_subs(out["srt"])) == 2  # not dropped as a drawing
    assert srt[0][2].replace("\u2060", "") == drawing
    assert srt[1][2] == "step 1 → step 2"  # "-->" marks timing lines in SRT
    ass = load_subs(out["ass"])
    assert len(ass.get_text_events()) == 2 and ass[0].plaintext == "｛＼p1｝m 0 0 l 10 10｛＼p0｝"
    assert _vtt_cue_texts(out["vtt"])[1] == "<v Host>step 1 --&gt; step 2</v>"


def test_label_on_a_sound_cue_moves_to_the_next_speech(tmp_path: Path) -> None:
    cues = [
        Cue(0, 1000, "Host", ("Hi.",), True),
        Cue(1100, 2000, "Guest", ("[laughs]",), True, "sound"),
        Cue(2100, 3000, "Guest", ("Yes.",), False),
        Cue(3100, 4000, "Guest", ("Sure.",), False),
        Cue(4100, 5000, "Host", ("[coughs]",), True, "sound"),
        Cue(5100, 6000, "Guest", ("Well.",), False),
    ]
    out = write_subtitles(
        cues, out_dir=tmp_path, stem="l", formats=("srt",), chapters=(), language="en"
    )
    assert [b[2] for b in _srt_blocks(out["srt"])] == [
        "HOST: Hi.",
        "[laughs]",
        "GUEST: Yes.",
        "Sure.",
        "[coughs]",
        "Well.",  # the carried label was Host's; the builder's label=False stands
    ]


@pytest.mark.parametrize(
    ("labels", "first", "second", "sound"),
    [
        (
            "both",
            "<v 主持人>主持人：欢迎收听</v>",
            "<v 闲哥>闲哥：我试用了一下\na&lt;b {x}</v>",
            "<v 闲哥>[笑]</v>",
        ),
        (
            "voice",
            "<v 主持人>欢迎收听</v>",
            "<v 闲哥>我试用了一下\na&lt;b {x}</v>",
            "<v 闲哥>[笑]</v>",
        ),
        ("text", "主持人：欢迎收听", "闲哥：我试用了一下\na&lt;b {x}", "[笑]"),
    ],
)
def test_vtt_labels_choose_how_speakers_are_named(
    tmp_path: Path, labels: str, first: str, second: str, sound: str
) -> None:
    out = write_subtitles(
        GOLDEN_CUES,
        out_dir=tmp_path,
        stem="g",
        formats=("vtt",),
        chapters=(),
        language="zh",
        vtt_labels=labels,
    )
    assert _vtt_cue_texts(out["vtt"]) == [first, second, sound]


def test_vtt_labels_default_is_both_and_other_values_are_refused(tmp_path: Path) -> None:
    assert DEFAULT_VTT_LABELS == "both" and VTT_LABELS == ("voice", "text", "both")
    with pytest.raises(ConfigError) as err:
        write_subtitles(
            GOLDEN_CUES,
            out_dir=tmp_path,
            stem="g",
            formats=("vtt",),
            chapters=(),
            language="zh",
            vtt_labels="names",
        )
    assert err.value.hint == "use one of: voice, text, both"
    assert list(tmp_path.iterdir()) == []  # refused before anything is written


def test_ass_names_the_speaker_where_it_changes_not_by_colour_alone(tmp_path: Path) -> None:
    out = write_subtitles(
        EN_CUES, out_dir=tmp_path, stem="ep", formats=("ass",), chapters=(), language="en"
    )
    assert [e.plaintext for e in load_subs(out["ass"])] == [
        "HOST: Welcome to the show.",
        "GUEST: Thanks for having me!\nIt is a pleasure.",
        "[laughs]",
        "CRITIC: I ｛disagree｝, C:＼new path.",
    ]


TWO_SPEAKERS = (
    Cue(500, 2400, "闲哥", ("我试用了一下",), True, "speech", "u0"),
    JoinedCue(
        2483,
        4000,
        "闲哥",
        ("感觉非常强大", "对吧？"),
        False,
        "speech",
        "u1",
        voices=("闲哥", "老修"),
        labels=(False, True),
        utterance_ids=("u1", "u2"),
    ),
    Cue(4083, 6000, "老修", ("算力成本到底有多高？",), False, "speech", "u3"),
)


def test_two_speaker_cue_leads_each_line_with_a_hyphen(tmp_path: Path) -> None:
    out = write_subtitles(
        TWO_SPEAKERS, out_dir=tmp_path, stem="d", formats=ALL, chapters=(), language="zh"
    )
    assert [b[2:] for b in _srt_blocks(out["srt"])] == [
        ["闲哥：我试用了一下"],
        ["-感觉非常强大", "-老修：对吧？"],
        ["算力成本到底有多高？"],
    ]
    assert _vtt_cue_texts(out["vtt"])[1] == "<v 闲哥>-感觉非常强大</v>\n<v 老修>-老修：对吧？</v>"
    ass = load_subs(out["ass"])
    assert ass[1].plaintext == "-感觉非常强大\n-老修：对吧？"
    assert ass[1].style == "闲哥" and "{\\1c&H00FFFF&}-老修：对吧？" in ass[1].text  # yellow (BGR)
    voice = tmp_path / "voice"
    voice.mkdir()
    out = write_subtitles(
        TWO_SPEAKERS,
        out_dir=voice,
        stem="d",
        formats=("vtt",),
        chapters=(),
        language="zh",
        vtt_labels="voice",
    )
    assert _vtt_cue_texts(out["vtt"])[1] == "<v 闲哥>-感觉非常强大</v>\n<v 老修>-对吧？</v>"
