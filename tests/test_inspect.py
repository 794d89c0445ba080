"""The inspect report: exact JSON shape, counts, plain-text summary, and the seed's golden script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tts_export.output.report import build_report, format_report
from tts_export.output.results import Report
from tts_export.script import build_script
from tts_export.transcript.parse import parse_text, read_transcript

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "transcripts" / "seed_script.json"

TEXT = """---
title: Shape
---
Intro prose for the narrator.

# One

Host: Hello there. How are you?

Guest: Fine (laughs) thanks.

# Two

Host: Bye.

Guest: 再见。

```
skipped
```
"""


def _report_of(text: str = TEXT, **kw: Any) -> Report:
    script = build_script(parse_text(text, path="shape.md"))
    return build_report(
        script,
        voices=kw.get("voices", {"Host": "en-male-1", "Guest": "en-f"}),
        estimated_ms=kw.get("estimated_ms", {"kokoro": 61_500, "edge": 58_000}),
    )


def _report(text: str = TEXT, **kw: Any) -> dict[str, Any]:
    """The report as ``inspect --json`` prints it."""
    return _report_of(text, **kw).to_json()


def test_report_has_exactly_the_documented_shape() -> None:
    report = _report()
    assert list(report) == [
        "dialect",
        "language",
        "title",
        "speakers",
        "sections",
        "turns",
        "utterances",
        "warnings",
        "estimated_ms",
        "lexicon",
    ]
    assert json.loads(json.dumps(report)) == report
    assert set(report["lexicon"]) == {"fired", "uncovered"}
    assert all(set(s) == {"name", "turns", "chars", "voice"} for s in report["speakers"])
    assert all(set(s) == {"title", "turns"} for s in report["sections"])
    assert all(
        set(u) == {"section", "speaker", "display", "spoken", "line"} for u in report["utterances"]
    )
    assert all(set(w) == {"line", "message"} for w in report["warnings"])
    assert isinstance(report["turns"], int)


def test_report_values() -> None:
    report = _report()
    assert (report["dialect"], report["language"], report["title"]) == ("colon", "en", "Shape")
    assert report["speakers"] == [
        {"name": "Narrator", "turns": 1, "chars": 25, "voice": ""},
        {
            "name": "Host",
            "turns": 2,
            "chars": len("Hellothere.Howareyou?Bye."),
            "voice": "en-male-1",
        },
        {"name": "Guest", "turns": 2, "chars": len("Finethanks.再见。"), "voice": "en-f"},
    ]
    assert report["sections"] == [
        {"title": "", "turns": 1},
        {"title": "One", "turns": 2},
        {"title": "Two", "turns": 2},
    ]
    assert report["turns"] == 5 == sum(s["turns"] for s in report["speakers"])
    assert report["utterances"][0] == {
        "section": None,
        "speaker": "Narrator",
        "display": "Intro prose for the narrator.",
        "spoken": "Intro prose for the narrator.",
        "line": 4,
    }
    sound = [u for u in report["utterances"] if u["display"] == "[laughs]"]
    assert sound == [
        {"section": "One", "speaker": "Guest", "display": "[laughs]", "spoken": "", "line": 10}
    ]
    assert report["warnings"] == [{"line": 18, "message": "code block skipped (not read aloud)"}]
    assert report["estimated_ms"] == {"kokoro": 61_500, "edge": 58_000}


def test_format_report_is_a_readable_summary() -> None:
    text = format_report(_report_of())
    assert "title:     Shape" in text
    assert "dialect:   colon" in text
    assert "Host" in text and "en-male-1" in text
    assert "kokoro     1:01" in text and "edge       0:58" in text
    assert "line 18: code block skipped" in text
    assert "1. (untitled)" in text and "2. One" in text
    assert not text.endswith("\n")


def test_format_report_handles_hours_and_no_warnings() -> None:
    report = _report_of(
        "Host: a\n\nGuest: b\n\nHost: c\n\nGuest: d\n", estimated_ms={"kokoro": 3_723_000}
    )
    text = format_report(report)
    assert "kokoro     1:02:03" in text
    assert "warnings: none" in text
    assert "title:     (none)" in text


def test_seed_script_is_unchanged() -> None:
    """The seed segments exactly as recorded in the golden file (update it only on purpose)."""
    script = build_script(read_transcript(SEED))
    rows = [
        [u.id, u.section, u.speaker, u.kind, u.display, u.spoken, u.line] for u in script.utterances
    ]
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(rows) == len(golden)
    for row, expected in zip(rows, golden, strict=True):
        assert row == expected
    report = build_report(script, voices={}, estimated_ms={}).to_json()
    assert [(s["name"], s["turns"]) for s in report["speakers"]] == [
        ("主持人", 47),
        ("闲哥", 38),
        ("老修", 41),  # as `grep -c '^name:'` counts them
    ]
    assert report["turns"] == 126
    assert report["warnings"] == []
