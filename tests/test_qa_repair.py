"""``qa --repair``: a real Kokoro render with one utterance overwritten by noise is
checked by whisper-base, the utterance is re-voiced, the programme is rendered again
from the cache, the manifest records the repair and a later plain render keeps it
(skipped with the reason where the QA extra or the model wheels are absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import render_api, run_cli
from test_qa import whisper_base  # noqa: F401  (the session fixture)
from test_qa_cli import TALK, _noise_over

from tts_export import api
from tts_export.qa import load_recognizer, run_qa
from tts_export.qa.repairs import read_repairs


def _synthesized(transcript: Path, out: Path, cache: Path) -> int:
    """Render as a user would; the number of clips synthesized (the rest were cache hits)."""
    done = render_api(transcript, out, cache, engine="kokoro", fallback="none",
                      audio_format="wav", loudness=None, captions_formats=("srt",))  # fmt: skip
    return done.synthesized


@pytest.mark.slow
def test_repair_revoices_a_garbled_utterance_and_the_repair_persists(
    whisper_base: Path, tmp_path: Path  # noqa: F811
) -> None:
    transcript = tmp_path / "talk.md"
    transcript.write_text(TALK, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert _synthesized(transcript, out, cache) == 4
    manifest = json.loads((out / "talk.manifest.json").read_text(encoding="utf-8"))
    target = [u for u in manifest["utterances"] if u["kind"] == "speech"][1]
    _noise_over(out / manifest["audio"], target["start_ms"], target["end_ms"])

    done = api.repair(out / "talk", transcript=transcript, asr_model=whisper_base,
                      max_cer=0.3, threads=1, cache_dir=cache, loudness=None,
                      captions_formats=("srt",))  # fmt: skip
    assert list(done.tried) == [target["id"]]  # only the garbled one was over the limit
    assert [r.id for r in done.repairs] == [target["id"]]
    fix = done.repairs[0]
    assert fix.before >= 0.5 and fix.after < fix.before and fix.speaker == "嘉宾"
    # Every other clip came from the cache; only the repaired sentence was synthesized.
    assert (done.render.synthesized, done.render.cached) == (1, 3)
    manifest = json.loads((out / "talk.manifest.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in manifest["repairs"]] == [target["id"]]
    assert manifest["repairs"][0]["change"] == fix.change
    assert manifest["speakers"]["嘉宾"]["voice"] == target["voice"]  # the persona stays
    assert [r.id for r in read_repairs(out / "talk.repairs.json")] == [target["id"]]
    recognizer = load_recognizer(whisper_base, threads=1)
    after = {u.id: u.rate for u in run_qa(out / "talk", recognizer).utterances}
    assert after[target["id"]] < fix.before and after[target["id"]] <= fix.after + 0.15

    # The repair's clip is cached under its own key.
    assert _synthesized(transcript, out, cache) == 0
    manifest = json.loads((out / "talk.manifest.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in manifest["repairs"]] == [target["id"]]


def test_repair_needs_the_transcript(tmp_path: Path) -> None:
    proc = run_cli("qa", str(tmp_path / "talk"), "--repair")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--repair needs --transcript FILE" in proc.stderr


def test_a_repair_for_an_edited_sentence_is_dropped() -> None:
    from dataclasses import replace

    from tts_export.models import Script, Transcript, Utterance
    from tts_export.qa.repairs import Repair, applicable

    fix = Repair("u1", "A", "旧的句子", "kokoro", "jf_alpha", 0.9, "speed", 1.0, 0.0)
    edited = Utterance("u1", None, "A", "新的句子", "新的句子", 1, 0, 0)
    script = Script(Transcript("<string>", {}, ()), (edited,))
    assert applicable([fix], script, "kokoro") == ()
    same = Script(script.transcript, (replace(edited, spoken="旧的句子"),))
    assert applicable([fix], same, "kokoro") == (fix,)
    assert applicable([fix], same, "espeak") == ()
