"""Transcript file → its text as lines: rejects binary files, honours byte-order marks.

Bad encodings and unreadable files become ``TranscriptError``s that name the
file and, where there is one, the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tts_export.errors import TranscriptError

_MAGIC: tuple[tuple[bytes, str], ...] = (
    # signatures long enough that no text transcript starts with them
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (docx/epub?)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"ID3\x03", "an MP3 file"),
    (b"ID3\x04", "an MP3 file"),
    (b"OggS\x00", "an Ogg file"),
    (b"fLaC\x00", "a FLAC file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)


def read_source(path: str) -> str:
    """Read and decode a transcript file.

    Args:
        path: the file (UTF-8, UTF-8 with BOM, UTF-16/32 with BOM).

    Returns:
        The file's text.

    Raises:
        TranscriptError: the file is missing, unreadable, a directory, binary
            or badly encoded.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TranscriptError(path, 0, "no such file", hint="check the path") from None
    except IsADirectoryError:
        raise TranscriptError(
            path, 0, "is a directory, not a file", hint="give one transcript file"
        ) from None
    except OSError as exc:
        raise TranscriptError(
            path, 0, f"cannot read: {exc.strerror or exc}", hint="check the file's permissions"
        ) from None
    return decode(data, path)


def decode(data: bytes, path: str) -> str:
    """Decode a transcript file's bytes: UTF-32/UTF-16 by byte-order mark, else UTF-8.

    Args:
        data: the file's bytes.
        path: shown in errors.

    Returns:
        The text (a UTF-8 byte-order mark removed).

    Raises:
        TranscriptError: the bytes are a known binary format, hold NUL bytes,
            or are not valid in their encoding (the error names the line).
    """
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise TranscriptError(
                path,
                0,
                f"this is {what}, not a text transcript",
                hint="export the transcript as Markdown or plain text",
            )
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        codec = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        if b"\x00" in data[:65536]:
            raise TranscriptError(
                path,
                0,
                "the file holds NUL bytes: binary data, not text",
                hint="give a UTF-8 Markdown or text file",
            )
        codec = "utf-8-sig"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TranscriptError(
            path,
            line,
            f"invalid {codec.removesuffix('-sig').upper()} at byte offset {exc.start} "
            f"(byte 0x{data[exc.start]:02x})",
            hint="save the file as UTF-8 (or UTF-16 with a byte-order mark)",
        ) from None


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, numbered from 0: a leading BOM dropped, any newline style."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


@dataclass(frozen=True)
class Source:
    """A transcript to render: a file, or Markdown text with a name.

    Attributes:
        stem: the output file stem.
        path: the file, or None for text.
        text: the Markdown text, or None for a file.
    """

    stem: str
    path: Path | None = None
    text: str | None = None

    @property
    def label(self) -> str:
        """How errors and notes name it."""
        return str(self.path) if self.path is not None else "<string>"

    @property
    def folder(self) -> Path:
        """Where relative paths in its front matter (``cover:``) are taken from."""
        return self.path.parent if self.path is not None else Path.cwd()
