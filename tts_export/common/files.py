"""Writing output files whole or not at all: a temporary name beside the target, then a rename.

Every temporary name carries the writing process's id (``.NAME.PID.TOKEN.tmp``),
so that ``remove_stale_temporaries`` can remove what a killed run left behind
without touching the files of a run still going.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
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
    """A name beside ``path`` for writing it: hidden, unique, and naming this process.

    The form is ``.NAME.PID.TOKEN.tmp`` (TOKEN: 8 hex digits), which
    ``temporary_owner`` reads back.
    """
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def temporary_folder(parent: Path, label: str) -> Iterator[Path]:
    """A scratch folder in ``parent`` named like ``temporary_name``, removed on exit.

    Raises:
        OSError: the folder cannot be created.
    """
    folder = temporary_name(parent / label)
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Our temporary names, each with the writer's pid. Pids have at most 7 digits
# (Linux caps pid_max at 2**22), so the 8-hex token is never read as one.
# Also the forms earlier versions wrote: ".NAME.PID.tmp" (clip cache) and
# ".STEM.PID.tmp.EXT[.probe]" (audio being encoded).
_TEMPORARY = re.compile(
    r"\.(?P<name>.+)\.(?P<pid>[1-9][0-9]{0,6})(?:\.[0-9a-f]{8})?\.tmp"
    r"(?:\.(?:mp3|m4a|m4b|ogg|opus|flac|wav)(?:\.probe)?)?"
)
# Earlier versions named the encoder's scratch folder without a pid: such a
# folder is removed once it is older than any encode runs.
_LEGACY_FOLDER = re.compile(r"\.tts-meta-[a-z0-9_]{8}")
LEGACY_FOLDER_AGE_S = 24 * 3600


def temporary_owner(name: str) -> int | None:
    """The pid in one of our temporary file or folder names, or None if ``name`` is not one."""
    match = _TEMPORARY.fullmatch(name)
    return int(match.group("pid")) if match else None


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (``kill(pid, 0)``; no permission counts as alive)."""
    if pid <= 0:  # 0 and negatives name process groups, never one writer
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # no such process; a pid no system gives
        return False
    except OSError:  # EPERM: another user's process exists; anything else: assume it does
        return True
    return True


def _stale(entry: os.DirEntry[str], now: float) -> bool:
    pid = temporary_owner(entry.name)
    if pid is not None:
        return pid != os.getpid() and not process_alive(pid)
    if _LEGACY_FOLDER.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
        return now - entry.stat(follow_symlinks=False).st_mtime > LEGACY_FOLDER_AGE_S
    return False


def remove_stale_temporaries(folder: Path, *, recursive: bool = False) -> tuple[Path, ...]:
    """Remove the temporary files and folders that dead processes left in ``folder``.

    Only names of our temporary forms are considered (see ``temporary_owner``),
    and only those whose writer no longer runs are removed: a concurrent run's
    files stay. A symlink is removed, never followed. Anything that cannot be
    removed (permissions, a race with another cleaner) is left alone.

    Args:
        folder: an output or cache folder; a missing folder holds nothing.
        recursive: look in subfolders too (the clip cache shards its files).

    Returns:
        The paths removed.
    """
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    for entry in entries:
        path = Path(entry.path)
        try:
            if _stale(entry, now):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                else:
                    path.unlink()
                removed.append(path)
            elif (
                recursive
                and entry.is_dir(follow_symlinks=False)
                and temporary_owner(entry.name) is None  # never look inside a live one
            ):
                removed += remove_stale_temporaries(path, recursive=True)
        except OSError:
            continue
    return tuple(removed)


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
    # allow_nan=False: NaN and Infinity are not JSON; a value that holds one is a bug upstream.
    return write_text_atomic(
        path, json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    )
