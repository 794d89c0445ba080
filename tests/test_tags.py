"""Tags, cover art and chapters, read back from the files ffmpeg wrote (mutagen and
``ffmpeg -i``) for MP3, M4A/M4B, Opus and Ogg Vorbis."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import mutagen.flac
import mutagen.id3
import mutagen.mp4
import mutagen.oggopus
import mutagen.oggvorbis
import pytest
from synthetic_audio import make_timeline

from tts_export.audio import write_audio
from tts_export.audio.cover import Cover, load_cover
from tts_export.audio.ffmpeg import probe_text
from tts_export.audio.tags import ffmetadata, iso639_2, read_info, tags_from_meta
from tts_export.errors import TtsExportError
from tts_export.models import Chapter, Timeline

# mutagen is untyped; reach it through Any so mypy --strict stays quiet.
ID3: Any = mutagen.id3.ID3
MP4: Any = mutagen.mp4.MP4
OggOpus: Any = mutagen.oggopus.OggOpus
OggVorbis: Any = mutagen.oggvorbis.OggVorbis
Picture: Any = mutagen.flac.Picture

NASTY = "第1节 = a;b#c \\ d"
META = {
    "title": "标题 = x;y#z",
    "author": "人民公园说AI",
    "series": "AI 周报",
    "date": "2025-10-01T08:00:00",
    "summary": "第一行\n第二行",
    "category": "technology",
    "language": "zh",
    "tags": ["ai", "sora-2"],
    "people": [],
    "draft": False,
}


def png(path: Path) -> Path:
    """A real 2x2 RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return path


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    base = make_timeline(
        tmp_path_factory.mktemp("clips"),
        [("A", -20.0), ("B", -24.0)],
        clips_per_section=2,
        sections=4,
    )
    # Titles get shorter chapter by chapter: a writer that orders frames by size
    # (mutagen's ID3 save does) would list them backwards.
    chapters = tuple(
        replace(c, title=NASTY + "长" * (8 - 2 * i)) for i, c in enumerate(base.chapters)
    )
    return replace(base, chapters=chapters)


@pytest.fixture(scope="module")
def cover(tmp_path_factory: pytest.TempPathFactory) -> Cover:
    folder = tmp_path_factory.mktemp("art")
    png(folder / "cover.png")
    return load_cover("cover.png", folder)


def test_front_matter_maps_to_tags() -> None:
    tags = tags_from_meta(META)
    assert tags["title"] == META["title"] and tags["artist"] == "人民公园说AI"
    assert tags["album"] == "AI 周报" and tags["genre"] == "technology"
    assert tags["date"] == "2025-10-01"  # the ISO date part only
    assert tags["comment"] == "第一行\n第二行" and tags["keywords"] == "ai, sora-2"
    assert "people" not in tags.values() and set(tags) <= {
        "title",
        "artist",
        "album_artist",
        "album",
        "date",
        "comment",
        "description",
        "language",
        "genre",
        "keywords",
        "copyright",
    }
    assert tags_from_meta({}) == {}


def test_ffmetadata_escapes_special_characters() -> None:
    text = ffmetadata({"title": "a=b;c#d\\e\nf"}, [Chapter(NASTY, 0, 1500)])
    assert text.splitlines()[1] == "title=a\\=b\\;c\\#d\\\\e\\"
    assert "START=0\nEND=1500\ntitle=第1节 \\= a\\;b\\#c \\\\ d" in text


def _expect_chapters(found: tuple[Chapter, ...], timeline: Timeline, *, ends: bool = True) -> None:
    assert [c.title for c in found] == [c.title for c in timeline.chapters]
    assert [c.start_ms for c in found] == [c.start_ms for c in timeline.chapters]
    if ends:
        assert [c.end_ms for c in found] == [c.end_ms for c in timeline.chapters]


