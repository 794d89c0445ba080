"""Same input, same output: two espeak renders with fresh caches write identical files."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, render_api

FORMATS = ("srt", "vtt", "ass", "json", "txt", "html")


def _written(transcript: Path, root: Path) -> dict[str, bytes]:
    """Render with espeak into ROOT/out (a fresh cache in ROOT/cache); each file's bytes."""
    out = root / "out"
    render_api(transcript, out, root / "cache", engine="espeak", captions_formats=FORMATS)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_two_renders_with_fresh_caches_write_identical_files(tmp_path: Path) -> None:
    transcript = FIXTURES / "render" / "short_zh.md"
    first = _written(transcript, tmp_path / "first")
    # Something else rendered in between, so an engine that carried state from one
    # sentence to the next would start the second render from another state.
    _written(FIXTURES / "render" / "short_en.md", tmp_path / "between")
    second = _written(transcript, tmp_path / "second")
    assert "short_zh.manifest.json" in first and "short_zh.mp3" in first
    assert len(first) >= len(FORMATS) + 2
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
