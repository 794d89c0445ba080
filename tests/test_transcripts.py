"""Transcript writers: write real files and read them back (json.loads, html.parser, text)."""

from __future__ import annotations

import json
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from tts_export.audio.music import music_titles
from tts_export.audio.tags import iso639_2
from tts_export.audio.timeline import assemble
from tts_export.captions.formats import write_transcripts
from tts_export.captions.speakers import JoinedCue
from tts_export.captions.transcripts import _colon, join_text
from tts_export.common.lang import is_chinese, primary_subtag
from tts_export.common.units import clock, shows_hours
from tts_export.errors import ConfigError
from tts_export.lexicon.model import Entry
from tts_export.models import (
    Chapter,
    Clip,
    Cue,
    Glossary,
    Pauses,
    Placement,
    Section,
    Timeline,
    Transcript,
    Turn,
    Utterance,
)
from tts_export.script import build_script
from tts_export.transcript.parse import read_transcript

ALL = ("json", "txt", "html")
VOID = {"meta", "br", "hr", "img", "link", "input", "source", "track", "wbr", "area", "col"}


def _zh_transcript() -> Transcript:
    intro_text = "欢迎收听。今天聊聊Sora 2（OpenAI的视频模型）。"
    note = "（OpenAI的视频模型）"
    start = intro_text.index(note)
    gloss = Glossary("Sora 2", note, start, start + len(note))
    return Transcript(
        path="zh.md",
        meta={
            "title": "AI <视频> & 未来",
            "author": "编辑部",
            "date": "2025-10-01",
            "tags": ["ai", "x"],
            "summary": "三位主持人聊聊Sora 2。",
        },
        sections=(
            Section(None, (Turn("主持人", intro_text, 5, (gloss,)),), 0),
            Section(
                "讨论",
                (
                    Turn("闲哥", "我试用了一下（笑）真的a<b。", 9),
                    Turn("老修", "成本多高？", 11),
                ),
                8,
            ),
        ),
        language="zh",
    )


def _u(
    uid: str,
    section: str | None,
    speaker: str,
    display: str,
    line: int,
    turn: int,
    sec: int,
    kind: Literal["speech", "sound"] = "speech",
) -> Utterance:
    spoken = display if kind == "speech" else ""
    return Utterance(uid, section, speaker, display, spoken, line, turn, sec, kind)


def _zh_timeline(duration: int = 12000) -> Timeline:
    utterances = [
        _u("s00t000u00", None, "主持人", "欢迎收听。", 5, 0, 0),
        _u("s00t000u01", None, "主持人", "今天聊聊Sora 2。", 5, 0, 0),
        _u("s01t001u00", "讨论", "闲哥", "我试用了一下", 9, 1, 1),
        _u("s01t001u01", "讨论", "闲哥", "[笑]", 9, 1, 1, "sound"),
        _u("s01t001u02", "讨论", "闲哥", "真的a<b。", 9, 1, 1),
        _u("s01t002u00", "讨论", "老修", "成本多高？", 11, 2, 1),
    ]
    times = [(500, 1500), (1750, 3200), (4600, 5600), (5600, 6600), (6850, 8000), (8600, 9700)]
    placements = tuple(
        Placement(u, None, a, b) for u, (a, b) in zip(utterances, times, strict=True)
    )
    chapters = (Chapter("开场", 0, 4600), Chapter("讨论", 4600, duration))
    return Timeline(placements, chapters, duration, 24000)


def _cues(timeline: Timeline) -> list[Cue]:
    out, previous = [], None
    for p in timeline.placements:
        u = p.utterance
        out.append(
            Cue(p.start_ms, p.end_ms, u.speaker, (u.display,), u.speaker != previous, u.kind, u.id)
        )
        previous = u.speaker
    return out


