"""tts-export: transcripts in; multi-voice audio, captions, chapters and transcripts out.

Use it from Python::

    from tts_export import render

    result = render("episode.md", engine="espeak", out_dir="out")
    print(result.files["audio"], result.duration_ms)

    with Session(engine="kokoro", out_dir="out") as session:  # the model loads once
        for path in ("a.md", "b.md"):
            session.render(path)

``render``, ``inspect``, ``check``, ``voices``, ``qa`` and ``repair`` take keyword-only options,
validated before any work, and return typed results (frozen dataclasses
with ``to_json()``). Every error the library raises on purpose is a
``TtsExportError`` with a ``hint``.
"""

# The bundled voice profiles are the subpackage tts_export.voices; import it before the
# function of that name, or its first import (by casting, at the first render) would rebind
# tts_export.voices from the function to the subpackage.
import tts_export.voices  # noqa: F401  (isort: skip)
from tts_export._repair import Repaired
from tts_export.api import cache, check, inspect, publish, qa, render, repair, voices
from tts_export.config import RenderConfig, RenderOptions, load_config
from tts_export.errors import (
    ConfigError,
    EngineError,
    EngineUnavailable,
    ManifestError,
    OutputError,
    RenderNotFound,
    SubtitleError,
    SynthesisFailed,
    TranscriptError,
    TtsExportError,
    VoiceError,
)
from tts_export.models import Note, Pauses
from tts_export.output.manifest import Manifest
from tts_export.output.publish import PageError
from tts_export.output.results import (
    Batch,
    CheckReport,
    FileResult,
    Finding,
    Loudness,
    PlannedUtterance,
    Render,
    Report,
    SectionSummary,
    SpeakerSummary,
    Voice,
)
from tts_export.pipeline import Listener
from tts_export.qa import QaReport, UtteranceScore
from tts_export.session import Session
from tts_export.synth import Progress
from tts_export.synth.housekeeping import CacheUsage
from tts_export.version import __version__

__all__ = [
    "Batch",
    "CacheUsage",
    "CheckReport",
    "ConfigError",
    "EngineError",
    "EngineUnavailable",
    "FileResult",
    "Finding",
    "Listener",
    "Loudness",
    "Manifest",
    "ManifestError",
    "Note",
    "OutputError",
    "PageError",
    "Pauses",
    "PlannedUtterance",
    "Progress",
    "QaReport",
    "Render",
    "RenderConfig",
    "RenderNotFound",
    "RenderOptions",
    "Repaired",
    "Report",
    "SectionSummary",
    "Session",
    "SpeakerSummary",
    "SubtitleError",
    "SynthesisFailed",
    "TranscriptError",
    "TtsExportError",
    "UtteranceScore",
    "Voice",
    "VoiceError",
    "__version__",
    "cache",
    "check",
    "inspect",
    "load_config",
    "publish",
    "qa",
    "render",
    "repair",
    "voices",
]
