"""Writing output files whole or not at all: a temporary name beside the target, then a rename."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tts_export.errors import OutputError


def write_text_atomic(path: Path, text: str) -> Path:
    """Write UTF-8 text (no BOM) with ``write_bytes_atomic``.

    Raises:
        OutputError: the text cannot be encoded, or the file cannot be written.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise OutputError(
            str(path),
            f"text holds a character UTF-8 cannot store at offset {exc.start}",
            hint="the transcript contains invalid Unicode (a lone surrogate); fix the source",
        ) from None
    return write_bytes_atomic(path, data)


def temporary_name(path: Path) -> Path:
    """A name beside ``path`` for writing it: hidden, unique, and naming this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it.

    An existing file is replaced whole or not at all. The new file gets the
    usual permissions (umask), not the private ones ``tempfile.mkstemp`` would give.

    Raises:
        OutputError: the folder is missing or the file cannot be written.
    """
    tmp = temporary_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(
            str(path),
            f"cannot write: {exc.strerror or exc}",
            hint="check that the output folder exists and is writable (--out DIR)",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            str(path),
            f"cannot write: {exc.strerror or exc}",
            hint="check free disk space and the folder's permissions",
        ) from None
    return path


def write_json(data: Mapping[str, Any], path: Path) -> Path:
    """Write ``data`` as indented UTF-8 JSON with ``write_text_atomic``.

    Raises:
        OutputError: the file cannot be written.
    """
    return write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
