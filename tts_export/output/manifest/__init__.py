"""The manifest: what a render made, as one typed document (``STEM.manifest.json``) beside it.

``build_manifest`` makes it from a render's timeline; ``Manifest.write``
writes it; ``Manifest.locate`` and ``Manifest.read`` find and check it for
every reader (the staging of unchanged outputs, the listening page, QA and
its repair). Its records are frozen dataclasses with ``to_json()``.
"""

from tts_export.output.manifest.build import build_manifest, transcript_fields, transcript_records
from tts_export.output.manifest.document import MANIFEST_SUFFIX, Manifest
from tts_export.output.manifest.records import (
    ChapterRecord,
    FileRecord,
    GlossRecord,
    Measured,
    OutputRecord,
    SectionRecord,
    SpeakerRecord,
    Stats,
    TurnRecord,
    UtteranceRecord,
)

__all__ = [
    "MANIFEST_SUFFIX",
    "ChapterRecord",
    "FileRecord",
    "GlossRecord",
    "Manifest",
    "Measured",
    "OutputRecord",
    "SectionRecord",
    "SpeakerRecord",
    "Stats",
    "TurnRecord",
    "UtteranceRecord",
    "build_manifest",
    "transcript_fields",
    "transcript_records",
]
