"""The espeak engine, run for real: measure the PCM and the word boundaries it gives."""

from __future__ import annotations

import asyncio
import math
import re
import time

import numpy as np
import pytest

from tts_export import engines
from tts_export.engines.base import Engine
from tts_export.engines.espeak.engine import EspeakEngine, espeak_pitch, espeak_rate
from tts_export.errors import ConfigError, EngineError, VoiceError
from tts_export.models import Realization, Synthesis

ZH = "这一次Sora 2非常强大，我们一起来看看。"
EN = "The quick brown fox jumps over the lazy dog, then runs away."


@pytest.fixture(scope="module")
def engine() -> EspeakEngine:
    made = engines.create("espeak")
    assert isinstance(made, EspeakEngine)
    return made


def say(engine: EspeakEngine, text: str, voice: str, **kw: float) -> Synthesis:
    return asyncio.run(engine.synthesize(text, Realization("espeak", voice, **kw)))  # type: ignore[arg-type]


def samples(syn: Synthesis) -> np.ndarray:
    return np.frombuffer(syn.pcm, dtype="<i2").astype(np.float64)


def rms_dbfs(x: np.ndarray) -> float:
    return 20 * math.log10(max(1e-9, float(np.sqrt(np.mean(x**2))) / 32768))


def test_registered_and_satisfies_protocol(engine: EspeakEngine) -> None:
    assert isinstance(engine, Engine)
    assert engine.name == "espeak" and engine.max_jobs == 1 and engine.sample_rate == 22050
    assert "espeakng-loader" in engine.version


def test_chinese_sentence_is_real_speech(engine: EspeakEngine) -> None:
    syn = say(engine, ZH, "cmn")
    x = samples(syn)
    han = len(re.findall(r"[\u4e00-\u9fff]", ZH))
    assert syn.sample_rate == 22050
    assert 100 * han <= syn.duration_ms <= 600 * (han + 2)
    assert rms_dbfs(x) > -35  # speech, not silence
    # Voiced audio sits mostly under 4 kHz; noise or garbage would not.
    spectrum = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(x.size, 1 / syn.sample_rate)
    assert spectrum[freqs < 4000].sum() > 0.7 * spectrum.sum()


def test_english_sentence_duration_is_plausible(engine: EspeakEngine) -> None:
    syn = say(engine, EN, "en-us")
    words = len(EN.split())
    # 175 words/min is ~343 ms a word; allow pauses and short words.
    assert 150 * words <= syn.duration_ms <= 700 * words
    assert rms_dbfs(samples(syn)) > -35


def test_boundaries_are_ordered_words_inside_the_clip(engine: EspeakEngine) -> None:
    for text, voice in ((EN, "en-us"), (ZH, "cmn")):
        syn = say(engine, text, voice)
        bounds = syn.boundaries
        assert len(bounds) >= 5
        starts = [b.start_ms for b in bounds]
        assert starts == sorted(starts) and starts[0] < 100
        for b in bounds:
            assert 0 <= b.start_ms <= b.end_ms <= syn.duration_ms
            assert b.text and b.text in text
        assert bounds[-1].end_ms == syn.duration_ms
    en = say(engine, EN, "en-us").boundaries
    assert [b.text for b in en] == re.findall(r"[A-Za-z]+", EN)


def test_boundary_words_line_up_with_audio(engine: EspeakEngine) -> None:
    # A word boundary after a long pause must land after that pause in the audio.
    text = "One. Two."
    syn = say(engine, text, "en-us")
    x = np.abs(samples(syn))
    two = next(b for b in syn.boundaries if b.text == "Two")
    at = two.start_ms * syn.sample_rate // 1000
    gap = x[:at][-syn.sample_rate // 10 :]  # the 100 ms before "Two" starts
    assert gap.max() < x.max() * 0.2


def test_variants_differ(engine: EspeakEngine) -> None:
    female = samples(say(engine, ZH, "cmn+f3"))
    male = samples(say(engine, ZH, "cmn+m3"))
    n = min(female.size, male.size)
    assert female.size != male.size or not np.array_equal(female[:n], male[:n])

    def f0(x: np.ndarray, sr: int = 22050) -> float:
        found = []
        for i in range(0, x.size - 2048, 1024):
            w = x[i : i + 2048] - x[i : i + 2048].mean()
            if np.sqrt(np.mean(w**2)) < 1000:
                continue
            ac = np.correlate(w, w, "full")[2047:]
            lag = 55 + int(np.argmax(ac[55:367]))  # 60-400 Hz
            found.append(sr / lag)
        return float(np.median(found))

    assert f0(female) > f0(male) * 1.3


def test_speed_and_pitch_change_the_audio(engine: EspeakEngine) -> None:
    normal = say(engine, EN, "en-us")
    fast = say(engine, EN, "en-us", speed=1.6)
    assert fast.duration_ms < normal.duration_ms * 0.8
    assert espeak_rate(1.0) == 175 and espeak_rate(10) == 450 and espeak_rate(0.1) == 80
    assert espeak_pitch(0, "cmn") == 50
    assert espeak_pitch(-20, "cmn+m1") < 50 < espeak_pitch(20, "cmn+f2") <= 99


@pytest.mark.parametrize("voice", ["xx-nope", "cmn+nosuchvariant", "", "cmn+", "a b"])
def test_bad_voice_is_a_voice_error(engine: EspeakEngine, voice: str) -> None:
    with pytest.raises(VoiceError) as info:
        engine.check_voice(Realization("espeak", voice))
    assert info.value.hint
    with pytest.raises(VoiceError):
        say(engine, "hello", voice)


def test_language_codes_resolve(engine: EspeakEngine) -> None:
    # espeak-ng only knows file names; en-gb lives in gmw/en.
    gb = say(engine, "Hello there.", "en-gb+m3")
    assert gb.duration_ms > 300


def test_empty_text_and_unknown_options_are_project_errors(engine: EspeakEngine) -> None:
    with pytest.raises(EngineError):
        say(engine, "  ", "cmn")
    with pytest.raises(ConfigError):
        engines.create("espeak", threads=2)


def test_estimate_is_near_the_real_length(engine: EspeakEngine) -> None:
    for text, voice in ((ZH, "cmn"), (EN, "en-us")):
        real = say(engine, text, voice).duration_ms
        assert 0.5 * real <= engine.estimate_ms(text) <= 1.6 * real


def test_fast_and_does_not_block_the_loop(engine: EspeakEngine) -> None:
    text = ZH * 4

    async def run() -> tuple[float, int, Synthesis]:
        ticks = 0
        done = asyncio.Event()

        async def tick() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        start = time.perf_counter()
        syn = await engine.synthesize(text, Realization("espeak", "cmn"))
        wall = time.perf_counter() - start
        done.set()
        await ticker
        return wall, ticks, syn

    wall, ticks, syn = asyncio.run(run())
    assert wall / (syn.duration_ms / 1000) < 0.05  # measured ~0.002
    assert ticks > 1  # the loop kept running while espeak worked
