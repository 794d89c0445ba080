"""Tags, cover art and chapters: front matter and chapters in, container metadata out.

Builds the ffmetadata file ffmpeg turns into ID3v2 frames (``CHAP``/``CTOC``
for chapters) in MP3, iTunes atoms and chapter atoms in M4A/M4B, Vorbis
comments (``CHAPTER001=...``, written with mutagen) in Ogg/Opus; embeds
a checked cover (``cover``) as a ``METADATA_BLOCK_PICTURE`` comment in
Ogg/Opus (ffmpeg embeds it in MP3/M4A/M4B/FLAC); and
reads tags and chapters back from ``ffmpeg -i`` for tests and ``check``.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tts_export.audio.cover import Cover
from tts_export.audio.ffmpeg import probe_text
from tts_export.audio.formats import AudioFormat
from tts_export.audio.mp4 import set_track_language
from tts_export.common.files import temporary_name
from tts_export.common.lang import primary_subtag
from tts_export.errors import OutputError
from tts_export.models import Chapter

# A cover stream's comment names its picture type in ffmpeg's ID3 and FLAC muxers
# (their list of ID3v2 APIC types); without it the cover is stored as type 0, "Other".
COVER_FRONT = "Cover (front)"

# Front-matter keys (first one present wins) → ffmpeg's generic tag names,
# which each muxer maps to its own frames/atoms/comments.
TAG_SOURCES: Mapping[str, tuple[str, ...]] = {
    "title": ("title",),
    "artist": ("artist", "author", "host", "hosts", "narrator"),
    "album_artist": ("album_artist", "publisher", "author", "artist"),
    "album": ("album", "series", "podcast", "show"),
    "date": ("date", "published", "year"),
    "comment": ("comment", "summary", "description"),
    "description": ("description", "summary"),
    "language": ("language", "lang"),
    "genre": ("genre", "category"),
    "keywords": ("keywords", "tags"),
    "copyright": ("copyright", "license"),
}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v).strip() for v in value if v not in (None, ""))
    if value is None or isinstance(value, bool | dict):
        return ""
    return str(value).strip()


def tags_from_meta(meta: Mapping[str, Any], *, language: str | None = None) -> dict[str, str]:
    """Map a transcript's front matter to generic tag names.

    Lists (``tags: [a, b]``) are joined with ", "; empty values are left out;
    a ``date`` keeps only its ISO date part; the language is an ISO 639-2
    code (``zho``, ``eng``), as ID3's ``TLAN`` asks, in every format.

    Args:
        meta: the transcript's front matter.
        language: the transcript's language (front matter or detected), used
            when the front matter names none.

    Returns:
        Tag name → value, in the order of ``TAG_SOURCES``.
    """
    tags: dict[str, str] = {}
    for tag, keys in TAG_SOURCES.items():
        found = [value for value in (_text(meta.get(key)) for key in keys) if value]
        if tag == "language":
            code = iso639_2(found[0] if found else language or "")
            found = [code] if code != "und" else []
        if found:
            value = found[0]
            tags[tag] = (
                value[:10] if tag == "date" and re.match(r"\d{4}-\d\d-\d\d", value) else value
            )
    return tags


def _escape(value: str) -> str:
    """Escape a value for an ffmetadata file: ``=;#\\`` and newlines get a backslash."""
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


def ffmetadata(tags: Mapping[str, str], chapters: Sequence[Chapter]) -> str:
    """The text of an ffmetadata file holding ``tags`` and ``chapters``.

    Chapter times are ms (``TIMEBASE=1/1000``); a chapter never ends before
    it starts.
    """
    lines = [";FFMETADATA1"]
    lines += [f"{_escape(k)}={_escape(v)}" for k, v in tags.items()]
    for chapter in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={chapter.start_ms}",
            f"END={max(chapter.end_ms, chapter.start_ms)}",
            f"title={_escape(chapter.title)}",
        ]
    return "\n".join(lines) + "\n"


