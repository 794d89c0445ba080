"""MP4 atoms: an M4A/M4B file and an ISO 639-2 code in, every track's language set in place.

ffmpeg labels an MP4's chapter text track with language code 0, which
players read as English whatever the chapter titles say, and it offers no
option for that track. The language lives in two bytes of each track's
``mdhd`` atom, so it is patched in place: no atom changes size.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tts_export.errors import OutputError

_HEADER = 8
_CONTAINERS = (b"trak", b"mdia")  # the atoms on the way from moov to mdhd


def _atoms(handle: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, offset of its body, end) of each atom between ``start`` and ``end``."""
    pos = start
    while pos + _HEADER <= end:
        handle.seek(pos)
        size, kind = struct.unpack(">I4s", handle.read(_HEADER))
        body = pos + _HEADER
        if size == 1:  # a 64-bit size follows the type
            (size,) = struct.unpack(">Q", handle.read(8))
            body += 8
        elif size == 0:  # the atom runs to the end of its parent
            size = end - pos
        if size < body - pos or pos + size > end:
            raise ValueError(f"atom {kind!r} at {pos} has a bad size")
        yield kind, body, pos + size
        pos += size


def _mdhd_bodies(handle: BinaryIO, start: int, end: int, depth: int = 0) -> Iterator[int]:
    """Body offsets of the ``mdhd`` atoms under ``moov/trak/mdia``."""
    for kind, body, stop in _atoms(handle, start, end):
        if depth == len(_CONTAINERS) and kind == b"mdhd":
            yield body
        elif depth < len(_CONTAINERS) and kind == _CONTAINERS[depth]:
            yield from _mdhd_bodies(handle, body, stop, depth + 1)


def pack_language(code: str) -> bytes:
    """An ISO 639-2 code packed as ``mdhd`` stores it: three 5-bit letters (each minus 0x60).

    Raises:
        ValueError: ``code`` is not three lower-case letters a-z.
    """
    if len(code) != 3 or not all("a" <= ch <= "z" for ch in code):
        raise ValueError(f"not an ISO 639-2 code: {code!r}")
    a, b, c = (ord(ch) - 0x60 for ch in code)
    return struct.pack(">H", a << 10 | b << 5 | c)


def set_track_language(path: Path, code: str) -> int:
    """Set the language of every track of an MP4 file (audio and chapter text) in place.

    Args:
        path: the file ffmpeg wrote.
        code: ISO 639-2 code ("zho", "eng", "und").

    Returns:
        How many tracks were labelled.

    Raises:
        ValueError: ``code`` is not an ISO 639-2 code.
        OutputError: the file is not an MP4 this can read, or cannot be written.
    """
    packed = pack_language(code)
    try:
        with open(path, "r+b") as handle:
            size = handle.seek(0, 2)
            moov = [(body, stop) for kind, body, stop in _atoms(handle, 0, size) if kind == b"moov"]
            if not moov:
                raise ValueError("no moov atom")
            bodies = list(_mdhd_bodies(handle, *moov[0]))
            for body in bodies:
                handle.seek(body)
                version = handle.read(1)[0]
                # version, flags, then two dates, timescale and duration (32 or 64 bits)
                handle.seek(body + (4 + 8 + 8 + 4 + 8 if version == 1 else 4 + 4 + 4 + 4 + 4))
                handle.write(packed)
    except (OSError, ValueError, struct.error, IndexError) as exc:
        raise OutputError(
            str(path),
            f"cannot set the MP4 track language: {exc}",
            hint="render again; if it recurs, try --format mp3 and report the file",
        ) from None
    return len(bodies)