class _Html(HTMLParser):
    """Collects tags, text per element and checks that elements nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self.decl: list[str] = []
        self.data: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)
            self.text.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.data.append(data)
        for tag in self.stack:
            self.text[tag][-1] += data


def _parse_html(path: Path) -> _Html:
    parser = _Html()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    assert parser.errors == [] and parser.stack == []
    return parser


def test_json_podcasting_schema(tmp_path: Path) -> None:
    timeline = _zh_timeline()
    cues = _cues(timeline)
    out = write_transcripts(
        cues[::-1],
        _zh_transcript(),
        out_dir=tmp_path,
        stem="ep",
        formats=("json",),
        timeline=timeline,
    )
    assert out == {"transcript_json": tmp_path / "ep.transcript.json"}
    data = json.loads(out["transcript_json"].read_text(encoding="utf-8"))
    assert data["version"] == "1.0.0"
    segments = data["segments"]
    assert len(segments) == len(timeline.placements)  # one segment per sentence
    for segment, placement in zip(segments, timeline.placements, strict=True):
        assert set(segment) == {"speaker", "startTime", "endTime", "body"}
        assert segment["speaker"] == placement.utterance.speaker
        assert segment["startTime"] == placement.start_ms / 1000 and isinstance(
            segment["startTime"], float
        )
        assert segment["endTime"] == placement.end_ms / 1000
        assert segment["body"] == placement.utterance.display
    assert segments[3]["body"] == "[笑]"
    assert segments[4]["body"] == "真的a<b。"
    assert [s["startTime"] for s in segments] == sorted(s["startTime"] for s in segments)


def _sentences(speaker: str, *texts: str) -> Timeline:
    placements = tuple(
        Placement(_u(f"u{n}", None, speaker, text, 3, 0, 0), None, 1000 * n, 1000 * n + 900)
        for n, text in enumerate(texts)
    )
    return Timeline(placements, (), 1000 * len(texts), 24000)


def test_json_keeps_the_display_punctuation_captions_drop(tmp_path: Path) -> None:
    """Issue 12: "…说脏话，我觉得…" came out as "…说脏话 我觉得…" (caption rules)."""
    timeline = _sentences("主持人", "我真想说脏话，我觉得它太牛了。", "真的吗……你确定？")
    # the cues as the caption builder makes them: comma gone, full stop dropped, ⋯
    cues = [
        Cue(0, 900, "主持人", ("我真想说脏话 我觉得它太牛了",), True, "speech", "u0"),
        Cue(1000, 1900, "主持人", ("真的吗⋯你确定？",), False, "speech", "u1"),
    ]
    transcript = Transcript("zh.md", {}, (), language="zh")
    out = write_transcripts(
        cues, transcript, out_dir=tmp_path, stem="p", formats=("json",), timeline=timeline
    )
    segments = json.loads(out["transcript_json"].read_text(encoding="utf-8"))["segments"]
    assert [s["body"] for s in segments] == ["我真想说脏话，我觉得它太牛了。", "真的吗……你确定？"]


def test_json_never_puts_the_speaker_label_in_the_text(tmp_path: Path) -> None:
    """Merged two-speaker captions carry labels and dashes; the JSON names speakers apart."""
    texts = ("I tried it.", "Really?")
    placements = (
        Placement(_u("a", None, "Guest", texts[0], 3, 0, 0), None, 1234, 5678),
        Placement(_u("b", None, "Host", texts[1], 4, 1, 0), None, 5761, 6001),
    )
    timeline = Timeline(placements, (), 7000, 24000)
    joined = JoinedCue(
        1234,
        6001,
        "Guest",
        texts,
        True,
        "speech",
        "a",
        voices=("Guest", "Host"),
        labels=(True, True),
        utterance_ids=("a", "b"),
    )
    transcript = Transcript("en.md", {}, (), language="en")
    out = write_transcripts(
        [joined], transcript, out_dir=tmp_path, stem="e", formats=("json",), timeline=timeline
    )
    segments = json.loads(out["transcript_json"].read_text(encoding="utf-8"))["segments"]
    assert segments == [
        {"speaker": "Guest", "startTime": 1.234, "endTime": 5.678, "body": "I tried it."},
        {"speaker": "Host", "startTime": 5.761, "endTime": 6.001, "body": "Really?"},
    ]


def test_json_leaves_out_sentences_of_punctuation_only(tmp_path: Path) -> None:
    timeline = _sentences("A", "Welcome  to\nthe show.", "”", "[laughs]")
    transcript = Transcript("en.md", {}, (), language="en")
    out = write_transcripts(
        [], transcript, out_dir=tmp_path, stem="e", formats=("json",), timeline=timeline
    )
    segments = json.loads(out["transcript_json"].read_text(encoding="utf-8"))["segments"]
    assert [s["body"] for s in segments] == ["Welcome to the show.", "[laughs]"]


def test_html_structure_metadata_headings_and_glossary(tmp_path: Path) -> None:
    timeline = _zh_timeline()
    out = write_transcripts(
        _cues(timeline),
        _zh_transcript(),
        out_dir=tmp_path,
        stem="ep",
        formats=("html",),
        timeline=timeline,
    )
    path = out["html"]
    assert path == tmp_path / "ep.transcript.html"
    page = _parse_html(path)
    assert [d.lower() for d in page.decl] == ["doctype html"]
    tags = dict((t, a) for t, a in reversed(page.tags))
    assert tags["html"]["lang"] == "zh"
    assert tags["meta"] is not None and any(
        a.get("charset") == "utf-8" for t, a in page.tags if t == "meta"
    )
    assert page.text["title"] == ["AI <视频> & 未来"]
    assert page.text["h1"] == ["AI <视频> & 未来"]
    assert page.text["h2"] == ["开场", "讨论"]  # untitled intro takes its chapter's title
    assert page.text["dfn"] == ["Sora 2"]
    assert page.text["dd"][-1] == "OpenAI的视频模型"  # brackets gone, note kept though not spoken
    speakers = [a.get("class") for t, a in page.tags if t == "span"].count("speaker")
    assert speakers == 3  # one per turn, not per utterance
    paragraphs = [p for p in page.text["p"] if p.startswith("[")]
    assert paragraphs == [
        "[00:00] 主持人：欢迎收听。今天聊聊Sora 2。",
        "[00:04] 闲哥：我试用了一下[笑]真的a<b。",
        "[00:08] 老修：成本多高？",
    ]
    assert [a["datetime"] for t, a in page.tags if t == "time"] == [
        "PT0H0M0S",
        "PT0H0M4S",
        "PT0H0M8S",
    ]
    # the term links to its definition, and nothing is loaded from elsewhere
    links = [a["href"] for t, a in page.tags if t == "a"]
    ids = {a.get("id") for _, a in page.tags}
    assert links and all(h is not None and h.startswith("#") and h[1:] in ids for h in links)
    assert not any(t in ("script", "link", "img", "iframe") for t, _ in page.tags)
    raw = path.read_text(encoding="utf-8")
    assert "a&lt;b" in raw and "a<b" not in raw and "<视频>" not in raw
    meta = dict(zip(page.text["dt"], page.text["dd"], strict=False))
    assert meta == {
        "作者": "编辑部",
        "日期": "2025-10-01",
        "标签": "ai、x",
        "说话人": "主持人、闲哥、老修",
        "时长": "00:12",
        "Sora 2": "OpenAI的视频模型",
    }


def test_txt_transcript(tmp_path: Path) -> None:
    timeline = _zh_timeline()
    out = write_transcripts(
        _cues(timeline),
        _zh_transcript(),
        out_dir=tmp_path,
        stem="ep",
        formats=("txt",),
        timeline=timeline,
    )
    lines = out["txt"].read_text(encoding="utf-8").split("\n")
    assert out["txt"] == tmp_path / "ep.transcript.txt"
    assert lines[0] == "AI <视频> & 未来"
    assert "作者：编辑部" in lines and "说话人：主持人、闲哥、老修" in lines
    assert "三位主持人聊聊Sora 2。" in lines
    i = lines.index("## 开场")
    assert lines[i + 2] == "[00:00] 主持人：欢迎收听。今天聊聊Sora 2。"
    assert lines[i + 3].strip() == "Sora 2：OpenAI的视频模型"  # glossary under its turn
    assert "## 讨论" in lines and "[00:08] 老修：成本多高？" in lines


def test_hour_long_programmes_use_hours(tmp_path: Path) -> None:
    u = _u("s00t000u00", "A", "Host", "Late words.", 3, 0, 0)
    timeline = Timeline((Placement(u, None, 3_725_000, 3_726_000),), (), 3_800_000, 24000)
    transcript = Transcript(
        "en.md",
        {"title": "Long"},
        (Section("A", (Turn("Host", "Late words.", 3),)),),
        language="en",
    )
    out = write_transcripts(
        [], transcript, out_dir=tmp_path, stem="l", formats=("txt",), timeline=timeline
    )
    assert "[1:02:05] Host: Late words." in out["txt"].read_text(encoding="utf-8")


def test_clock_formats_of_the_transcripts_reports_and_cli() -> None:
    # transcripts and page: padded minutes, hours decided by the programme's length
    assert clock(65_999, hours=False, pad=True) == "01:05"
    assert clock(3_600_000, hours=False, pad=True) == "60:00"
    assert clock(3_600_000, hours=True, pad=True) == "1:00:00"
    assert clock(5_000, hours=True, pad=True) == "0:00:05"
    assert shows_hours(3_600_000) and not shows_hours(3_599_999)
    # reports: hours only when there is one; the CLI summary: never hours
    assert clock(65_999) == "1:05"
    assert clock(3_725_000) == "1:02:05"
    assert clock(3_725_000, hours=False) == "62:05"
    assert clock(-5) == "0:00"


def test_join_text() -> None:
    assert join_text(["Hello", "[laughs]", "there."]) == "Hello [laughs] there."
    assert join_text(["哈哈", "[笑]", "那当然。"]) == "哈哈[笑]那当然。"
    assert join_text(["用了Sora", "2模型"]) == "用了Sora 2模型"
    assert join_text(["  a  b ", ""]) == "a b"


def test_unknown_format_and_no_temp_files(tmp_path: Path) -> None:
    timeline = _zh_timeline()
    with pytest.raises(ConfigError) as err:
        write_transcripts(
            [], _zh_transcript(), out_dir=tmp_path, stem="e", formats=("pdf",), timeline=timeline
        )
    assert err.value.hint
    (tmp_path / "ep.transcript.html").write_text("stale", encoding="utf-8")
    out = write_transcripts(
        _cues(timeline),
        _zh_transcript(),
        out_dir=tmp_path,
        stem="ep",
        formats=("srt", "vtt", *ALL),
        timeline=timeline,
    )
    assert set(out) == {"transcript_json", "txt", "html"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ep.transcript.html",
        "ep.transcript.json",
        "ep.transcript.txt",
    ]
    assert out["html"].read_text(encoding="utf-8").startswith("<!doctype html>")
    assert not out["transcript_json"].read_bytes().startswith(b"\xef\xbb\xbf")


def test_real_fixture_keeps_glossary_dropped_from_speech(tmp_path: Path) -> None:
    transcript = read_transcript(FIXTURES / "render" / "short_zh.md")
    script = build_script(transcript)
    clips = {
        u.id: Clip(
            u.id, f"/nonexistent/{u.id}.wav", 24000, 200 * len(u.display), (), "espeak", "v", False
        )
        for u in script.utterances
    }
    timeline = assemble(script, clips, pauses=Pauses(), intro_title="开场")
    assert all("OpenAI" not in u.display for u in script.utterances)
    out = write_transcripts(
        _cues(timeline),
        transcript,
        out_dir=tmp_path,
        stem="short_zh",
        formats=ALL,
        timeline=timeline,
    )
    page = _parse_html(out["html"])
    assert page.text["title"] == ["短节目：AI视频的下一步"]
    assert page.text["h2"] == ["开场", "展望"]
    assert page.text["dfn"] == ["Sora 2"]
    assert page.text["dd"][-1] == "OpenAI公司开发的文本到视频生成模型的新版本"
    turns = [p for p in page.text["p"] if p.startswith("[")]
    assert len(turns) == 6  # six turns, ten utterances
    assert turns[4].endswith("比如做短视频的人。这是闲哥的补充段落，也应该用同一个声音读出来。")
    txt = out["txt"].read_text(encoding="utf-8")
    assert "Sora 2：OpenAI公司开发的文本到视频生成模型的新版本" in txt
    assert "作者：测试编辑部" in txt and "日期：2025-10-01" in txt
    segments = json.loads(out["transcript_json"].read_text(encoding="utf-8"))["segments"]
    assert len(segments) == len(script.utterances)
    assert segments[-1]["endTime"] * 1000 <= timeline.duration_ms


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=20,
)


@settings(max_examples=50, deadline=None)
@given(title=_TEXT, speaker=_TEXT, text=_TEXT, term=_TEXT, note=_TEXT)
def test_any_text_is_escaped_in_html(
    title: str, speaker: str, text: str, term: str, note: str
) -> None:
    body = f"{text}{term}（{note}）"
    gloss = Glossary(term, f"（{note}）", len(text) + len(term), len(body))
    transcript = Transcript(
        "p.md",
        {"title": title},
        (Section(None, (Turn(speaker, body, 3, (gloss,)),)),),
        language="en",
    )
    u = _u("s00t000u00", None, speaker, text + term, 3, 0, 0)
    timeline = Timeline((Placement(u, None, 500, 1500),), (), 2000, 24000)
    with tempfile.TemporaryDirectory() as tmp:
        out = write_transcripts(
            [], transcript, out_dir=Path(tmp), stem="p", formats=("html",), timeline=timeline
        )
        page = _parse_html(out["html"])
    assert page.text["title"] == [title] and page.text["h1"] == [title]
    assert [p for p in page.text["p"] if p.startswith("[00:00]")] == [
        f"[00:00] {speaker}: {text}{term}"
    ]
    assert page.text["dfn"] == [term] and page.text["dd"][-1] == note
    assert [t for t, _ in page.tags].count("a") <= 1


@pytest.mark.parametrize("tag", ["zh", "zh-Hans", "zh_CN", " ZH-cn"])
def test_every_stage_reads_a_chinese_tag_alike(tag: str) -> None:
    # one parse (primary_subtag) behind each stage's "is this Chinese?"
    assert primary_subtag(tag) == "zh"
    assert is_chinese(tag)
    assert music_titles(tag)[0] == "片头"  # read split("-") alone before: "zh_CN" was English
    assert iso639_2(tag) == "zho"
    assert _colon(tag) == "："
    assert Entry("AI", "人工智能", language=tag).applies("zh-Hant", "kokoro")