def test_mp3_has_id3_tags_chap_ctoc_and_cover(
    timeline: Timeline, cover: Cover, tmp_path: Path
) -> None:
    path = write_audio(timeline, tmp_path / "ep.mp3", meta=META, cover=cover, loudness=None).path
    id3: Any = ID3(str(path))
    assert str(id3["TIT2"]) == META["title"] and str(id3["TPE1"]) == "人民公园说AI"
    assert str(id3["TALB"]) == "AI 周报" and str(id3["TCON"]) == "technology"
    assert str(id3.getall("TDRC")[0]) == "2025-10-01"
    (comm,) = id3.getall("COMM")
    assert comm.text[0] == "第一行\n第二行" and comm.lang == "zho"
    assert not id3.getall("TXXX:comment")  # the comment is in COMM, not duplicated
    assert str(id3["TLAN"]) == "zho"  # ISO 639-2, as ID3v2.3 asks
    chaps = id3.getall("CHAP")  # in file order
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chaps] == [
        (c.start_ms, c.end_ms, c.title) for c in timeline.chapters
    ]
    (toc,) = id3.getall("CTOC")
    assert list(toc.child_element_ids) == [c.element_id for c in chaps]
    (apic,) = id3.getall("APIC")
    assert apic.data == cover.data and apic.mime == "image/png"
    info = read_info(path)
    _expect_chapters(info.chapters, timeline)
    assert info.cover and info.tags["title"] == META["title"]


@pytest.mark.parametrize("fmt", ["m4a", "m4b"])
def test_mp4_has_atoms_chapters_and_cover(
    fmt: str, timeline: Timeline, cover: Cover, tmp_path: Path
) -> None:
    path = write_audio(
        timeline, tmp_path / f"ep.{fmt}", fmt=fmt, meta=META, cover=cover, loudness=None
    ).path
    tags = MP4(str(path)).tags
    assert tags is not None
    assert tags["\xa9nam"] == [META["title"]] and tags["\xa9ART"] == ["人民公园说AI"]
    assert tags["\xa9alb"] == ["AI 周报"] and tags["\xa9day"] == ["2025-10-01"]
    assert tags["\xa9gen"] == ["technology"] and tags["\xa9cmt"] == ["第一行\n第二行"]
    assert bytes(tags["covr"][0]) == cover.data
    _expect_chapters(read_info(path).chapters, timeline)


def _track_languages(path: Path) -> list[str]:
    """The language of every track, as ``ffmpeg -i`` prints it: ``Stream #0:1[0x2](zho)``."""
    return re.findall(r"Stream #0:\d+(?:\[\w+\])?\((\w+)\)", probe_text(path))


@pytest.mark.parametrize("fmt", ["m4a", "m4b"])
def test_mp4_tracks_carry_the_transcript_language(
    fmt: str, timeline: Timeline, tmp_path: Path
) -> None:
    """The chapter track said "eng" for Chinese titles; both tracks now say "zho"."""
    english = {k: v for k, v in META.items() if k != "language"}
    path = write_audio(
        timeline, tmp_path / f"zh.{fmt}", fmt=fmt, meta=english, language="zh", loudness=None
    ).path
    assert _track_languages(path) == ["zho", "zho"]  # audio, then the chapter text track
    assert read_info(path).languages == ("zho", "zho")
    _expect_chapters(read_info(path).chapters, timeline)
    # Without the parameter, the front matter's language is used; "en-GB" reads as English.
    path = write_audio(
        timeline, tmp_path / f"en.{fmt}", fmt=fmt, meta={"language": "en-GB"}, loudness=None
    ).path
    assert _track_languages(path) == ["eng", "eng"]


def test_language_codes_become_iso_639_2() -> None:
    assert [iso639_2(x) for x in ("zh", "zh-Hans", "ZH_cn", "en-US", "de")] == [
        "zho",
        "zho",
        "zho",
        "eng",
        "deu",
    ]
    assert [iso639_2(x) for x in ("fra", "", "x", "12", "klingon")] == [
        "fra",
        "und",
        "und",
        "und",
        "und",
    ]


