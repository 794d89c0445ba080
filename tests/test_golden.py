"""Golden files: every caption and transcript format of a small transcript, byte for byte.

The programme is the real fixture parsed and assembled by the real stages,
with clip lengths fixed by the text (180 ms a character) so that no engine
is involved. A change to any writer shows up here as a diff to review. To
accept a deliberate change, rerun with ``TTS_EXPORT_UPDATE_GOLDEN=1`` and
commit the files under ``tests/golden/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES

from tts_export.audio.timeline import assemble
from tts_export.captions.cues import build_cues
from tts_export.captions.profiles import get_profile
from tts_export.captions.subtitles import write_subtitles
from tts_export.captions.transcripts import write_transcripts
from tts_export.config import Pauses
from tts_export.models import Clip
from tts_export.script import build_script
from tts_export.transcript.parse import read_transcript

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMATS = ("srt", "vtt", "ass", "json", "txt", "html")


@pytest.mark.parametrize("name", ["short_zh", "short_en"])
def test_every_format_matches_its_golden_file(tmp_path: Path, name: str) -> None:
    transcript = read_transcript(FIXTURES / "render" / f"{name}.md")
    script = build_script(transcript)
    clips = {
        u.id: Clip(u.id, f"{u.id}.wav", 24000, 180 * len(u.display), (), "espeak", "v", False)
        for u in script.utterances
        if u.kind == "speech"
    }
    intro = "开场" if transcript.language == "zh" else "Introduction"
    timeline = assemble(script, clips, pauses=Pauses(), intro_title=intro)
    profile = get_profile("netflix", language=transcript.language, max_chars=None, max_lines=None)
    cues = build_cues(timeline, language=transcript.language, profile=profile)
    written = write_subtitles(
        cues,
        out_dir=tmp_path,
        stem=name,
        formats=FORMATS,
        chapters=timeline.chapters,
        language=transcript.language,
    )
    written.update(
        write_transcripts(
            cues, transcript, out_dir=tmp_path, stem=name, formats=FORMATS, timeline=timeline
        )
    )
    assert {"srt", "vtt", "ass", "transcript_json", "txt", "html"} <= set(written)
    for path in sorted(written.values()):
        golden = GOLDEN / path.name
        if os.environ.get("TTS_EXPORT_UPDATE_GOLDEN"):
            golden.write_bytes(path.read_bytes())
        assert golden.is_file(), (
            f"no golden file {golden.name}: run with TTS_EXPORT_UPDATE_GOLDEN=1"
        )
        assert path.read_text("utf-8") == golden.read_text("utf-8"), f"{path.name} changed"