def _vorbis_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def write_vorbis_extras(path: Path, chapters: Sequence[Chapter], cover: Cover | None) -> None:
    """Write chapters (``CHAPTER001=HH:MM:SS.mmm``, ``CHAPTER001NAME``) and cover art
    (``METADATA_BLOCK_PICTURE``) into the comments of an Ogg Vorbis or Ogg Opus file.

    Chapters are written here rather than by ffmpeg because ffmpeg's Ogg
    muxer leaves them out of Vorbis streams and misprints some start times.

    Raises:
        OutputError: the audio file cannot be read or written.
    """
    from mutagen import MutagenError
    from mutagen.flac import Picture
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    picture_data = ""
    if cover is not None:
        picture = Picture()  # type: ignore[no-untyped-call]
        picture.type = 3  # COVER_FRONT
        picture.mime = cover.mime
        picture.data = cover.data
        picture_data = base64.b64encode(picture.write()).decode("ascii")  # type: ignore[no-untyped-call]
    try:
        opener: Any = OggOpus if _is_opus(path) else OggVorbis
        audio: OggOpus | OggVorbis = opener(str(path))
        assert audio.tags is not None
        for key in [k for k in audio.tags.keys() if k.upper().startswith("CHAPTER")]:  # noqa: SIM118
            del audio.tags[key]
        for number, chapter in enumerate(sorted(chapters, key=lambda c: c.start_ms), start=1):
            audio.tags[f"CHAPTER{number:03d}"] = [_vorbis_time(chapter.start_ms)]
            audio.tags[f"CHAPTER{number:03d}NAME"] = [chapter.title]
        if picture_data:
            audio.tags["METADATA_BLOCK_PICTURE"] = [picture_data]
        audio.save()
    except (MutagenError, OSError) as exc:
        raise OutputError(
            str(path),
            f"cannot write chapters or cover art: {exc}",
            hint="check that the output folder is writable and has room, then render again",
        ) from None


# ISO 639-1 → ISO 639-2/T (the form ID3 COMM and TLAN frames and MP4 ``mdhd`` atoms take).
_ISO639_2 = {
    "ar": "ara",
    "de": "deu",
    "en": "eng",
    "es": "spa",
    "fr": "fra",
    "hi": "hin",
    "it": "ita",
    "ja": "jpn",
    "ko": "kor",
    "nl": "nld",
    "pl": "pol",
    "pt": "por",
    "ru": "rus",
    "sv": "swe",
    "tr": "tur",
    "uk": "ukr",
    "vi": "vie",
    "zh": "zho",
}


def iso639_2(language: str) -> str:
    """A language tag ("zh", "zh-Hans", "en_US", "deu") as an ISO 639-2 code; "und" if unknown."""
    primary = primary_subtag(language)
    if len(primary) == 3 and primary.isascii() and primary.isalpha():
        return primary
    return _ISO639_2.get(primary, "und")


