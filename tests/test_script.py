"""Segmenting turns into utterances, plus property tests over parse + script."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tts_export.common.lang import detect_language, display_width, is_cjk
from tts_export.errors import ConfigError, TranscriptError
from tts_export.script import build_script, split_long, split_sentences
from tts_export.transcript.parse import parse_text


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("你好。我很好！你呢？", ["你好。", "我很好！", "你呢？"]),
        ("他说：“走吧。”然后走了。", ["他说：“走吧。”", "然后走了。"]),
        ("真的吗？！当然……好吧⋯⋯行。", ["真的吗？！", "当然……", "好吧⋯⋯", "行。"]),
        ("第一；第二。", ["第一；", "第二。"]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        (
            "It costs 3.5 dollars, e.g. a coffee. Fine!",
            ["It costs 3.5 dollars, e.g. a coffee.", "Fine!"],
        ),
        (
            "Version v1.2 is out. See example.com/a.b now.",
            ["Version v1.2 is out.", "See example.com/a.b now."],
        ),
        ("Wait... what? Really!", ["Wait... what?", "Really!"]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("(It ended.) Next.", ["(It ended.)", "Next."]),
        ("J. R. R. Tolkien wrote it.", ["J. R. R. Tolkien wrote it."]),
        ("这是AI. 那是ML。", ["这是AI.", "那是ML。"]),
        ("line one\nline two", ["line one", "line two"]),
        ("at 10:30 a.m. sharp.", ["at 10:30 a.m. sharp."]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_long_chinese_sentence_is_cut_at_clause_punctuation() -> None:
    clause = "这是一个相当长的分句用来测试切分功能是否正常"  # 22 Han characters
    sentence = "，".join([clause] * 12) + "。"
    pieces = split_long(sentence)
    assert len(pieces) > 1
    assert "".join(pieces) == sentence
    assert all(len(p) <= 125 for p in pieces)
    assert all(p.endswith(("，", "。")) for p in pieces)


def test_long_english_sentence_never_cuts_words_or_numbers() -> None:
    sentence = ", ".join(f"item number {i} costs 1,000.50 dollars" for i in range(20)) + "."
    pieces = split_long(sentence)
    assert len(pieces) > 1
    assert "".join(pieces) == sentence
    assert all(len(p) <= 310 for p in pieces)
    assert all(p.rstrip().endswith((",", ".")) for p in pieces)


def test_long_run_without_punctuation_is_cut_between_han_characters() -> None:
    sentence = "字" * 400
    pieces = split_long(sentence)
    assert "".join(pieces) == sentence
    assert max(len(p) for p in pieces) <= 120


SAMPLE = """---
title: Sample
---
# Part A

Host: Hello **world**（地球）. How are you?

Guest: Fine (laughs) thanks.

(applause)

# Part B

