"""Outputs of one render are replaced together, and a rerun leaves unchanged outputs alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

import tts_export.output.export
from tts_export import ConfigError, OutputError, Pauses, render

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

    monkeypatch.setattr(tts_export.output.export, "write_captions", broken)
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


def test_stages_of_dead_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    dead = out / f".short_zh.render.{child.pid}.0123abcd.tmp"
    live = out / f".short_zh.render.{os.getppid()}.0123abcd.tmp"  # pytest's parent runs
    for stage in (dead, live):
        stage.mkdir()
        (stage / "short_zh.mp3").write_bytes(b"half an encode")
    result = render(SHORT_ZH, engine="espeak", out_dir=out, cache_dir=tmp_path / "cache")
    assert result.files["audio"].is_file()
    assert not dead.exists() and live.is_dir()


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"\x00\xff\x00\x00"  # one red pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _with_cover(tmp_path: Path, cover: str, *, extra: str = "") -> Path:
    folder = tmp_path / "talk"
    folder.mkdir(exist_ok=True)
    source = folder / "t.md"
    source.write_text(f"---\ncover: {cover}\n{extra}---\nHost: Hello there.\n", encoding="utf-8")
    return source


@pytest.mark.parametrize("cover", ["/dev/zero", "missing.png", "../outside.png", "."])
def test_a_bad_cover_stops_the_render_before_synthesis(tmp_path: Path, cover: str) -> None:
    (tmp_path / "outside.png").write_bytes(_png())
    cache = tmp_path / "cache"
    with pytest.raises(ConfigError) as info:
        render(
            _with_cover(tmp_path, cover), engine="espeak", out_dir=tmp_path / "o", cache_dir=cache
        )
    assert info.value.setting == "cover"
    assert not cache.exists() and not (tmp_path / "o").exists()


def test_a_cover_outside_needs_the_users_permission(tmp_path: Path) -> None:
    (tmp_path / "outside.png").write_bytes(_png())
    source = _with_cover(tmp_path, "../outside.png")
    result = render(
        source, engine="espeak", out_dir=tmp_path / "o", cache_dir=tmp_path / "c",
        allow_outside_files=True,
    )  # fmt: skip
    assert result.files["audio"].is_file()
    sneaky = _with_cover(
        tmp_path, "../outside.png", extra="tts-export:\n  allow_outside_files: true\n"
    )
    with pytest.raises(ConfigError, match="may not be set by a transcript"):
        render(sneaky, engine="espeak", out_dir=tmp_path / "o", cache_dir=tmp_path / "c")


def test_a_cover_beside_the_transcript_is_embedded(tmp_path: Path) -> None:
    (tmp_path / "talk").mkdir()
    (tmp_path / "talk" / "art.png").write_bytes(_png())
    result = render(
        _with_cover(tmp_path, "art.png"), engine="espeak", out_dir=tmp_path / "o",
        cache_dir=tmp_path / "c",
    )  # fmt: skip
    assert _png() in result.files["audio"].read_bytes()  # ID3 APIC holds the image as is
