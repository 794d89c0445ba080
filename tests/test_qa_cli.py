"""``tts-export qa``: a real Kokoro render of a few sentences, checked by the real
whisper-base model through the CLI (skipped with the reason where the QA extra or
the model wheels are absent; CI installs them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from conftest import ROOT, run_cli
from test_qa import rewrite_span, whisper_base  # noqa: F401  (whisper_base: the session fixture)

from tts_export import render
from tts_export.qa import tokens

TALK = """\
主持人：欢迎收听我们的节目，今天我们聊一聊人工智能。
嘉宾：谢谢邀请，我很高兴来到这里。
主持人：你觉得明年最重要的变化是什么？
嘉宾：我认为是手机上的语音助手会变得更加聪明。
"""


@pytest.fixture(scope="module")
def kokoro_talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUTDIR/STEM of a four-sentence Kokoro render (WAV, so a span can be garbled exactly)."""
    work = tmp_path_factory.mktemp("qa-cli")
    render(TALK, name="talk", engine="kokoro", fallback="none", out_dir=work / "out",
           cache_dir=work / "cache", audio_format="wav", loudness=None,
           captions_formats=("srt",))  # fmt: skip
    return work / "out" / "talk"


def _noise_over(audio: Path, start_ms: int, end_ms: int) -> None:
    """Replace one stretch of a WAV file with noise at the speech's own level."""

    def noise(stretch: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        level = float(np.sqrt(np.mean(stretch.astype(np.float64) ** 2)))
        made = np.random.default_rng(7).normal(0.0, level, stretch.size)
        return np.clip(made, -32768, 32767).astype("<i2")

    rewrite_span(audio, start_ms, end_ms, noise)


@pytest.mark.slow
def test_qa_json_shape_and_a_clean_render_passes(
    kokoro_talk: Path, whisper_base: Path  # noqa: F811
) -> None:
    proc = run_cli("qa", str(kokoro_talk), "--asr-model", str(whisper_base), "--json",
                   "--threads", "1", "--max-cer", "0.5", timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # stdout is exactly one JSON object; progress went to stderr
    assert set(data) >= {"manifest", "audio_ms", "rate", "speakers", "worst", "utterances"}
    # A homophone is an error only in spelling (a polyphone read otherwise in another
    # context can add one by sound, hence the margin).
    assert 0.0 <= data["sound_rate"] <= data["rate"] + 0.02
    assert set(data["speakers_by_sound"]) == set(data["speakers"])
    assert data["passed"] is True and data["max_cer"] == 0.5
    assert [u["speaker"] for u in data["utterances"]] == ["主持人", "嘉宾", "主持人", "嘉宾"]
    assert set(data["speakers"]) == {"主持人", "嘉宾"}
    for u in data["utterances"]:
        assert u["language"] == "zh" and u["length"] == len(tokens(u["spoken"]))
        assert 0.0 <= u["rate"] <= 0.5, u
    assert data["rate"] <= 0.25


@pytest.mark.slow
def test_qa_flags_a_garbled_utterance_and_exits_1(
    kokoro_talk: Path, whisper_base: Path, tmp_path: Path  # noqa: F811
) -> None:
    copy = tmp_path / "out"
    copy.mkdir()
    for path in kokoro_talk.parent.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    manifest = json.loads((copy / "talk.manifest.json").read_text(encoding="utf-8"))
    target = [u for u in manifest["utterances"] if u["kind"] == "speech"][3]
    _noise_over(copy / manifest["audio"], target["start_ms"], target["end_ms"])
    proc = run_cli("qa", str(copy / "talk"), "--asr-model", str(whisper_base), "--worst", "1",
                   "--threads", "1", timeout=300)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    table = proc.stdout.splitlines()
    assert table[0].split() == ["errors", "by", "sound"]
    assert table[1].startswith("overall") and "over the limit of 5.0%" in table[1]
    assert any(line.startswith("主持人") for line in table)
    worst = table.index("worst 1:")
    assert table[worst + 1].split()[0] == target["id"]
    assert table[worst + 2].strip() == f"spoken: {target['spoken']}"
    assert table[worst + 3].strip().startswith("heard:")
    proc = run_cli("qa", str(copy / "talk"), "--asr-model", str(whisper_base), "--json",
                   "--threads", "1", timeout=300)  # fmt: skip
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["passed"] is False
    assert data["worst"][0]["id"] == target["id"] and data["worst"][0]["rate"] >= 0.5


@pytest.mark.slow
def test_qa_errors_are_one_line_with_a_hint(kokoro_talk: Path, tmp_path: Path) -> None:
    proc = run_cli("qa", str(kokoro_talk), "--asr-model", str(tmp_path / "no-model"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"no model folder {tmp_path / 'no-model'}" in proc.stderr and "hint:" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = run_cli("qa", str(kokoro_talk), "--asr-model", str(tmp_path / "empty"))
    assert proc.returncode == 1 and "no model.bin in" in proc.stderr
    missing_extra = (
        "import sys; sys.modules['faster_whisper'] = None; sys.argv = ['tts-export', 'qa', "
        f"{str(kokoro_talk)!r}]; from tts_export.cli import main; main()"
    )
    proc = subprocess.run([sys.executable, "-c", missing_extra], capture_output=True,
                          text=True, cwd=ROOT, check=False, timeout=120)  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "pip install 'tts-export[qa]'" in proc.stderr


def test_qa_render_that_is_not_finished(whisper_base: Path, tmp_path: Path) -> None:  # noqa: F811
    proc = run_cli("qa", str(tmp_path / "nothing"), "--asr-model", str(whisper_base))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "no render found" in proc.stderr and "hint:" in proc.stderr
