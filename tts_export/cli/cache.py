"""``tts-export cache``: how big the clip cache is, and pruning it by age or size."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from tts_export import api
from tts_export.cli.app import app
from tts_export.cli.console import err, guarded, say, to_json, write
from tts_export.synth.housekeeping import CacheUsage


@app.command("cache")
def cache_cmd(
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", metavar="DIR", help="The clip cache (default: .cache/tts-export)."),
    ] = None,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            metavar="AGE",
            help="Remove clips no render has used for AGE (30d, 12h, 2w, 90m).",
        ),
    ] = None,
    max_size: Annotated[
        str | None,
        typer.Option(
            "--max-size",
            metavar="SIZE",
            help="Then remove the least recently used clips until the cache fits SIZE (500M, 2G).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
) -> None:
    """Show the clip cache's size; with --older-than or --max-size, prune it first.

    Removed clips are synthesized again by the next render that needs them.
    """

    def run() -> None:
        result = api.cache(cache_dir, older_than=older_than, max_size=max_size)
        if older_than is not None or max_size is not None:
            say("pruned:", "green", f"{result.removed_entries} clips, {_size(result.removed_bytes)}")
        if as_json:
            write(sys.stdout, to_json(result.to_json()) + "\n")
        else:
            write(sys.stdout, _table(result))

    guarded(run)


def _size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))


def _table(result: CacheUsage) -> str:
    rows = [
        ("cache", str(result.root)),
        ("clips", str(result.entries)),
        ("size", _size(result.bytes)),
        ("least recently used", _when(result.oldest_used)),
        ("most recently used", _when(result.newest_used)),
    ]
    width = max(len(k) for k, _ in rows)
    if not result.root.exists():
        err.print(Text(f"no cache at {result.root} yet: a render makes it"))
    return "".join(f"{k.ljust(width)}  {v}\n" for k, v in rows)
