"""Chapters file: a timeline's chapters in, a Podcasting 2.0 JSON chapters file out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tts_export.common.files import write_json
from tts_export.models import Chapter


def write_chapters_json(chapters: Sequence[Chapter], path: Path) -> Path:
    """Write Podcasting 2.0 JSON chapters (version 1.2.0), sorted by start time.

    Raises:
        OutputError: the file cannot be written.
    """
    path = Path(path)
    body = {
        "version": "1.2.0",
        "chapters": [
            {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
            for c in sorted(chapters, key=lambda c: c.start_ms)
        ],
    }
    return write_json(body, path)
