"""The espeak engine, run for real: measure the PCM and the word boundaries it gives."""

from __future__ import annotations

import asyncio
import math
import random
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from tts_export import engines
from tts_export.common.lang import has_han
from tts_export.engines.base import Engine
from tts_export.engines.espeak.engine import EspeakEngine, espeak_pitch, espeak_rate
from tts_export.errors import ConfigError, EngineError, VoiceError
from tts_export.models import (
    Casting,
    Realization,
    Script,
    Synthesis,
    Transcript,
    Utterance,
    VoiceProfile,
)
from tts_export.synth import synthesize_script
from tts_export.synth.cache import ClipCache

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


def test_does_not_block_the_loop(engine: EspeakEngine) -> None:
    # How fast espeak is belongs in a benchmark; here: the loop runs while it works.
    text = ZH * 4

    async def run() -> tuple[int, Synthesis]:
        ticks = 0
        done = asyncio.Event()

        async def tick() -> None:
            nonlocal ticks
            while not done.is_set():
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        syn = await engine.synthesize(text, Realization("espeak", "cmn"))
        done.set()
        await ticker
        return ticks, syn

    ticks, syn = asyncio.run(run())
    assert syn.duration_ms > 5000
    assert ticks > 1  # the loop kept running while espeak worked


# Sentences of both languages, short and long, with numbers, Latin words and punctuation:
# enough calls that state carried from one call to the next would show.
_SAME_INPUT = (
    "你好，世界。",
    "这是一个测试句子，用来检查输出是否稳定。",
    "OpenAI发布了Sora 2，引起了很大的关注。",
    "真的吗？",
    "我觉得这个问题很复杂，需要慢慢讨论。",
    "他说：“我们明天见！”",
    "二零二五年十月一日，天气晴朗。",
    "价格从3.5元涨到了12元，涨幅很大。",
    "嗯。",
    "第一，要快；第二，要稳；第三，要准。",
    "人工智能正在改变我们的生活方式，也在改变商业的逻辑。",
    "这个App每天有一千万用户。",
    "对吧？",
    "谷歌、亚马逊和微软都在竞争。",
    "好的，谢谢大家收听。",
    "Hello there, how are you today?",
    "The quick brown fox jumps over the lazy dog.",
    "What do you think about GPT-5?",
    "Numbers like 3.14 and 2025 are read aloud.",
    "Yes.",
    "Well, it depends on who you ask, and when.",
    "She said: we will meet again tomorrow!",
    "The model costs $20 per month.",
    "Okay.",
    "Short sentences, long sentences, and everything in between are here.",
    "Is it really that simple?",
    "First, be fast; second, be steady; third, be precise.",
    "Thanks for listening to this episode.",
    "Doctor Smith arrived at 10:30 in the morning.",
    "No, not at all.",
)


def _same_input_script(order: list[int]) -> tuple[Script, Casting]:
    utterances = tuple(
        Utterance(
            id=f"u{i:02d}",
            section=None,
            speaker="zh" if has_han(_SAME_INPUT[i]) else "en",
            display=_SAME_INPUT[i],
            spoken=_SAME_INPUT[i],
            line=n + 1,
            turn_index=n,
            section_index=0,
        )
        for n, i in enumerate(order)
    )
    casting = Casting(
        {
            # Variants with breath noise (f3, f2) and with pitch and speed set.
            "zh": VoiceProfile("zh", "female", "zh", "", (Realization("espeak", "cmn+f3"),)),
            "en": VoiceProfile(
                "en", "female", "en", "", (Realization("espeak", "en-us+f2", 0.95, 10),)
            ),
        }
    )
    return Script(Transcript("t.md", {}, ()), utterances), casting


def _pcm_by_utterance(
    engine: EspeakEngine, order: list[int], jobs: int, cache: Path
) -> dict[str, bytes]:
    script, casting = _same_input_script(order)
    clips = synthesize_script(
        script, casting, engine=engine, fallback=None, cache=ClipCache(cache), jobs=jobs
    )
    out = {}
    for uid, clip in clips.items():
        with wave.open(clip.path, "rb") as wav:
            out[uid] = wav.readframes(wav.getnframes())
    return out


def test_same_input_gives_the_same_pcm_in_any_order_and_concurrency(
    engine: EspeakEngine, tmp_path: Path
) -> None:
    forward = list(range(len(_SAME_INPUT)))
    shuffled = forward[:]
    random.Random(7).shuffle(shuffled)
    first = _pcm_by_utterance(engine, forward, 1, tmp_path / "a")
    # Another engine in the same process, in another order, four calls at once.
    second = _pcm_by_utterance(EspeakEngine(), shuffled, 4, tmp_path / "b")
    assert first.keys() == second.keys() and len(first) == len(_SAME_INPUT)
    differing = [uid for uid in first if first[uid] != second[uid]]
    assert differing == []
    # And each clip is what a lone call in a fresh state gives: nothing carried over.
    lone = say(engine, _SAME_INPUT[3], "cmn+f3")
    again = say(engine, _SAME_INPUT[3], "cmn+f3")
    assert lone.pcm == again.pcm
