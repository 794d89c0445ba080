"""Cover art: a front-matter ``cover:`` value and the transcript's folder in, a checked image out.

Run before synthesis, so a bad cover stops a render before any work. The
path is taken relative to the transcript's folder and, unless the user
allows it, must stay inside that folder once symlinks are resolved: a
transcript from someone else must not embed the user's private files into
a published audio file. Only regular files are opened (never a device or a
FIFO), at most ``MAX_COVER_BYTES`` are read, and the image must be a JPEG
or PNG by its first bytes.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tts_export.errors import ConfigError

MAX_COVER_BYTES = 10 * 1024 * 1024  # podcast platforms take covers up to 512 KB-10 MB
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_ARTWORK_HINT = "use a JPEG or PNG (square, 1400-3000 px for podcasts)"


@dataclass(frozen=True)
class Cover:
    """A cover image that passed every check, held in memory.

    Attributes:
        path: the image file, symlinks resolved.
        data: its bytes.
        mime: "image/jpeg" or "image/png".
    """

    path: Path
    data: bytes
    mime: str

    @property
    def suffix(self) -> str:
        """The file name suffix that goes with ``mime``."""
        return ".png" if self.mime == "image/png" else ".jpg"


def image_mime(head: bytes) -> str | None:
    """The MIME type of an image from its first bytes: JPEG, PNG, or None for anything else."""
    if head.startswith(_JPEG):
        return "image/jpeg"
    if head.startswith(_PNG):
        return "image/png"
    return None


def resolve_inside(
    value: str, folder: Path, *, allow_outside: bool, setting: str = "cover"
) -> Path:
    """``value`` taken from ``folder``, symlinks resolved, checked to stay inside it.

    The rule for every file a transcript names (cover art, music).

    Raises:
        ConfigError: the file does not exist, or leaves the folder when not allowed.
    """
    try:
        base = folder.resolve(strict=True)
        path = (base / value).resolve(strict=True)
    except FileNotFoundError:
        raise ConfigError(
            setting,
            value,
            f"no such file (looked in {folder})",
            hint=f"{setting} paths are taken relative to the transcript's folder",
        ) from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        raise ConfigError(
            setting,
            value,
            f"cannot open the file: {exc}",
            hint="check that the path names a readable file (not a symlink loop)",
        ) from None
    if not allow_outside and not path.is_relative_to(base):
        raise ConfigError(
            setting,
            value,
            f"{path} is outside the transcript's folder {base}",
            hint="copy the file next to the transcript, or pass --allow-outside-files "
            "if you trust this transcript",
        )
    return path


def load_cover(
    value: object,
    folder: Path,
    *,
    allow_outside: bool = False,
    max_bytes: int = MAX_COVER_BYTES,
) -> Cover:
    """Check a ``cover:`` value and read the image it names.

    Args:
        value: the front-matter value (a path, relative to ``folder`` unless absolute).
        folder: the transcript's folder.
        allow_outside: accept a file outside ``folder`` (``--allow-outside-files``).
        max_bytes: the largest image accepted.

    Returns:
        The image's resolved path, bytes and MIME type.

    Raises:
        ConfigError: the value is not a path, or the file is missing, outside the
            folder, not a regular file, larger than ``max_bytes``, unreadable, or
            neither JPEG nor PNG.
    """
    if not isinstance(value, str | Path) or not str(value).strip():
        raise ConfigError(
            "cover", value, "must be the path of an image file", hint="e.g. cover: art/cover.jpg"
        )
    path = resolve_inside(str(value), folder, allow_outside=allow_outside)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOFOLLOW: the
        # resolved path must not have become a symlink since it was checked.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise ConfigError(
            "cover", value, f"cannot open {path}: {exc.strerror or exc}", hint=_ARTWORK_HINT
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(
                "cover",
                value,
                f"{path} is not a regular file (a folder, device or FIFO)",
                hint=_ARTWORK_HINT,
            )
        if info.st_size > max_bytes:
            raise ConfigError("cover", value, _too_big(info.st_size, max_bytes), hint=_SMALLER)
        data = _read_at_most(fd, max_bytes + 1)  # the file may have grown since fstat
    except OSError as exc:
        raise ConfigError(
            "cover",
            value,
            f"cannot read {path}: {exc.strerror}",
            hint="make the image readable by you (check its permissions), or name another",
        ) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ConfigError("cover", value, _too_big(len(data), max_bytes), hint=_SMALLER)
    mime = image_mime(data[:8])
    if mime is None:
        raise ConfigError("cover", value, "not a JPEG or PNG image", hint=_ARTWORK_HINT)
    return Cover(path, data, mime)


def _read_at_most(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from ``fd``, fewer if the file ends first."""
    chunks: list[bytes] = []
    size = 0
    while size < limit and (chunk := os.read(fd, min(1 << 20, limit - size))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


_SMALLER = "scale the image down or save it as JPEG (3000x3000 px is plenty)"


def _too_big(size: int, limit: int) -> str:
    return f"the image is {size / 2**20:.1f} MB; covers are limited to {limit / 2**20:.0f} MB"
