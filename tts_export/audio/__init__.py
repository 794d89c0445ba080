"""Audio stage: a Script's clips in, a ``Timeline``, then one levelled, tagged, chaptered file out.

``assemble`` lays the clips out (``timeline``); ``write_audio`` stitches,
levels, limits and encodes them (``encode``); ``write_chapters_json`` writes
the chapters file (``chapters``). ``load_music`` checks intro, outro and bed
files before synthesis and ``add_music`` makes room for them (``music``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tts_export.audio.chapters import write_chapters_json
    from tts_export.audio.encode import AudioResult, decode_duration_ms, write_audio
    from tts_export.audio.music import Music, MusicFile, add_music, load_music
    from tts_export.audio.timeline import assemble, pause_before

__all__ = [
    "AudioResult",
    "Music",
    "MusicFile",
    "add_music",
    "assemble",
    "decode_duration_ms",
    "load_music",
    "pause_before",
    "write_audio",
    "write_chapters_json",
]

# The entry points load on first use: importing ``tts_export.audio.ffmpeg`` (engine
# adapters) or ``tts_export.audio.formats`` (config) must not pull in numpy or
# ``timeline``, which imports config (an import cycle).
_HOMES = {
    "AudioResult": "encode",
    "Music": "music",
    "MusicFile": "music",
    "add_music": "music",
    "load_music": "music",
    "assemble": "timeline",
    "decode_duration_ms": "encode",
    "pause_before": "timeline",
    "write_audio": "encode",
    "write_chapters_json": "chapters",
}


def __getattr__(name: str) -> Any:
    """Load a re-exported entry point from its module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
