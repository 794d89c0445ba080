"""Speaker-label dialects, checked on the ``inspect --json`` report of fixture transcripts.

Every fixture holds traps: cast lists, ``Note:`` prose, URLs, times, bold
terms and sound cues that look like labels but must not become speakers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tts_export.errors import ConfigError
from tts_export.output.report import build_report
from tts_export.script import build_script
from tts_export.transcript import dialects, labels
from tts_export.transcript.front_matter import declared_speakers
from tts_export.transcript.parse import NARRATOR, parse_text, read_transcript

HERE = Path(__file__).resolve().parent / "fixtures" / "transcripts"


def report(name: str, **options: Any) -> dict[str, Any]:
    script = build_script(read_transcript(HERE / name, **options))
    voices = {speaker: f"voice-{i}" for i, speaker in enumerate(script.transcript.speakers)}
    data = build_report(script, voices=voices, estimated_ms={"kokoro": 1234}).to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # one JSON object
    return data


def speakers(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [(s["name"], s["turns"]) for s in data["speakers"]]


def said(data: dict[str, Any]) -> list[tuple[str, str]]:
    return [(u["speaker"], u["display"]) for u in data["utterances"]]


def warned(data: dict[str, Any]) -> list[int]:
    return [w["line"] for w in data["warnings"]]


# --- colon -------------------------------------------------------------------


def test_colon_english_multiword_names_and_traps() -> None:
    data = report("colon_en.md")
    assert data["dialect"] == "colon"
    assert data["language"] == "en"
    assert data["title"] == "The Long Interview"
    assert speakers(data) == [
        ("Narrator", 1),
        ("Jane Doe", 3),
        ("Gary Null", 2),
        ("Caller Number One", 1),
    ]
    lines = said(data)
    # prose and the cast list before the first turn are read by the narrator
    assert lines[:5] == [
        ("Narrator", "Recorded in Berlin."),
        ("Narrator", "This episode was edited for length."),
        ("Narrator", "Cast:"),
        ("Narrator", "Host: Jane Doe"),
        ("Narrator", "Guest: Gary Null"),
    ]
    # "Note:" prose and a line starting with a time continue the speaker above
    assert ("Gary Null", "Note: the next part was recorded later.") in lines
    assert ("Gary Null", "10:30 is when we came back.") in lines
    assert ("Gary Null", "It was longer than I expected, about 3.5 hours of reading.") in lines
    # the URL is read as its domain, never as "https"
    assert ("Gary Null", "I read the report at example.com last night.") in lines
    assert ("Gary Null", "[laughs]") in lines
    assert [s["title"] for s in data["sections"]] == ["The Long Interview", "Listener Questions"]
    # "Cast:" alone on a line is refused (warning); the one-off caller is a guess (warning)
    assert warned(data) == [10, 31]
    assert "Cast" in data["warnings"][0]["message"]
    assert "Caller Number One" in data["warnings"][1]["message"]
    assert {s["name"]: s["voice"] for s in data["speakers"]}["Jane Doe"] == "voice-1"


def test_colon_chinese_fullwidth_and_traps() -> None:
    data = report("colon_zh.md")
    assert (data["dialect"], data["language"], data["title"]) == ("colon", "zh", "周末茶话")
    assert speakers(data) == [("旁白", 1), ("主持人", 2), ("李四", 2)]
    lines = said(data)
    assert ("旁白", "主持人：张三") in lines  # a cast-list item is not a turn
    assert ("李四", "他说：这句话我听了三十年。") in lines  # "他说" is a verb phrase
    assert ("李四", "注：以下内容仅代表个人观点。") in lines
    assert ("李四", "[笑]") in lines
    assert lines[-1] == ("李四", "一般十一点吧。")  # "李四:text" with no space
    assert [u["spoken"] for u in data["utterances"] if u["display"] == "[笑]"] == [""]
    assert warned(data) == [6]  # "本期嘉宾：" introduces a list


def test_colon_turns_on_consecutive_lines() -> None:
    data = report("colon_compact.md")
    assert speakers(data) == [("Alice", 3), ("Bob", 2)]
    assert ("Bob", "The weather was great, by the way.") in said(data)
    assert [u["line"] for u in data["utterances"]] == [1, 2, 2, 3, 3, 4, 4, 6]


# --- bold --------------------------------------------------------------------


def test_bold_name_with_colon_inside() -> None:
    data = report("bold_inside.md")
    assert data["dialect"] == "bold"
    assert speakers(data) == [("Host", 2), ("Guest", 2)]
    assert ("Host", "Today we discuss entropy (a measure of disorder) in depth.") in said(data)
    assert data["warnings"] == []


def test_bold_name_with_colon_outside_and_glossary_dropped() -> None:
    data = report("bold_outside.md")
    assert (data["dialect"], data["language"]) == ("bold", "zh")
    assert speakers(data) == [("主持人", 2), ("嘉宾", 2)]
    assert ("主持人", "今天聊聊大模型。") in said(data)


def test_bold_name_without_colon_is_not_confused_with_bold_terms() -> None:
    data = report("bold_plain.md")
    assert data["dialect"] == "bold"
    assert speakers(data) == [("Gary Null", 2), ("Ray Peat", 2)]
    assert ("Ray Peat", "Thyroid is a gland in the neck, and this sentence is prose.") in said(data)


# --- bracket -----------------------------------------------------------------


def test_bracket_with_colon_and_link_trap() -> None:
    data = report("bracket_colon.md")
    assert data["dialect"] == "bracket"
    assert speakers(data) == [("Alice", 2), ("Bob", 2)]
    assert said(data)[:2] == [("Alice", "Did you read the paper?"), ("Bob", "Yes, twice.")]
    assert ("Bob", "the paper is long, and this line is not a speaker.") in said(data)
    assert not any("train" in u["display"] for u in data["utterances"])  # footnote definition


def test_bracket_without_colon_sound_cues_and_timestamps() -> None:
    data = report("bracket_plain.md")
    assert data["dialect"] == "bracket"
    assert speakers(data) == [("Host", 2), ("Guest", 2)]
    assert said(data) == [
        ("Host", "Welcome back to the programme."),
        ("Host", "[laughs]"),
        ("Guest", "Thanks."),
        ("Guest", "Glad to be here."),
        ("Host", "Let us begin."),
        ("Guest", "Sure."),
        ("Guest", "[laughs]"),
        ("Guest", "Where to start?"),
    ]


def test_bracket_cjk_lenticular() -> None:
    data = report("bracket_cjk.md")
    assert (data["dialect"], data["language"], data["title"]) == ("bracket", "zh", "方括号访谈")
    assert speakers(data) == [("主持人", 2), ("嘉宾", 2)]
    assert ("嘉宾", "[笑]") in said(data)
    assert data["sections"] == [{"title": "开场", "turns": 4}]


# --- screenplay --------------------------------------------------------------


def test_screenplay_upper_case_names() -> None:
    data = report("screenplay.md")
    assert data["dialect"] == "screenplay"
    assert speakers(data) == [("JAMES", 2), ("MARY", 3)]
    assert ("MARY", "[sighs]") in said(data)
    assert ("MARY", "NOTE: This is a rehearsal draft.") in said(data)  # NOTE is no speaker


def test_screenplay_asr_speaker_ids() -> None:
    data = report("screenplay_asr.md")
    assert data["dialect"] == "screenplay"
    assert speakers(data) == [("SPEAKER_00", 2), ("SPEAKER_01", 2)]


# --- timestamps --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "dialect", "names", "continuation"),
    [
        ("ts_bold.md", "timestamped-bold", ["Gary Null", "Ray Peat"], "It has been a while."),
        ("ts_bracket.md", "timestamped-colon", ["Host", "Guest"], "It is a pleasure."),
        ("ts_paren.md", "timestamped-colon", ["Host", "Guest"], "Picking up where we left off."),
        ("ts_dash.md", "timestamped-colon", ["Host", "Guest"], "And good morning."),
    ],
)
def test_leading_timestamps(name: str, dialect: str, names: list[str], continuation: str) -> None:
    data = report(name)
    assert data["dialect"] == dialect
    assert speakers(data) == [(names[0], 2), (names[1], 2)]
    # a timestamped line with no label continues the speaker above
    previous = [u["speaker"] for u in data["utterances"] if u["display"] == continuation]
    assert previous in ([names[1]], [names[0]])
    assert previous == [said(data)[[d for _, d in said(data)].index(continuation) - 1][0]]
    for utterance in data["utterances"]:
        assert not any(ch.isdigit() for ch in utterance["spoken"])


def test_name_and_timestamp_lines_from_asr_tools() -> None:
    data = report("asr_lines.md")
    assert data["dialect"] == "colon"
    assert speakers(data) == [("Speaker 1", 2), ("Speaker 2", 1), ("Gary Null", 1)]
    assert said(data)[-1] == ("Gary Null", "I have a question.")
    assert data["warnings"] == []  # "Name (00:00):" is a distinctive form, not a guess


# --- ids from front matter ---------------------------------------------------


def test_speaker_ids_from_front_matter_mapping() -> None:
    data = report("ids_mapping.md")
    assert speakers(data) == [("Gary Null", 2), ("Ray Peat", 1)]
    assert data["warnings"] == []


def test_speaker_ids_from_participant_list() -> None:
    data = report("ids_list.md")
    assert data["dialect"] == "bold"
    assert speakers(data) == [("Alice", 1), ("Bob", 1)]


# --- prose, headings ---------------------------------------------------------


def test_prose_only_wiki_article() -> None:
    data = report("prose_wiki.md")
    assert (data["dialect"], data["language"], data["title"]) == ("prose", "en", "Sound Design")
    assert speakers(data) == [("Narrator", 1)]
    assert [u["display"] for u in data["utterances"]] == [
        "Sound design is the art of creating soundtracks for media.",
        "See Foley and post-production.",
        "It draws on acoustics and Theory.",
        "Note: this article is a stub.",
        "More at example.com.",
    ]
    assert [(w["line"], w["message"].split(" (")[0]) for w in data["warnings"]] == [
        (11, "code block skipped"),
        (15, "table skipped"),
    ]


def test_prose_only_chinese_uses_the_chinese_narrator() -> None:
    data = report("prose_zh.md")
    assert (data["dialect"], data["language"]) == ("prose", "zh")
    assert speakers(data) == [("旁白", 1)]
    assert said(data)[-1] == ("旁白", "注意：本文仅供参考。")


def test_prose_before_turns_and_headings_at_any_level() -> None:
    data = report("prose_then_turns.md")
    assert speakers(data) == [("Narrator", 1), ("Host", 2), ("Guest", 2)]
    assert data["sections"] == [
        {"title": "", "turns": 1},
        {"title": "Episode One", "turns": 2},
        {"title": "A Small Heading", "turns": 2},
    ]


# --- forcing and detection rules ---------------------------------------------


def test_single_unsupported_label_is_prose_with_a_warning_unless_forced() -> None:
    text = "Host: Hello there.\nAnd the text goes on without another label."
    detected = parse_text(text)
    assert detected.dialect == "prose"
    assert detected.speakers == ("Narrator",)
    assert detected.notes[0].line == 1 and "Host" in detected.notes[0].message
    forced = parse_text(text, dialect="colon")
    assert (forced.dialect, forced.speakers, forced.notes) == ("colon", ("Host",), ())


# A one-line transcript is its only evidence: a label on it is a turn, by the
# rules a once-seen name follows in a longer file (a colon name seen once is
# warned about; a bold or bracket label with a colon is distinctive and is not).
@pytest.mark.parametrize(
    ("text", "dialect", "speaker", "said", "warned"),
    [
        ("Host: Hello.", "colon", "Host", "Hello.", True),
        ("**Host:** Hello.", "bold", "Host", "Hello.", False),
        ("[Host]: Hello.", "bracket", "Host", "Hello.", False),
        ("主持人：你好。", "colon", "主持人", "你好。", True),
        ("HOST: Hello.", "screenplay", "HOST", "Hello.", True),
        # as in a longer file, a capitalised word is a plausible name: the warning tells
        ("Wait: what?", "colon", "Wait", "what?", True),
        ("# Episode 1\n\nHost: Hello.\n", "colon", "Host", "Hello.", True),
        ("---\ntitle: T\n---\n[00:01] Host: Hello.\n", "timestamped-colon", "Host", "Hello.", True),
    ],
)
def test_a_one_line_transcript_with_a_label_is_a_turn(
    text: str, dialect: str, speaker: str, said: str, warned: bool
) -> None:
    transcript = parse_text(text)
    assert transcript.dialect == dialect
    assert [(t.speaker, t.text) for s in transcript.sections for t in s.turns] == [(speaker, said)]
    assert [("only one turn" in n.message) for n in transcript.notes] == ([True] if warned else [])


@pytest.mark.parametrize(
    "text",
    [
        "Note: this is prose.",
        "注意：这是正文。",
        "很多人都会问的一个问题：为什么？",
        "Links:",
        "See https://example.com/a: it is prose.",
        "We meet at 10:30: be there.",
        "Host:",
    ],
)
def test_a_one_line_prose_text_with_a_colon_stays_prose(text: str) -> None:
    transcript = parse_text(text)
    assert transcript.dialect == "prose"
    assert transcript.speakers == (NARRATOR[transcript.language],)


def test_forcing_prose_reads_everything_with_the_narrator() -> None:
    transcript = read_transcript(HERE / "colon_en.md", dialect="prose")
    assert transcript.dialect == "prose"
    assert transcript.speakers == ("Narrator",)


def test_forcing_screenplay_keeps_only_upper_case_names() -> None:
    text = "HOST: one\n\nGuest: two\n\nHOST: three\n"
    transcript = parse_text(text, dialect="screenplay")
    assert transcript.speakers == ("HOST",)
    # "Guest:" is no label in a forced screenplay: it continues HOST's turn
    assert [t.text for t in transcript.sections[0].turns] == ["one\nGuest: two", "three"]


def test_timestamped_option_reports_the_timestamped_dialect() -> None:
    text = "Host: hi\nGuest: hello\nHost: bye\n"
    assert parse_text(text, dialect="timestamped").dialect == "timestamped-colon"
    assert parse_text(text, dialect="timestamped-colon").dialect == "timestamped-colon"


def test_unknown_dialect_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_text("Host: hi", dialect="klingon")
    assert caught.value.setting == "dialect"
    assert "colon" in caught.value.hint


@pytest.mark.parametrize(
    "name",
    ["Note", "https", "10", "12:30", "- Host", "他说", "This is what I mean", "注", "1. Host"],
)
def test_implausible_names(name: str) -> None:
    assert not labels.plausible_name(name, "colon")


@pytest.mark.parametrize(
    "name",
    [
        "Host",
        "Gary Null",
        "Ludwig van Beethoven",
        "Dr. Smith",
        "主持人",
        "Speaker 1",
        "SPEAKER_00",
        "J. R. Smith",
        "R&D Lead",
        "Tom & Jerry",
        "O'Brien",
        "Jean-Luc",
    ],
)
def test_plausible_names(name: str) -> None:
    assert labels.plausible_name(name, "colon")


# Han outside the basic block: CJK extension A, extension B, compatibility ideographs.
RARE_HAN_NAMES = ["\u3400\u3401", "\U00020000\U00020001", "\uf900\uf901"]


@pytest.mark.parametrize("name", RARE_HAN_NAMES)
def test_names_in_rarer_han_blocks_are_chinese_names(name: str) -> None:
    assert labels.plausible_name(name, "colon")
    # a half-width colon with no space after it still reads as a label after a Chinese name
    label = labels.match_label(f"{name}:你好", "colon")
    assert label is not None and (label.name, label.text) == (name, "你好")


@pytest.mark.parametrize("name", RARE_HAN_NAMES)
def test_speaker_named_in_rarer_han_blocks_gets_turns(name: str) -> None:
    transcript = parse_text(f"{name}:你好\n\n主持人:欢迎\n\n{name}:谢谢\n")
    assert transcript.dialect == "colon"
    assert transcript.speakers == (name, "主持人")


def test_url_and_time_lines_never_become_labels() -> None:
    text = "Host: a\n\nhttps://example.com/x\n\n10:30: coffee\n\nHost: b\n\nGuest: c\n"
    transcript = parse_text(text)
    assert transcript.speakers == ("Host", "Guest")
    assert labels.match_label("https://example.com/x", "colon") is None


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"speakers": {"GN": "Gary Null"}}, {"GN": "Gary Null", "Gary Null": "Gary Null"}),
        (
            {"speakers": {"GN": {"name": "Gary Null"}}},
            {"GN": "Gary Null", "Gary Null": "Gary Null"},
        ),
        (
            {"participants": [{"id": "A", "name": "Alice"}, {"name": "Bob"}]},
            {"A": "Alice", "Alice": "Alice", "Bob": "Bob"},
        ),
        ({"speakers": ["Host", "Guest"]}, {"Host": "Host", "Guest": "Guest"}),
        ({"speakers": "not a list"}, {}),
        ({"speakers": [None, {"id": None}, 3]}, {"3": "3"}),
    ],
)
def test_declared_speakers(meta: dict[str, Any], expected: dict[str, str]) -> None:
    assert declared_speakers(meta) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (None, False)),
        ("auto", (None, False)),
        ("Bold", ("bold", False)),
        ("timestamped", (None, True)),
        ("timestamped-bracket", ("bracket", True)),
        ("prose", ("prose", False)),
    ],
)
def test_dialect_option(value: str | None, expected: tuple[str | None, bool]) -> None:
    assert dialects.parse_option(value) == expected


def test_times_after_a_preposition_are_not_labels() -> None:
    transcript = parse_text("Host: a\n\nAt 10:30: coffee.\n\nGuest: b\n\nHost: c\n\nGuest: d\n")
    assert transcript.speakers == ("Host", "Guest")
    assert transcript.sections[0].turns[0].text == "a\nAt 10:30: coffee."