Host: Bye.
"""


def test_ids_sections_and_sound_utterances() -> None:
    script = build_script(parse_text(SAMPLE))
    rows = [(u.id, u.section, u.speaker, u.kind, u.display, u.spoken) for u in script.utterances]
    assert rows == [
        ("s00t000u00", "Part A", "Host", "speech", "Hello world.", "Hello world."),
        ("s00t000u01", "Part A", "Host", "speech", "How are you?", "How are you?"),
        ("s00t001u00", "Part A", "Guest", "speech", "Fine", "Fine"),
        ("s00t001u01", "Part A", "Guest", "sound", "[laughs]", ""),
        ("s00t001u02", "Part A", "Guest", "speech", "thanks.", "thanks."),
        ("s00t002u00", "Part A", "Guest", "sound", "[applause]", ""),
        ("s01t003u00", "Part B", "Host", "speech", "Bye.", "Bye."),
    ]
    assert [u.line for u in script.utterances] == [6, 6, 8, 8, 8, 10, 14]
    assert script.utterances[-1].turn_index == 3
    assert script.utterances[-1].section_index == 1


def test_glossary_keep_reads_the_note() -> None:
    keep = build_script(parse_text(SAMPLE), glossary="keep")
    assert keep.utterances[0].display == "Hello world（地球）."
    assert keep.utterances[0].spoken == "Hello world（地球）."


def test_bad_glossary_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        build_script(parse_text(SAMPLE), glossary="maybe")  # type: ignore[arg-type]


def test_punctuation_only_text_is_not_an_utterance() -> None:
    script = build_script(parse_text("Host: ……\n\nGuest: 好。\n\nHost: 嗯。\n\nGuest: ！\n"))
    assert [(u.speaker, u.display) for u in script.utterances] == [
        ("Guest", "好。"),
        ("Host", "嗯。"),
    ]


def test_language_helpers() -> None:
    assert detect_language("Sora 2的物理引擎非常强大，OpenAI和Amazon都很重视。") == "zh"
    assert detect_language("We discussed 北京 briefly in English.") == "en"
    assert detect_language("") == "en"
    assert is_cjk("中") and is_cjk("〇") and not is_cjk("a") and not is_cjk("。")
    assert display_width("中文AB", "zh") == 3.0
    assert display_width("中文AB", "en") == 4.0
    assert display_width("ＡＢ，", "zh-Hans") == 3.0


# --- properties --------------------------------------------------------------

FRAGMENTS = [
    "**",
    "*",
    "_",
    "__",
    "[",
    "]",
    "(",
    ")",
    "[[",
    "]]",
    "](",
    "|",
    ">",
    "#",
    "- ",
    "`",
    "http://",
    "https://",
    "www.",
    "example.com",
    "/path",
    "10:30",
    "0:12:34",
    "[05:42]",
    "(00:12:34)",
    "12:34 - ",
    "(laughs)",
    "[笑]",
    "（",
    "）",
    "Host: ",
    "主持人：",
    "Guest：",
    "**Host:** ",
    "**Guest** ",
    "[Alice] ",
    "【嘉宾】",
    "JAMES: ",
    "\n",
    "\n\n",
    "# ",
    "---",
    "```",
    "<b>",
    "</b>",
    "<!--",
    "-->",
    "。",
    ".",
    "!",
    "?",
    "…",
    " ",
    "abc",
    "Def",
    "中文",
    "3.5",
    "Mr.",
    "&amp;",
    "{#a}",
    "[^1]",
    "\r\n",
    "\r",
    "**Sora 2**（模型）",
    "![x](y.png)",
    "[t](https://u.org)",
    "[[A|B]]",
    "[[A > B]]",
    "<br>",
    "Note: ",
    "\t",
    "　",
]
URL = re.compile(r"(?i)https?:|https?//|www\.")
TIMESTAMP = re.compile(r"\d{1,2}:\d{2}:\d{2}|[\[(（]\s*\d{1,2}:\d{2}")
sources = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=40).map("".join),
    st.text(max_size=200),
)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _script_or_none(text: str) -> tuple[str, list[str]] | None:
    try:
        # The cleanup's properties; normalising numbers adds words on purpose.
        script = build_script(parse_text(text), normalize=False)
    except TranscriptError:
        return None
    return text, [u.spoken for u in script.utterances]


@FAST
@given(sources)
def test_any_text_parses_or_gives_a_transcript_error(text: str) -> None:
    try:
        transcript = parse_text(text)
    except TranscriptError as error:
        assert error.problem and error.hint
        return
    script = build_script(transcript)
    assert all(u.kind == "sound" or u.spoken for u in script.utterances)
    assert all(
        u.id.startswith(f"s{u.section_index:02d}t{u.turn_index:03d}u") for u in script.utterances
    )


@FAST
@given(sources)
def test_spoken_text_only_uses_source_characters_in_order(text: str) -> None:
    result = _script_or_none(text)
    if result is None:
        return
    source = iter(ch for ch in text if not ch.isspace())
    for ch in "".join(result[1]):
        if ch.isspace():
            continue
        # consume the source until this character: it must come from there, in order
        assert any(ch == other for other in source), (ch, text, result[1])


@FAST
@given(sources)
@example("`www.```")  # found by Hypothesis: a URL inside inline code
@example("[*12:34 - ")  # found by Hypothesis: a timestamp behind a stray marker
@example("http://example.comwww.")
def test_no_markup_urls_or_timestamps_are_spoken(text: str) -> None:
    result = _script_or_none(text)
    if result is None:
        return
    for spoken in result[1]:
        for marker in ("**", "](", "[["):
            assert marker not in spoken, (marker, spoken, text)
        # URLs are never read out; the plain word "HTTP" in a sentence may be
        assert not URL.search(spoken), (spoken, text)
        assert not TIMESTAMP.search(spoken), (spoken, text)


@FAST
@given(sources)
def test_glossary_spans_always_point_at_their_notes(text: str) -> None:
    try:
        transcript = parse_text(text)
    except TranscriptError:
        return
    for section in transcript.sections:
        for turn in section.turns:
            last = 0
            for note in turn.glossary:
                assert last <= note.start < note.end <= len(turn.text)
                assert turn.text[note.start : note.end] == note.note
                last = note.end
            assert "\ue000" not in turn.text and "\ue001" not in turn.text
