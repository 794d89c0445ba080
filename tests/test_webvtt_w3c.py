"""W3C's own WebVTT parser (w3c/webvtt.js, npm ``webvtt-parser``) reads our VTT files with no error.

The parser runs in node through ``tests/js/check_vtt.js``; install it once with
``npm ci --prefix tests/js``. Without node or that install the tests skip and
say so. Checked: the golden subtitle and chapters tracks, the writers' output
under each ``vtt_labels`` choice, and a real espeak render of a short fixture.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import render_short_zh

from tts_export.captions.formats import write_subtitles
from tts_export.captions.speakers import JoinedCue
from tts_export.captions.subtitles import VTT_LABELS
from tts_export.models import Chapter, Cue

JS = Path(__file__).resolve().parent / "js"
GOLDEN = Path(__file__).resolve().parent / "golden"
INSTALL = "npm ci --prefix tests/js"


def w3c_parse(*paths: Path) -> dict[str, dict[str, Any]]:
    """Each file's W3C parse: ``{path: {"mode", "cues", "errors": [{"message", "line", "col"}]}}``.

    Skips the calling test when node or the parser is not installed.
    """
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node is not installed; install node 20+ and run `{INSTALL}`")
    if not (JS / "node_modules" / "webvtt-parser").is_dir():
        pytest.skip(f"W3C's webvtt-parser is not installed: run `{INSTALL}`")
    proc = subprocess.run(
        [node, str(JS / "check_vtt.js"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: a file has errors, shown below
    report: dict[str, dict[str, Any]] = json.loads(proc.stdout)
    return report


def assert_no_errors(report: dict[str, dict[str, Any]]) -> None:
    bad = {path: found["errors"][:5] for path, found in report.items() if found["errors"]}
    assert not bad, f"W3C's WebVTT parser reports errors: {bad}"


def test_the_checker_reports_errors_it_finds(tmp_path: Path) -> None:
    """The harness can fail: a header line after the signature is an error."""
    broken = tmp_path / "broken.vtt"
    broken.write_text("WEBVTT\nLanguage: zh\n\n00:00.000 --> 00:01.000\nhi\n", encoding="utf-8")
    report = w3c_parse(broken)
    assert [e["message"] for e in report[str(broken)]["errors"]] == [
        "No blank line after the signature."
    ]


def test_golden_vtt_files_parse_without_errors() -> None:
    paths = sorted(GOLDEN.glob("*.vtt"))
    assert {p.name for p in paths} >= {
        "short_zh.vtt",
        "short_en.vtt",
        "short_zh.chapters.vtt",
        "short_en.chapters.vtt",
    }
    report = w3c_parse(*paths)
    assert_no_errors(report)
    assert report[str(GOLDEN / "short_zh.chapters.vtt")]["mode"] == "chapters"
    assert all(found["cues"] > 0 for found in report.values())


@pytest.mark.parametrize("labels", VTT_LABELS)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_label_choice_parses_without_errors(
    tmp_path: Path, labels: str, language: str
) -> None:
    cues = (
        Cue(500, 2400, "主持人 A&B", ("欢迎收听<本期>节目",), True, "speech", "a"),
        Cue(2483, 4700, "主持人 A&B", ("今天我们聊聊{Sora 2}", "a<b & c>d --> e"), False),
        Cue(5300, 7000, "闲哥", ("[笑]",), True, "sound", "c"),
        Cue(7083, 9000, "闲哥", ("C:\\new path",), False, "speech", "d"),
        JoinedCue(  # a two-speaker cue: one voice span and one hyphenated line per speaker
            9083,
            11000,
            "闲哥",
            ("对吧？", "嗯"),
            False,
            "speech",
            "e",
            voices=("闲哥", "主持人 A&B"),
            labels=(False, True),
            utterance_ids=("e", "f"),
        ),
    )
    chapters = (Chapter("开场 <1> & 2", 0, 5000), Chapter("展望", 5000, 9000))
    written = write_subtitles(
        cues,
        out_dir=tmp_path,
        stem="ep",
        formats=("vtt",),
        chapters=chapters,
        language=language,
        vtt_labels=labels,
    )
    report = w3c_parse(written["vtt"], written["chapters_vtt"])
    assert_no_errors(report)
    assert report[str(written["vtt"])]["cues"] == len(cues)
    assert report[str(written["chapters_vtt"])]["cues"] == len(chapters)


def test_real_espeak_render_parses_without_errors(tmp_path: Path) -> None:
    w3c_parse()  # skip before rendering when the parser is missing
    out = tmp_path / "out"
    proc = render_short_zh(out, tmp_path / "cache", "--captions-formats", "srt,vtt")
    assert proc.returncode == 0, proc.stderr
    vtt, chapters = out / "short_zh.vtt", out / "short_zh.chapters.vtt"
    report = w3c_parse(vtt, chapters)
    assert_no_errors(report)
    assert report[str(vtt)]["cues"] >= 8 and report[str(chapters)]["cues"] == 2
