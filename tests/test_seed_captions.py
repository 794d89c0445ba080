"""The seed's captions pass ``check``: no error and no cue too short to read (issue 12).

The programme is the real seed parsed, scripted and assembled by the real
stages, with clip lengths fixed by the text as in ``test_golden`` (no engine),
then captioned, written as SRT and VTT by the real writers and checked. On
the espeak render of the seed, 38 cues were under 5/6 s.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tts_export.audio.timeline import assemble
from tts_export.captions.check import check_subtitles
from tts_export.captions.cues import build_cues
from tts_export.captions.formats import write_subtitles
from tts_export.captions.profiles import get_profile
from tts_export.captions.speakers import JoinedCue, is_dialogue
from tts_export.models import Clip, Cue, Pauses, Timeline
from tts_export.script import build_script
from tts_export.transcript.parse import read_transcript

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ca70ea49c8ed113c.txt"


def _seed(ms_per_char: int) -> tuple[Timeline, tuple[Cue, ...], str]:
    transcript = read_transcript(SEED)
    script = build_script(transcript)
    clips = {
        u.id: Clip(
            u.id, f"{u.id}.wav", 24000, ms_per_char * len(u.display), (), "espeak", "v", False
        )
        for u in script.utterances
        if u.kind == "speech"
    }
    timeline = assemble(script, clips, pauses=Pauses(), intro_title="开场")
    profile = get_profile("netflix", language=transcript.language)
    cues = build_cues(timeline, language=transcript.language, profile=profile)
    return timeline, cues, transcript.language


def _checked(tmp_path: Path, ms_per_char: int) -> tuple[tuple[Cue, ...], dict[str, Any]]:
    timeline, cues, language = _seed(ms_per_char)
    written = write_subtitles(
        cues,
        out_dir=tmp_path,
        stem="seed",
        formats=("srt", "vtt", "ass"),
        chapters=timeline.chapters,
        language=language,
    )
    reports = {
        kind: check_subtitles(
            written[kind], audio_ms=timeline.duration_ms, profile="netflix", language=None
        )
        for kind in ("srt", "vtt", "ass")
    }
    return cues, reports


@pytest.mark.parametrize("ms_per_char", [180, 220])
def test_seed_captions_have_no_error_and_no_cue_too_short(tmp_path: Path, ms_per_char: int) -> None:
    cues, reports = _checked(tmp_path, ms_per_char)
    assert len(cues) > 800
    for kind, report in reports.items():
        assert report["cues"] == len(cues), kind
        assert report["errors"] == [], (kind, report["errors"][:3])
        warned = Counter(item["rule"] for item in report["warnings"])
        assert warned["min-duration"] == 0, (kind, warned)
        assert warned["max-duration"] == warned["speaker-label"] == warned["gap"] == 0, kind
        assert report["stats"]["min_duration_ms"] >= (830 if kind == "ass" else 833)
    # the short ones were joined, not dropped: same speaker mostly, a few two-speaker cues
    joined = [c for c in cues if isinstance(c, JoinedCue)]
    assert 20 <= len(joined) <= 80
    assert sum(is_dialogue(c) for c in joined) < len(joined) / 2
