"""Cover art is checked before synthesis: relative to the transcript, inside its folder
unless allowed, a regular file, size-limited, JPEG or PNG; then embedded byte for byte."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import mutagen.id3
import pytest
from synthetic_audio import make_timeline
from test_tags import png

from tts_export.audio import write_audio
from tts_export.audio.cover import MAX_COVER_BYTES, Cover, image_mime, load_cover
from tts_export.errors import ConfigError

ID3: Any = mutagen.id3.ID3


@pytest.fixture()
def show(tmp_path: Path) -> Path:
    """A transcript's folder holding its cover in a subfolder, and a private file beside it."""
    folder = tmp_path / "show"
    (folder / "art").mkdir(parents=True)
    png(folder / "art" / "cover.png")
    png(tmp_path / "private.png")
    return folder


def test_relative_path_is_taken_from_the_transcript_folder(
    show: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # not the transcript's folder
    cover = load_cover("art/cover.png", show)
    assert cover.path == (show / "art" / "cover.png").resolve()
    assert cover.data == (show / "art" / "cover.png").read_bytes()
    assert cover.mime == "image/png" and cover.suffix == ".png"
    with pytest.raises(ConfigError, match="no such file") as caught:
        load_cover("cover.png", show)
    assert "relative to the transcript" in caught.value.hint


def test_paths_leaving_the_folder_are_refused_unless_allowed(show: Path, tmp_path: Path) -> None:
    (show / "link.png").symlink_to(tmp_path / "private.png")
    for value in ("../private.png", str(tmp_path / "private.png"), "link.png"):
        with pytest.raises(ConfigError, match="outside the transcript's folder") as caught:
            load_cover(value, show)
        assert "--allow-outside-files" in caught.value.hint
        allowed = load_cover(value, show, allow_outside=True)
        assert allowed.path == (tmp_path / "private.png").resolve()
    # A symlink that stays inside the folder is fine.
    (show / "inside.png").symlink_to(show / "art" / "cover.png")
    assert load_cover("inside.png", show).path == (show / "art" / "cover.png").resolve()


def test_devices_fifos_and_folders_are_refused_without_reading(show: Path) -> None:
    os.mkfifo(show / "pipe.png")  # opening it for reading would wait for a writer
    for value in ("/dev/zero", "pipe.png", "art"):
        with pytest.raises(ConfigError, match="not a regular file"):
            load_cover(value, show, allow_outside=True)


def test_size_is_limited_before_reading(show: Path) -> None:
    big = show / "huge.png"
    with open(big, "wb") as handle:  # a PNG signature, then a sparse 20 MB
        handle.write(png(show / "small.png").read_bytes())
        handle.truncate(2 * MAX_COVER_BYTES)
    with pytest.raises(ConfigError, match=r"20\.0 MB; covers are limited to 10 MB") as caught:
        load_cover("huge.png", show)
    assert "scale the image down" in caught.value.hint
    assert load_cover("small.png", show, max_bytes=1000).data[:4] == b"\x89PNG"
    with pytest.raises(ConfigError, match="limited"):
        load_cover("small.png", show, max_bytes=10)


def test_only_jpeg_and_png_and_only_paths(show: Path) -> None:
    (show / "cover.gif").write_bytes(b"GIF89a" + bytes(20))
    (show / "empty.jpg").write_bytes(b"")
    for name in ("cover.gif", "empty.jpg"):
        with pytest.raises(ConfigError, match="not a JPEG or PNG"):
            load_cover(name, show)
    for value in (5, ["a.png"], "", "  ", None):
        with pytest.raises(ConfigError, match="must be the path of an image"):
            load_cover(value, show)
    assert image_mime(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_mime(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert image_mime(b"RIFF") is None


def test_write_audio_embeds_the_checked_bytes_and_refuses_a_huge_path(
    show: Path, tmp_path: Path
) -> None:
    timeline = make_timeline(tmp_path, [("A", -20.0)], clips_per_section=1, sections=1)
    cover = load_cover("art/cover.png", show)
    out = tmp_path / "out"
    path = write_audio(timeline, out / "ep.mp3", cover=cover, loudness=None).path
    apic = ID3(str(path)).getall("APIC")[0]
    assert apic.data == cover.data and apic.mime == "image/png"
    assert sorted(p.name for p in out.iterdir()) == ["ep.mp3"]  # the scratch copy is gone
    # In memory, not re-read: the file may change or vanish after the check.
    (show / "art" / "cover.png").unlink()
    again = write_audio(timeline, out / "ep.mp3", cover=cover, loudness=None).path
    assert ID3(str(again)).getall("APIC")[0].data == cover.data
    # A path (the old way) gets the same checks: a 20 MB "PNG" used to be embedded whole.
    huge = show / "huge.png"
    with open(huge, "wb") as handle:
        handle.write(cover.data)
        handle.truncate(2 * MAX_COVER_BYTES)
    with pytest.raises(ConfigError, match="limited to 10 MB"):
        write_audio(timeline, out / "ep.mp3", cover=huge, loudness=None)
    assert isinstance(cover, Cover)
