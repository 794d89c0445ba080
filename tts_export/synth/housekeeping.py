"""The clip cache's size and its pruning: a cache folder in, a ``CacheUsage`` out.

The cache (``synth.cache``) only grows: every new sentence, voice or engine
version adds an entry, and nothing a render does removes one. This module
measures it and removes entries by age or to fit a size, least recently used
first. An entry is a ``KEY.json`` record and its ``KEY.wav`` in a two-letter
shard folder; ``ClipCache.get`` touches the record on every hit, so the
record's modification time is when the entry was last used.

Only names of the cache's own forms are ever counted or removed (64 hex
digits and ``.json``/``.wav``, in a shard folder named by their first two
digits, plus temporaries of dead runs); symlinks are never followed, so a
mistyped ``--cache-dir`` cannot empty another folder.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tts_export.common.files import remove_stale_temporaries
from tts_export.errors import ConfigError

_ENTRY = re.compile(r"(?P<key>[0-9a-f]{64})\.(?:json|wav)")
_SIZE = re.compile(r"(?i)^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)i?b?\s*$")
_AGE = re.compile(r"(?i)^\s*([0-9]+)\s*([smhdw])\s*$")
_AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


@dataclass(frozen=True)
class CacheUsage:
    """What a cache folder holds (after a prune, what is left) and what a prune removed.

    Attributes:
        root: the cache folder.
        entries: whole entries (a record and its WAV) in it.
        bytes: their size on disk, records and WAVs, plus any half-written entry.
        oldest_used: when the least recently used entry was last used (Unix seconds), or None.
        newest_used: when the most recently used one was, or None.
        removed_entries: entries a prune removed (0 when only measuring).
        removed_bytes: the bytes it freed.
    """

    root: Path
    entries: int
    bytes: int
    oldest_used: float | None
    newest_used: float | None
    removed_entries: int = 0
    removed_bytes: int = 0

    def to_json(self) -> dict[str, object]:
        """A plain mapping for ``--json``."""
        return {
            "root": str(self.root),
            "entries": self.entries,
            "bytes": self.bytes,
            "oldest_used": self.oldest_used,
            "newest_used": self.newest_used,
            "removed_entries": self.removed_entries,
            "removed_bytes": self.removed_bytes,
        }


@dataclass(frozen=True)
class _Entry:
    key: str
    paths: tuple[Path, ...]
    size: int
    used: float  # the record's mtime; a WAV without its record counts as its own age


def _entries(root: Path) -> Iterator[_Entry]:
    """Every entry under ``root``, whole or half-written, by key."""
    try:
        shards = [s for s in os.scandir(root) if s.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for shard in sorted(shards, key=lambda s: s.name):
        found: dict[str, list[os.DirEntry[str]]] = {}
        try:
            files = list(os.scandir(shard.path))
        except OSError:
            continue
        for item in files:
            match = _ENTRY.fullmatch(item.name)
            if match and match["key"][:2] == shard.name and item.is_file(follow_symlinks=False):
                found.setdefault(match["key"], []).append(item)
        for key, items in sorted(found.items()):
            stats = {Path(i.path).suffix: i.stat(follow_symlinks=False) for i in items}
            record = stats.get(".json") or stats[".wav"]
            yield _Entry(
                key=key,
                paths=tuple(Path(i.path) for i in items),
                size=sum(s.st_size for s in stats.values()),
                used=record.st_mtime,
            )


def usage(root: Path) -> CacheUsage:
    """Measure the cache at ``root`` (a missing folder is an empty cache)."""
    entries = list(_entries(root))
    used = [e.used for e in entries]
    return CacheUsage(
        root=root,
        entries=sum(1 for e in entries if len(e.paths) == 2),
        bytes=sum(e.size for e in entries),
        oldest_used=min(used) if used else None,
        newest_used=max(used) if used else None,
    )


def prune(
    root: Path,
    *,
    older_than_s: int | None = None,
    max_bytes: int | None = None,
    now: float | None = None,
) -> CacheUsage:
    """Remove entries unused for ``older_than_s``, then the least recently used until the
    cache holds at most ``max_bytes``; half-written entries and dead runs' temporaries go too.

    A removed entry is simply made again by the next render that needs it.

    Returns:
        The cache as it is afterwards, with what was removed.
    """
    remove_stale_temporaries(root, recursive=True)
    clock = time.time() if now is None else now
    keep: list[_Entry] = []
    removed = freed = 0
    for entry in sorted(_entries(root), key=lambda e: (e.used, e.key)):
        stale = older_than_s is not None and clock - entry.used > older_than_s
        if stale or len(entry.paths) != 2:
            freed += _remove(entry)
            removed += len(entry.paths) == 2
        else:
            keep.append(entry)
    if max_bytes is not None:
        total = sum(e.size for e in keep)
        while keep and total > max_bytes:
            entry = keep.pop(0)  # least recently used first
            total -= entry.size
            freed += _remove(entry)
            removed += 1
    left = usage(root)
    return CacheUsage(
        root=left.root,
        entries=left.entries,
        bytes=left.bytes,
        oldest_used=left.oldest_used,
        newest_used=left.newest_used,
        removed_entries=removed,
        removed_bytes=freed,
    )


def _remove(entry: _Entry) -> int:
    """Delete an entry's files, the record first (an entry exists only while its record does)."""
    freed = 0
    for path in sorted(entry.paths, key=lambda p: p.suffix != ".json"):
        try:
            size = path.stat(follow_symlinks=False).st_size
            path.unlink()
            freed += size
        except OSError:
            continue  # a concurrent render or cleaner took it; a read-only cache keeps it
    return freed


def parse_size(value: str) -> int:
    """``500M``, ``2G``, ``750k``, ``1.5GB`` or a number of bytes, as bytes (powers of 1024).

    Raises:
        ConfigError: not a size.
    """
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ConfigError("max-size", value, "must be a size such as 500M or 2G", hint="e.g. 1G")
    power = " kmgt".index(match[2].lower() or " ")
    return int(float(match[1]) * 1024**power)


def parse_age(value: str) -> int:
    """``30d``, ``12h``, ``2w``, ``90m`` or ``45s`` as seconds.

    Raises:
        ConfigError: not an age.
    """
    match = _AGE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ConfigError(
            "older-than", value, "must be an age such as 30d, 12h or 2w", hint="e.g. 30d"
        )
    return int(match[1]) * _AGE_UNITS[match[2].lower()]
