"""Markup clean-up: what is shown and spoken after Markdown, HTML, links and timestamps go."""

from __future__ import annotations

import pytest

from tts_export.script import build_script
from tts_export.transcript.markup import clean_inline, find_sound_cues, is_sound_cue, is_sound_label
from tts_export.transcript.parse import parse_text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Read **this** and *that*.", "Read this and that."),
        ("Read __those__ and _these_ here.", "Read those and these here."),
        ("snake_case_name and 2*3*4 stay", "snake_case_name and 2*3*4 stay"),
        ("see [the docs](https://docs.example.com/a?b=1) now", "see the docs now"),
        ("an ![image](pic.png) here", "an here"),
        ("[[Target]] and [[Target|Shown]] and [[A > B]]", "Target and Shown and B"),
        ("<b>Bold</b> and <span class='x'>span</span>", "Bold and span"),
        ("before<!-- hidden -->after", "beforeafter"),
        ("claim.[^1] next {#anchor}", "claim. next"),
        ("At [05:42] we paused (00:12:34) then 0:12:34.5 passed", "At we paused then passed"),
        ("We meet at 10:30 today", "We meet at 10:30 today"),
        ("visit https://www.example.com/path?q=1. Then", "visit example.com. Then"),
        ("a link (https://example.com/x) in brackets", "a link in brackets"),
        ("angle <https://example.com> link", "angle link"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        (r"an \*escaped\* star", "an *escaped* star"),
        ("use `code` inline", "use code inline"),
        ("unclosed **bold and [[wiki", "unclosed bold and wiki"),
        ("两个  空格\t和全角　空格", "两个 空格 和全角 空格"),
    ],
)
def test_clean_inline(source: str, expected: str) -> None:
    assert clean_inline(source).text == expected


def test_glossary_notes_are_spans_into_the_display_text() -> None:
    source = (
        "这一次**Sora 2**（OpenAI公司开发的文本到视频生成模型的新版本）的"
        "**物理引擎**（Physical Engine: 模拟真实世界物理规律的软件模块）非常强大。"
    )
    cleaned = clean_inline(source)
    assert "**" not in cleaned.text
    assert [(g.term, cleaned.text[g.start : g.end]) for g in cleaned.glossary] == [
        ("Sora 2", "（OpenAI公司开发的文本到视频生成模型的新版本）"),
        ("物理引擎", "（Physical Engine: 模拟真实世界物理规律的软件模块）"),
    ]
    assert all(cleaned.text[g.start : g.end] == g.note for g in cleaned.glossary)
    kept = "".join(
        cleaned.text[a:b]
        for a, b in zip(
            [0, *(g.end for g in cleaned.glossary)],
            [*(g.start for g in cleaned.glossary), len(cleaned.text)],
            strict=True,
        )
    )
    assert kept == "这一次Sora 2的物理引擎非常强大。"


def test_glossary_needs_the_note_right_after_the_bold_term() -> None:
    assert clean_inline("**term** (not a note) here").glossary == ()
    spaced = clean_inline("  **A**(x) and **B**（y（z））")
    assert [(g.term, g.note) for g in spaced.glossary] == [("A", "(x)"), ("B", "（y（z））")]
    assert [spaced.text[g.start : g.end] for g in spaced.glossary] == ["(x)", "（y（z））"]


def test_glossary_note_with_markup_inside_is_cleaned() -> None:
    cleaned = clean_inline("**AI**（see [wiki](https://w.org) *now*）.")
    assert cleaned.text == "AI（see wiki now）."
    assert cleaned.glossary[0].note == "（see wiki now）"


def test_dropped_urls_are_reported() -> None:
    assert clean_inline("go to https://a.example.org/x and (https://b.org)").dropped == (
        "a URL",
        "a URL in brackets",
    )


def test_sound_cues_are_found_with_wcag_captions() -> None:
    text = "Well (laughs) I think [笑] so (Intro music: soft piano) but (not a cue) and [1]"
    assert [caption for _, _, caption in find_sound_cues(text)] == [
        "[laughs]",
        "[笑]",
        "[Intro music: soft piano]",
    ]
    start, end, _ = find_sound_cues(text)[0]
    assert text[start:end] == "(laughs)"


def test_sound_only_text() -> None:
    assert is_sound_cue("(laughs)")
    assert is_sound_cue(" [笑] （掌声） ")
    assert not is_sound_cue("(laughs) okay")
    assert not is_sound_cue("(an aside)")
    assert is_sound_label("applause, long")
    assert not is_sound_label("Alice")


def test_glossary_inside_links_and_notes_stays_aligned() -> None:
    cleaned = clean_inline("**a**(x **b**(y) z) then [**c**（d）](https://u.org) and **e**(f)")
    assert cleaned.text == "a(x b(y) z) then c（d） and e(f)"
    assert [(g.term, g.note) for g in cleaned.glossary] == [
        ("a", "(x b(y) z)"),
        ("c", "（d）"),
        ("e", "(f)"),
    ]
    assert all(cleaned.text[g.start : g.end] == g.note for g in cleaned.glossary)


# Struck text is what the author deleted (a correction): neither spoken nor captioned.
@pytest.mark.parametrize(
    ("source", "expected", "struck"),
    [
        ("It costs ~~ten~~ twelve dollars.", "It costs twelve dollars.", True),
        ("价格是~~十~~十二元。", "价格是十二元。", True),
        ("~~A whole struck sentence.~~ Then the rest.", "Then the rest.", True),
        ("struck ~~**bold** and [a link](https://x.org)~~ gone", "struck gone", True),
        ("an unclosed ~~marker is dropped", "an unclosed marker is dropped", False),
        ("spaced ~~ not struck ~~ here", "spaced not struck here", False),
        ("a range 3~5 and ~ alone stay", "a range 3~5 and ~ alone stay", False),
    ],
)
def test_struck_text_is_neither_shown_nor_spoken(source: str, expected: str, struck: bool) -> None:
    cleaned = clean_inline(source)
    assert cleaned.text == expected
    assert ("struck-out text" in cleaned.dropped) is struck


def test_struck_text_leaves_captions_and_speech_alike() -> None:
    source = "Host: It was ~~wrong~~ right.\n\nGuest: ~~Cut this.~~\n\nHost: Yes.\n"
    script = build_script(parse_text(source), normalize=False)
    assert [(u.speaker, u.display, u.spoken) for u in script.utterances] == [
        ("Host", "It was right.", "It was right."),
        ("Host", "Yes.", "Yes."),
    ]
