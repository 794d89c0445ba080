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
from tts_export.captions import formats
from tts_export.captions.cues import build_cues
from tts_export.captions.formats import write_subtitles, write_transcripts
from tts_export.captions.profiles import get_profile
from tts_export.errors import ConfigError
from tts_export.models import (
    Casting,
    Clip,
    Cue,
    Pauses,
    Realization,
    Timeline,
    Transcript,
    VoiceProfile,
)
from tts_export.output.manifest import FileRecord, Measured, OutputRecord, build_manifest
from tts_export.output.results import Loudness
from tts_export.script import build_script
from tts_export.transcript.parse import read_transcript

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMATS = ("srt", "vtt", "ass", "json", "txt", "html")


def _programme(name: str) -> tuple[Transcript, Timeline, tuple[Cue, ...]]:
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
    return transcript, timeline, cues


def _assert_golden(written: dict[str, Path]) -> None:
    for path in sorted(written.values()):
        golden = GOLDEN / path.name
        if os.environ.get("TTS_EXPORT_UPDATE_GOLDEN"):
            golden.write_bytes(path.read_bytes())
        assert golden.is_file(), (
            f"no golden file {golden.name}: run with TTS_EXPORT_UPDATE_GOLDEN=1"
        )
        assert path.read_text("utf-8") == golden.read_text("utf-8"), f"{path.name} changed"


@pytest.mark.parametrize("name", ["short_zh", "short_en"])
def test_every_format_matches_its_golden_file(tmp_path: Path, name: str) -> None:
    transcript, timeline, cues = _programme(name)
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
    _assert_golden(written)


def test_registry_lists_every_golden_format_in_order() -> None:
    assert formats.names() == FORMATS
    kinds = [formats.get(name).kind for name in FORMATS]
    assert kinds == ["srt", "vtt", "ass", "transcript_json", "txt", "html"]
    with pytest.raises(ConfigError) as err:
        formats.get("sbv")
    assert err.value.hint == "choose among srt, vtt, ass, json, txt, html"


def test_write_captions_gives_the_golden_files_in_manifest_order(tmp_path: Path) -> None:
    transcript, timeline, cues = _programme("short_zh")
    written = formats.write_captions(
        cues, transcript, out_dir=tmp_path, stem="short_zh", formats=FORMATS, timeline=timeline
    )
    assert list(written) == ["srt", "vtt", "ass", "chapters_vtt", "transcript_json", "txt", "html"]
    assert {p.name for p in written.values()} == {p.name for p in tmp_path.iterdir()}
    _assert_golden(written)


def test_the_manifest_matches_its_golden_file(tmp_path: Path) -> None:
    """Every field of the manifest, in order, as the export stage writes it (the golden file was
    written by the dict-building manifest code this typed one replaced)."""
    transcript, timeline, _ = _programme("short_zh")
    speakers = dict.fromkeys(p.utterance.speaker for p in timeline.placements)
    casting = Casting({
        s: VoiceProfile(f"p{n}", ("female", "male")[n % 2], transcript.language, "",
                        (Realization("espeak", f"cmn+f{n}"),))
        for n, s in enumerate(speakers)
    })  # fmt: skip
    repair = {
        "id": "s00t001u00", "speaker": "闲哥", "spoken": "x", "engine": "espeak",
        "voice": "cmn+m1", "speed": 0.9, "change": "speed 1 -> 0.90 (0.9x)", "before": 0.25,
        "after": 0.0, "heard_before": "y", "heard_after": "x",
    }  # fmt: skip
    audio = {"audio": FileRecord("short_zh.mp3", "b" * 64),
             "chapters_json": FileRecord("short_zh.chapters.json", "c" * 64)}  # fmt: skip
    outputs = {
        "audio": OutputRecord("a" * 64, audio, measured=Measured(12345, -16.02, -1.5)),
        "captions": OutputRecord("d" * 64, {"srt": FileRecord("short_zh.srt", "e" * 64)}, cues=9),
    }
    manifest = build_manifest(
        timeline, casting, audio_name="short_zh.mp3", duration_ms=12345, engine="espeak",
        files={"audio": "short_zh.mp3", "chapters_json": "short_zh.chapters.json",
               "srt": "short_zh.srt", "page": "short_zh.html"},
        meta=transcript.meta, loudness=Loudness(-16.02, -1.5, -16.0), transcript=transcript,
        repairs=[repair], repaired=2, outputs=outputs,
    )  # fmt: skip
    _assert_golden({"manifest": manifest.write(tmp_path / "short_zh.manifest.json")})
