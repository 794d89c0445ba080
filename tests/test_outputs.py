"""Outputs of one render are replaced together, and a rerun leaves unchanged outputs alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

import tts_export.export
from tts_export import OutputError, Pauses, render

SHORT_ZH = FIXTURES / "render" / "short_zh.md"


def _stamps(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.iterdir())}


def test_unchanged_rerun_leaves_audio_and_captions_alone(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache)
    assert first.unchanged == ()
    before = _stamps(out)
    again = render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache)
    assert again.unchanged == ("audio", "captions")
    after = _stamps(out)
    for name in before:
        if not name.endswith(".manifest.json"):
            assert after[name] == before[name], f"{name} was written again"
    assert again.duration_ms == first.duration_ms and again.loudness == first.loudness
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "a stage was left behind"


def test_a_caption_setting_remakes_captions_but_not_audio(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache)
    audio = (out / "short_zh.mp3").stat().st_mtime_ns
    srt = (out / "short_zh.srt").read_bytes()
    again = render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache, max_lines=1)
    assert again.unchanged == ("audio",)
    assert (out / "short_zh.mp3").stat().st_mtime_ns == audio
    assert (out / "short_zh.srt").read_bytes() != srt


def test_a_damaged_output_is_made_again(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache)
    good = (out / "short_zh.mp3").read_bytes()
    (out / "short_zh.mp3").write_bytes(good[: len(good) // 2])  # same name, cut short
    again = render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache)
    assert "audio" not in again.unchanged
    assert (out / "short_zh.mp3").read_bytes() == good


def test_a_render_that_fails_late_leaves_the_previous_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache)
    before = _stamps(out)

    def broken(*args: object, **kwargs: object) -> None:
        raise OutputError("captions", "disk full (injected)")

    monkeypatch.setattr(tts_export.export, "write_captions", broken)
    with pytest.raises(OutputError, match="injected"):
        # New pauses: the audio is encoded again into the stage, then the captions fail.
        render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=cache, pauses=Pauses(sentence=300))
    assert _stamps(out) == before, "new audio appeared beside the old captions"


def test_a_bad_front_matter_setting_stops_before_any_work(tmp_path: Path) -> None:
    """The issue's case: `max_chars: abc` used to replace the MP3, then fail before the captions."""
    out = tmp_path / "out"
    text = SHORT_ZH.read_text(encoding="utf-8").replace(
        "---\n", "---\ntts-export:\n  max_chars: abc\n", 1
    )
    source = tmp_path / "bad.md"
    source.write_text(text, encoding="utf-8")
    proc = run_cli(
        "render",
        str(source),
        "--engine",
        "espeak",
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "cache"),
        "-q",
    )
    assert proc.returncode == 1
    assert "bad.md front matter: max_chars='abc'" in proc.stderr
    assert "whole number" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "cache").exists() and not out.exists()


def test_dead_stages_do_not_block_a_render(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / f".short_zh.render.{os.getpid()}.0000.tmp").mkdir()  # a live run's stage stays
    result = render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=tmp_path / "cache")
    assert result.files["audio"].is_file()
    assert (out / f".short_zh.render.{os.getpid()}.0000.tmp").is_dir()
