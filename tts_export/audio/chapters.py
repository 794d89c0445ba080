"""Chapters file: a timeline's chapters in, a Podcasting 2.0 JSON chapters file out.

``writes_chapter_files`` is the one rule for when a render writes its chapters
files: the JSON here and the WebVTT track (``captions.formats``), both or neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tts_export.common.files import write_json
from tts_export.models import Chapter


def writes_chapter_files(chapters: Sequence[Chapter]) -> bool:
    """True when a render writes ``<stem>.chapters.json`` and ``<stem>.chapters.vtt``.

    Both are written whenever the programme has a chapter (one section
    heading is one chapter), so a player gets the same chapters either way.
    """
    return any(c.end_ms > c.start_ms for c in chapters)


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