def _syncsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def write_id3_comment(path: Path, tags: Mapping[str, str]) -> None:
    """Add the comment to an MP3 as an ID3v2.3 ``COMM`` frame, where players look for it.

    ffmpeg only writes a generic comment as ``TXXX:comment`` (leave it out of
    the ffmetadata for MP3). The frame is inserted at the head of the tag
    ffmpeg wrote, so the order of its ``CHAP`` frames is kept (saving with
    mutagen would re-sort them by size).

    Raises:
        OutputError: the file has no ID3v2.3 tag this can extend, or cannot be rewritten.
    """
    comment = tags.get("comment")
    if not comment:
        return
    language = iso639_2(tags.get("language", ""))
    utf16 = b"\xff\xfe"  # encoding 1: UTF-16 with a byte-order mark, NUL-terminated strings
    body = (
        b"\x01"
        + language.encode("ascii")
        + utf16
        + b"\x00\x00"
        + utf16
        + comment.encode("utf-16-le")
    )
    frame = b"COMM" + struct.pack(">I", len(body)) + b"\x00\x00" + body
    tmp = temporary_name(path)
    try:
        with open(path, "rb") as source:
            header = source.read(10)
            if header[:4] != b"ID3\x03" or header[5] & 0xC0:  # v2.3, no unsync/extended header
                raise OutputError(
                    str(path),
                    "no plain ID3v2.3 tag to add the comment to",
                    hint="render again: the file was changed after it was tagged",
                )
            size = sum(b << shift for b, shift in zip(header[6:10], (21, 14, 7, 0), strict=True))
            with open(tmp, "wb") as target:
                target.write(header[:6] + _syncsafe(size + len(frame)) + frame)
                shutil.copyfileobj(source, target, 1 << 20)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(
            str(path),
            f"cannot write the ID3 comment: {exc.strerror}",
            hint="check that the output folder is writable and has room, then render again",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def _is_opus(path: Path) -> bool:
    with open(path, "rb") as handle:
        return b"OpusHead" in handle.read(64)


@dataclass(frozen=True)
class MediaInfo:
    """What ``ffmpeg -i`` reports about a file.

    Attributes:
        tags: container-level tags (lower-case keys as ffmpeg names them), plus
            the first audio stream's tags where the container has none (Ogg).
        chapters: chapters with start/end in ms.
        codec: the first audio stream's codec name.
        sample_rate: its sample rate.
        channels: its channel layout ("mono", "stereo", ...).
        cover: True when a picture stream is attached.
        languages: each stream's language as ffmpeg prints it ("und" when unset).
    """

    tags: Mapping[str, str]
    chapters: tuple[Chapter, ...]
    codec: str
    sample_rate: int
    channels: str
    cover: bool
    languages: tuple[str, ...] = ()


_CHAPTER_RE = re.compile(r"^\s*Chapter #\d+:\d+: start (-?[\d.]+), end (-?[\d.]+)")
_META_RE = re.compile(r"^(\s*)([^:]*?)\s*: (.*)$")
_LANGUAGE_RE = re.compile(r"^\s*Stream #\d+:\d+(?:\[\w+\])?(?:\((\w+)\))?", re.MULTILINE)
_AUDIO_RE = re.compile(r"Stream #0:\d+.*?: Audio: (\w+).*?, (\d+) Hz, ([\w.()]+)")


def read_info(path: Path) -> MediaInfo:
    """Read tags, chapters and the audio stream's format with ``ffmpeg -i``.

    Raises:
        FfmpegError: ffmpeg cannot read the file.
    """
    text = probe_text(path)
    lines = text.splitlines()
    tags: dict[str, str] = {}
    stream_tags: dict[str, str] = {}  # Ogg keeps its comments on the stream
    last_key = ""
    seen_audio = False
    chapters: list[Chapter] = []
    section = ""
    pending: tuple[int, int] | None = None
    for line in lines:
        stripped = line.strip()
        chapter = _CHAPTER_RE.match(line)
        if line.startswith("Input #"):
            section = "input"
        elif chapter:
            section = "chapter"
            pending = (round(float(chapter.group(1)) * 1000), round(float(chapter.group(2)) * 1000))
            chapters.append(Chapter("", *pending))
        elif stripped.startswith("Stream #"):
            section = "stream" if "Audio:" in stripped and not seen_audio else "other"
            seen_audio = seen_audio or "Audio:" in stripped
        elif stripped.startswith("Duration:") or stripped in ("Metadata:", "Chapters:"):
            continue
        else:
            match = _META_RE.match(line)
            if match is None:
                continue
            key, value = match.group(2).strip(), match.group(3)
            target = tags if section == "input" else stream_tags if section == "stream" else None
            if target is not None and key:
                last_key = key.lower()
                target[last_key] = value
            elif target is not None and last_key in target:  # continuation of a multi-line value
                target[last_key] += "\n" + value
            elif section == "chapter" and key == "title" and chapters:
                chapters[-1] = Chapter(value, chapters[-1].start_ms, chapters[-1].end_ms)
    for key, value in stream_tags.items():
        tags.setdefault(key, value)
    audio = _AUDIO_RE.search(text)
    return MediaInfo(
        tags=tags,
        chapters=tuple(chapters),
        codec=audio.group(1) if audio else "",
        sample_rate=int(audio.group(2)) if audio else 0,
        channels=audio.group(3).rstrip(",") if audio else "",
        cover="Video:" in text and "attached pic" in text,
        languages=tuple(lang or "und" for lang in _LANGUAGE_RE.findall(text)),
    )


def write_tag_files(
    folder: Path,
    chapters: Sequence[Chapter],
    spec: AudioFormat,
    fmt: str,
    tags: Mapping[str, str],
    cover: Cover | None,
) -> tuple[Path, Path | None]:
    """Write into ``folder`` the ffmetadata file (tags, chapters) and the cover ffmpeg reads.

    Returns:
        The ffmetadata file and the picture (None when the format stores no cover this way).
    """
    # Ogg gets its chapters from mutagen after encoding (see tags.write_vorbis_extras).
    shown = chapters if spec.chapters and spec.cover != "vorbis" else ()
    # MP3: the comment goes in a COMM frame (write_id3_comment), not TXXX.
    plain = {k: v for k, v in tags.items() if fmt != "mp3" or k not in ("comment", "description")}
    metadata = folder / "meta.txt"
    metadata.write_text(ffmetadata(plain, shown), encoding="utf-8")
    picture = None
    if cover is not None and spec.cover == "ffmpeg":
        picture = folder / f"cover{cover.suffix}"
        picture.write_bytes(cover.data)
    return metadata, picture


def tag_encoded(
    tmp: Path,
    chapters: Sequence[Chapter],
    spec: AudioFormat,
    fmt: str,
    tags: Mapping[str, str],
    cover: Cover | None,
    spoken: str | None,
) -> None:
    """Add to an encoded file what ffmpeg cannot write: Ogg chapters and cover, the MP3 comment,
    the M4A track language (``spoken``)."""
    if spec.cover == "vorbis":
        write_vorbis_extras(tmp, chapters, cover)
    elif fmt == "mp3":
        write_id3_comment(tmp, tags)
    if spoken and spec.muxer == "ipod":
        set_track_language(tmp, iso639_2(spoken))
