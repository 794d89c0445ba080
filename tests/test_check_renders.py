"""`check` on everything a real espeak render writes: the tool passes its own rules.

Issue 22: an English render kept a cue under 5/6 s, left gaps that its own
chaining rule flags, and ``check`` exited 1 on the render's chapters track.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, run_cli

# rules the cue layout keeps on every file it writes (the audio allowing)
_LAYOUT_RULES = {"min-duration", "chaining", "gap"}


def _check(path: Path, audio: Path) -> tuple[int, dict[str, Any]]:
    done = run_cli("check", str(path), "--audio", str(audio), "--json")
    return done.returncode, json.loads(done.stdout)


@pytest.mark.parametrize("name", ["replies_en", "short_zh"])
def test_check_passes_every_caption_file_of_a_render(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    done = run_cli(
        "render", str(FIXTURES / "render" / f"{name}.md"), "--engine", "espeak",
        "--out", str(out), "--cache-dir", str(tmp_path / "cache"), "--quiet",
        "--captions-formats", "srt,vtt,ass",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    audio = out / f"{name}.mp3"
    files = [out / f"{name}{suffix}" for suffix in (".srt", ".vtt", ".ass", ".chapters.vtt")]
    assert all(path.is_file() for path in files), sorted(p.name for p in out.iterdir())
    for path in files:
        code, report = _check(path, audio)
        assert report["errors"] == [], path.name
        assert code == 0, path.name
        broken = [w for w in report["warnings"] if w["rule"] in _LAYOUT_RULES]
        assert broken == [], path.name


@pytest.mark.parametrize(("sections", "expected"), [(1, True), (0, False)])
def test_chapters_json_and_track_are_written_together(
    tmp_path: Path, sections: int, expected: bool
) -> None:
    """Issue 22: one section wrote ``chapters.json`` but no ``chapters.vtt``."""
    text = (FIXTURES / "render" / "one_section_en.md").read_text(encoding="utf-8")
    source = tmp_path / "episode.md"
    source.write_text(text if sections else text.split("\n", 2)[2], encoding="utf-8")
    out = tmp_path / "out"
    done = run_cli(
        "render", str(source), "--engine", "espeak", "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"), "--quiet",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = {p.name for p in out.iterdir()}
    assert {"episode.chapters.json", "episode.chapters.vtt"} & written == (
        {"episode.chapters.json", "episode.chapters.vtt"} if expected else set()
    )
    files = json.loads((out / "episode.manifest.json").read_text(encoding="utf-8"))["files"]
    assert ("chapters_json" in files, "chapters_vtt" in files) == (expected, expected)
    if expected:
        code, report = _check(out / "episode.chapters.vtt", out / "episode.mp3")
        assert code == 0 and report["cues"] == 1 and report["errors"] == []