@pytest.mark.parametrize("fmt", ["opus", "ogg"])
def test_ogg_has_comments_chapters_and_cover(
    fmt: str, timeline: Timeline, cover: Cover, tmp_path: Path
) -> None:
    path = write_audio(
        timeline, tmp_path / f"ep.{fmt}", fmt=fmt, meta=META, cover=cover, loudness=None
    ).path
    audio = OggOpus(str(path)) if fmt == "opus" else OggVorbis(str(path))
    tags = audio.tags
    assert tags is not None
    assert tags["title"] == [META["title"]] and tags["artist"] == ["人民公园说AI"]
    assert tags["CHAPTER001NAME"] == [timeline.chapters[0].title]
    start = timeline.chapters[1].start_ms
    assert tags["CHAPTER002"] == [f"00:00:{start // 1000:02d}.{start % 1000:03d}"]
    picture = Picture(base64.b64decode(tags["METADATA_BLOCK_PICTURE"][0]))
    assert picture.data == cover.data and picture.mime == "image/png"
    info = read_info(path)  # ffmpeg reads the same chapters back
    _expect_chapters(info.chapters, timeline, ends=False)
    assert info.tags["album"] == "AI 周报"


def test_wav_and_flac_take_tags_without_failing(
    timeline: Timeline, cover: Cover, tmp_path: Path
) -> None:
    for fmt in ("wav", "flac"):
        result = write_audio(
            timeline, tmp_path / f"ep.{fmt}", fmt=fmt, meta=META, cover=cover, loudness=None
        )
        info = read_info(result.path)
        assert info.tags["title"] == META["title"]
        assert info.chapters == ()  # neither container is given chapters
        assert info.cover is (fmt == "flac")


def test_bad_file_is_a_project_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(TtsExportError):
        read_info(text)


def _ftyp(path: Path) -> tuple[bytes, set[bytes]]:
    """The major brand of an MP4 file and its compatible brands, from its first atom."""
    head = path.read_bytes()[:64]
    size, kind = struct.unpack(">I4s", head[:8])
    assert kind == b"ftyp"
    return head[8:12], {head[i : i + 4] for i in range(16, size, 4)}


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "opus", "m4a", "m4b"])
def test_every_format_names_the_language_and_a_front_cover(
    fmt: str, timeline: Timeline, cover: Cover, tmp_path: Path
) -> None:
    """Issue 22: no language tag unless the front matter had one (MP3 TLAN then "zh", not
    ISO 639-2), the cover stored as picture type 0 "Other", and M4B files branded "M4A "."""
    meta = {k: v for k, v in META.items() if k != "language"}  # detected, not in front matter
    path = write_audio(
        timeline, tmp_path / f"ep.{fmt}", fmt=fmt, meta=meta, cover=cover, language="zh",
        loudness=None,
    ).path  # fmt: skip
    if fmt == "mp3":
        id3: Any = ID3(str(path))
        assert id3["TLAN"].text == ["zho"]  # ID3v2.3: ISO 639-2
        assert [apic.type for apic in id3.getall("APIC")] == [3]  # Cover (front)
    elif fmt == "flac":
        flac: Any = mutagen.flac.FLAC(str(path))  # type: ignore[no-untyped-call]
        assert flac.tags["LANGUAGE"] == ["zho"]
        assert [(p.type, p.data) for p in flac.pictures] == [(3, cover.data)]
    elif fmt in ("ogg", "opus"):
        tags = (OggOpus if fmt == "opus" else OggVorbis)(str(path)).tags
        assert tags["LANGUAGE"] == ["zho"]
        picture = Picture(base64.b64decode(tags["METADATA_BLOCK_PICTURE"][0]))
        assert picture.type == 3
    else:
        assert _track_languages(path) == ["zho", "zho"]  # the MP4 place for a language
        major, compatible = _ftyp(path)
        assert major == (b"M4B " if fmt == "m4b" else b"M4A ")
        assert {major, b"isom"} <= compatible
        assert MP4(str(path)).tags["covr"][0].imageformat == mutagen.mp4.MP4Cover.FORMAT_PNG
