"""Intro, outro and bed through a whole render: times shift exactly, music is checked first."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES

from tts_export import ConfigError, render
from tts_export.audio.ffmpeg import ffmpeg_exe

SHORT_ZH = FIXTURES / "render" / "short_zh.md"


def _tone(path: Path, seconds: float, freq: int) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
         f"sine=frequency={freq}:duration={seconds}", "-ac", "1", "-y", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_intro_outro_and_bed_shift_every_time_and_add_chapters(tmp_path: Path) -> None:
    folder = tmp_path / "ep"
    folder.mkdir()
    shutil.copy(SHORT_ZH, folder / "t.md")
    _tone(folder / "in.mp3", 2.5, 660)
    _tone(folder / "out.mp3", 2.0, 440)
    _tone(folder / "bed.mp3", 8.0, 220)
    cache = tmp_path / "cache"
    plain = render(folder / "t.md", engine="espeak", out_dir=tmp_path / "a", cache_dir=cache)
    mixed = render(
        folder / "t.md", engine="espeak", out_dir=tmp_path / "b", cache_dir=cache,
        intro="in.mp3", outro="out.mp3", bed="bed.mp3",
    )  # fmt: skip
    assert mixed.cached == mixed.utterances  # music never re-synthesizes
    a = json.loads(plain.files["manifest"].read_text(encoding="utf-8"))
    b = json.loads(mixed.files["manifest"].read_text(encoding="utf-8"))
    shift = b["utterances"][0]["start_ms"] - a["utterances"][0]["start_ms"]
    assert 2400 <= shift <= 2700  # the intro's decoded length (plus no gap)
    for x, y in zip(a["utterances"], b["utterances"], strict=True):
        assert (y["start_ms"] - x["start_ms"], y["end_ms"] - x["end_ms"]) == (shift, shift)
    titles = [c["title"] for c in b["chapters"]]
    assert titles[0] == "片头" and titles[-1] == "片尾"
    assert [c["title"] for c in a["chapters"]] == titles[1:-1]
    assert mixed.duration_ms >= plain.duration_ms + shift + 1900
    srt_a = plain.files["srt"].read_text(encoding="utf-8")
    srt_b = mixed.files["srt"].read_text(encoding="utf-8")
    assert srt_a.count("-->") == srt_b.count("-->") and srt_a != srt_b
    assert mixed.loudness.true_peak_dbtp is not None and mixed.loudness.true_peak_dbtp <= -1.0
    assert mixed.loudness.integrated_lufs is not None
    assert abs(mixed.loudness.integrated_lufs - (-19.0)) <= 1.0


@pytest.mark.parametrize("setting", ["intro", "outro", "bed"])
def test_bad_music_stops_the_render_before_synthesis(tmp_path: Path, setting: str) -> None:
    folder = tmp_path / "ep"
    folder.mkdir()
    shutil.copy(SHORT_ZH, folder / "t.md")
    (folder / "noise.mp3").write_bytes(b"not audio at all" * 100)
    for value in ("missing.mp3", "noise.mp3", "../elsewhere.mp3"):
        with pytest.raises(ConfigError) as info:
            options: dict[str, object] = {setting: value}
            render(  # type: ignore[call-overload]
                folder / "t.md", engine="espeak", out_dir=tmp_path / "o",
                cache_dir=tmp_path / "c", **options,
            )  # fmt: skip
        assert info.value.setting == setting
    assert not (tmp_path / "c").exists() and not (tmp_path / "o").exists()
