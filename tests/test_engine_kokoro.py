"""The kokoro engine, run for real on a few short sentences (one shared model load).

Every test measures the audio the model produced: speech length, level,
pitch, where pauses fall. Renders are memoised per (text, voice, speed) so the
module costs one model load and about 40 s of audio.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from tts_export import engines
from tts_export.casting import load_profiles
from tts_export.engines.base import Engine, GroupingEngine
from tts_export.engines.kokoro import engine as kokoro
from tts_export.engines.kokoro.engine import FRAME, IntArray, KokoroEngine
from tts_export.engines.kokoro.gate import TokenGate
from tts_export.engines.kokoro.model import (
    MODEL_SHA256,
    add_output,
    cap_durations,
    load_model_bytes,
    verify_model,
)
from tts_export.engines.kokoro.tokens import MAX_TOKENS, closed, pack, split_phonemes
from tts_export.engines.kokoro.voicepack import parse_voice
from tts_export.engines.kokoro.waveform import Float32Array, quiet_cut, to_pcm16
from tts_export.errors import ConfigError, EngineError, EngineUnavailable, VoiceError
from tts_export.models import Realization, Synthesis

SORA = "这一次Sora 2非常强大。"
SENTENCE = "我们今天继续讨论人工智能如何改变社交电商，以及它对普通用户意味着什么。"
GROUP = ("你觉得呢？", "我们今天继续讨论人工智能如何改变社交电商。", SORA)
ONE_DBFS = 10 ** (-1 / 20)


@pytest.fixture(scope="module")
def engine() -> KokoroEngine:
    made = engines.create("kokoro")
    assert isinstance(made, KokoroEngine)
    return made


_RENDERS: dict[tuple[str, str, float], Synthesis] = {}


def say(
    engine: KokoroEngine, text: str, voice: str = "jf_gongitsune", speed: float = 1.0
) -> Synthesis:
    """Render once per (text, voice, speed): the model costs ~0.5 s per second of audio."""
    key = (text, voice, speed)
    if key not in _RENDERS:
        _RENDERS[key] = asyncio.run(
            engine.synthesize(text, Realization("kokoro", voice, speed=speed))
        )
    return _RENDERS[key]


_MODEL_CALLS: list[tuple[np.ndarray, np.ndarray]] = []


@pytest.fixture(scope="module")
def grouped(engine: KokoroEngine) -> tuple[Synthesis, ...]:
    """The GROUP rendered in one call; the raw model output is kept in _MODEL_CALLS."""
    real = engine._infer

    def spy(
        phonemes: str, style: Float32Array, speed: float, breaks: Sequence[int] = ()
    ) -> tuple[Float32Array, IntArray]:
        out = real(phonemes, style, speed, breaks)
        _MODEL_CALLS.append(out)
        return out

    engine._infer = spy  # type: ignore[method-assign]
    try:
        return asyncio.run(engine.synthesize_group(GROUP, Realization("kokoro", "jf_gongitsune")))
    finally:
        engine._infer = real  # type: ignore[method-assign]


def samples(syn: Synthesis) -> np.ndarray:
    return np.frombuffer(syn.pcm, dtype="<i2").astype(np.float64) / 32768


def window_db(x: np.ndarray, sr: int = 24000) -> np.ndarray:
    win = sr // 100
    n = x.size // win
    rms = np.sqrt(np.mean(x[: n * win].reshape(n, win) ** 2, axis=1))
    return np.asarray(20 * np.log10(rms + 1e-9), dtype=np.float64)


def speech_range_ms(syn: Synthesis) -> tuple[int, int]:
    """First and last 10 ms window within 40 dB of the clip's loud windows."""
    db = window_db(samples(syn))
    loud = np.flatnonzero(db > np.percentile(db, 99) - 40)
    return (int(loud[0]) * 10, int(loud[-1] + 1) * 10) if loud.size else (0, 0)


def speech_ms(syn: Synthesis) -> int:
    start, end = speech_range_ms(syn)
    return end - start


def f0(syn: Synthesis) -> float:
    """Median pitch (autocorrelation over voiced 40 ms frames, 60-400 Hz)."""
    x, sr, found = samples(syn), syn.sample_rate, []
    for i in range(0, x.size - 960, 480):
        w = x[i : i + 960] - x[i : i + 960].mean()
        if np.sqrt(np.mean(w**2)) < 0.03:
            continue
        ac = np.correlate(w, w, "full")[959:]
        lag = 60 + int(np.argmax(ac[60:400]))
        found.append(sr / lag)
    return float(np.median(found))


def test_protocols_and_version(engine: KokoroEngine) -> None:
    assert isinstance(engine, Engine) and isinstance(engine, GroupingEngine)
    assert engine.sample_rate == 24000 and engine.max_jobs >= 1
    assert engine.max_group_tokens < MAX_TOKENS
    assert MODEL_SHA256[:12] in engine.version and "misaki-0.9.4" in engine.version


def test_every_bundled_kokoro_voice_exists(engine: KokoroEngine) -> None:
    realizations = [p.realization("kokoro") for p in load_profiles().values()]
    used = [r for r in realizations if r is not None]
    assert len(used) >= 6
    for realization in used:
        engine.check_voice(realization)  # raises VoiceError for an unknown id or blend


@pytest.mark.slow
def test_chinese_sentence_with_latin_word(engine: KokoroEngine) -> None:
    syn = say(engine, SORA)
    x = samples(syn)
    assert syn.sample_rate == 24000
    # 9 Han characters plus "Sora": 1.2-5 s of speech.
    assert 1200 <= speech_ms(syn) <= 5000
    assert np.abs(x).max() <= ONE_DBFS  # peak at or under -1 dBFS
    assert 20 * math.log10(math.sqrt(float(np.mean(x**2)))) > -30  # speech, not near-silence


def assert_words_cover_the_speech(syn: Synthesis, text: str, words: list[str]) -> None:
    """Boundaries are ``words``, in order, inside the clip, first to last over the speech."""
    assert [b.text for b in syn.boundaries] == words
    cursor = 0
    for b in syn.boundaries:
        found = text.find(b.text, cursor)
        assert found >= 0, (b.text, text)
        cursor = found + len(b.text)
        assert 0 <= b.start_ms <= b.end_ms <= syn.duration_ms
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(syn.boundaries))
    start, end = speech_range_ms(syn)
    first, last = syn.boundaries[0], syn.boundaries[-1]
    # Words start and end with their sound.
    assert abs(first.start_ms - start) <= 30, (first, start)
    assert abs(last.end_ms - end) <= 30, (last, end)


@pytest.mark.slow
def test_model_silence_is_trimmed_and_words_cover_speech(engine: KokoroEngine) -> None:
    syn = say(engine, SORA)
    start, end = speech_range_ms(syn)
    # The model pads ~390 ms before and ~640 ms after; at most 150 ms (+ a window) stays.
    assert start <= 170 and syn.duration_ms - end <= 170
    assert_words_cover_the_speech(
        syn, SORA, ["这", "一", "次", "Sora", "2", "非", "常", "强", "大"]
    )


@pytest.mark.slow
def test_a_word_after_a_pause_starts_with_its_sound(engine: KokoroEngine) -> None:
    syn = say(engine, SENTENCE)
    db = window_db(samples(syn))
    speech = db > np.percentile(db, 99) - 40
    after = next(b for b in syn.boundaries if b.text == "以")  # after "，"
    before = syn.boundaries[syn.boundaries.index(after) - 1]
    # A real pause lies between the two words (the comma), and "以" starts where
    # the sound comes back, not inside the pause.
    gap = speech[before.end_ms // 10 : after.start_ms // 10 + 10]
    assert gap.size >= 25 and not gap[2:15].any()
    onset = before.end_ms // 10 + int(np.flatnonzero(~gap)[-1]) + 1
    assert abs(after.start_ms - onset * 10) <= 30, (after, onset * 10)


@pytest.mark.slow
def test_latin_terms_and_numbers_are_spoken(engine: KokoroEngine) -> None:
    # "GPT-5" is spelled plus "five", "2025" read as four digits: each adds real speech.
    with_terms = speech_ms(say(engine, "GPT-5在2025年发布。", speed=1.5))
    without = speech_ms(say(engine, "在年发布。", speed=1.5))
    assert with_terms - without >= 800  # 8 syllables more at speed 1.5 (measured ~1100 ms)
    db = window_db(samples(say(engine, "GPT-5在2025年发布。", speed=1.5)))
    assert np.mean(db > np.percentile(db, 99) - 30) > 0.5  # mostly voiced, not silence


@pytest.mark.slow
def test_loud_voice_is_scaled_not_clipped(engine: KokoroEngine) -> None:
    # jm_kumo comes out near full scale; it must be scaled under -1 dBFS, not clipped.
    x = samples(say(engine, SORA, "jm_kumo"))
    peak = np.abs(x).max()
    assert peak <= ONE_DBFS
    assert np.count_nonzero(np.abs(x) >= peak * 0.999) < 20  # no flat-topped clipped run
    wave = np.array([0.0, 1.5, -0.3], dtype=np.float32)
    out = np.frombuffer(to_pcm16(wave), dtype="<i2")
    assert out[1] / 32768 <= ONE_DBFS and abs(out[2] / out[1] + 0.2) < 0.001  # shape kept


@pytest.mark.slow
def test_voices_differ_and_blends_sit_between(engine: KokoroEngine) -> None:
    female = f0(say(engine, SORA, "jf_gongitsune"))
    male = f0(say(engine, SORA, "jm_kumo"))
    mix = f0(say(engine, SORA, "jf_gongitsune:0.5+jm_kumo:0.5"))
    assert female > male * 1.3
    assert male * 1.05 < mix < female * 0.95
    # Weights are normalised: 1+1 is the same blend as 0.5+0.5 (same style, same audio).
    same = samples(say(engine, SORA, "jf_gongitsune:1+jm_kumo:1"))
    half = samples(say(engine, SORA, "jf_gongitsune:0.5+jm_kumo:0.5"))
    assert same.size == half.size and np.allclose(same, half, atol=2e-3)


@pytest.mark.slow
def test_speed_changes_duration(engine: KokoroEngine) -> None:
    normal = speech_ms(say(engine, SORA))
    fast = speech_ms(say(engine, SORA, speed=1.5))
    assert fast < normal * 0.8


@pytest.mark.parametrize(
    "voice",
    ["af_heart", "jf_alpha:0", "jf_alpha:x", "jf_alpha+", "JF_ALPHA", "jf_alpha:-1+jm_kumo:2", ""],
)
def test_bad_voices_are_voice_errors(engine: KokoroEngine, voice: str) -> None:
    with pytest.raises(VoiceError) as info:
        engine.check_voice(Realization("kokoro", voice))
    assert "jf_alpha" in info.value.hint  # the hint lists what exists
    with pytest.raises(VoiceError):
        asyncio.run(engine.synthesize("你好", Realization("kokoro", voice)))
    with pytest.raises(VoiceError):
        asyncio.run(engine.synthesize_group(["你好", "再见"], Realization("kokoro", voice)))


def test_speed_out_of_range_is_a_voice_error(engine: KokoroEngine) -> None:
    with pytest.raises(VoiceError):
        engine.check_voice(Realization("kokoro", "jf_alpha", speed=3.0))


@pytest.mark.slow
def test_nothing_speakable_is_an_engine_error(engine: KokoroEngine) -> None:
    with pytest.raises(EngineError) as info:
        asyncio.run(engine.synthesize("……！", Realization("kokoro", "jf_alpha")))
    assert info.value.hint
    with pytest.raises(EngineError):
        asyncio.run(engine.synthesize_group(["你好。", "（）"], Realization("kokoro", "jf_alpha")))


def test_blend_parsing() -> None:
    known = frozenset({"jf_alpha", "jm_kumo"})
    assert parse_voice("jf_alpha", known).parts == (("jf_alpha", 1.0),)
    blend = parse_voice("jf_alpha:3+jm_kumo:1", known)
    assert blend.parts == (("jf_alpha", 0.75), ("jm_kumo", 0.25))


def test_checksum_refuses_altered_bytes() -> None:
    model = load_model_bytes()  # the installed wheels pass
    assert hashlib.sha256(model).hexdigest() == MODEL_SHA256
    flipped = bytearray(model)
    flipped[len(flipped) // 2] ^= 0x01
    with pytest.raises(EngineUnavailable) as info:
        verify_model(bytes(flipped))
    assert "reinstall" in info.value.hint
    with pytest.raises(EngineUnavailable):
        verify_model(model[:-1])


def test_add_output_refuses_what_is_not_a_model() -> None:
    with pytest.raises(ValueError):
        add_output(b"\x08\x07", "/encoder/Round_output_0")  # a varint field, no graph
    with pytest.raises(ValueError):
        add_output(b"\x3a\x05ab", "x")  # a graph field cut short
    with pytest.raises(ValueError):
        add_output(b"\x80", "x")  # a varint cut short


def test_cap_durations_refuses_a_graph_without_the_durations() -> None:
    graph = b"\x0a\x05\x12\x03out"  # one node (field 1) whose only output is "out"
    with pytest.raises(ValueError, match="not the Kokoro"):
        cap_durations(b"\x3a" + bytes([len(graph)]) + graph)
    with pytest.raises(ValueError):
        cap_durations(b"\x08\x07")  # no graph at all


@pytest.mark.slow
def test_pause_cap_holds_the_pads_and_breaks_only(engine: KokoroEngine) -> None:
    style = engine._blend(Realization("kokoro", "jf_nezumi"))
    parts = [closed(engine.phonemes(t)) for t in ("你好。", "我们开始吧。")]
    joined = " ".join(parts)
    breaks = [len(parts[0]) - 1, len(parts[0])]  # the first part's closing mark, the separator
    wave, lengths = engine._infer(joined, style, 1.0, breaks)
    frames = lengths // FRAME
    try:
        engine.pause_cap = 2
        capped_wave, capped = engine._infer(joined, style, 1.0, breaks)
    finally:
        engine.pause_cap = 0
    held = [0, *(b + 1 for b in breaks)]
    assert frames[0] > 2 and all(capped[i] // FRAME <= 2 for i in held)  # the model's were longer
    rest = [i for i in range(frames.size) if i not in held]
    assert np.array_equal(capped[rest], lengths[rest])  # every other token keeps its length
    assert int(capped.sum()) == capped_wave.size < wave.size  # fewer frames were decoded


@pytest.mark.slow
def test_long_phoneme_strings_are_split_and_render_fully(engine: KokoroEngine) -> None:
    # Rendered fast (speed 2) to keep the test short; the split does not care.
    short = say(engine, SENTENCE, speed=2.0)
    long_text = SENTENCE * 4
    assert len(engine.phonemes(long_text)) > MAX_TOKENS  # more than one inference
    long = say(engine, long_text, speed=2.0)
    ratio = speech_ms(long) / speech_ms(short)
    assert 3.2 <= ratio <= 5.0  # four sentences' worth, nothing truncated


@pytest.mark.slow
def test_durations_account_for_every_sample(engine: KokoroEngine) -> None:
    style = engine._blend(Realization("kokoro", "jf_nezumi"))
    phonemes = engine.phonemes("你好。")
    wave, lengths = engine._infer(phonemes, style, 1.0)
    assert lengths.size == len(phonemes) + 2  # one per token, pads included
    assert int(lengths.sum()) == wave.size and np.all(lengths >= 0)


@pytest.mark.slow
def test_group_slices_match_single_renders(
    engine: KokoroEngine, grouped: tuple[Synthesis, ...]
) -> None:
    singles = [say(engine, text) for text in GROUP]
    assert len(grouped) == len(GROUP)
    group_ms = [speech_ms(g) for g in grouped]
    single_ms = [speech_ms(s) for s in singles]
    for g, s in zip(group_ms, single_ms, strict=True):
        # Inside a group the model phrases more fluently: shorter final syllables
        # (measured 200-250 ms) and fewer mid-sentence pauses (up to ~1 s on a
        # 5 s sentence). A cut at the wrong place would move whole sentences.
        assert s - max(400, 0.2 * s) <= g <= s + 300, (group_ms, single_ms)
        # Each slice is nearest to its own sentence's single render.
        assert min(single_ms, key=lambda x: abs(x - g)) == s


def _offset(wave: np.ndarray, pcm: np.ndarray, limit: int) -> int:
    """Where ``pcm`` (the joined group slices) starts inside the raw model ``wave``."""
    peak = int(np.argmax(np.abs(pcm[:limit])))
    probe = pcm[peak - 1200 : peak + 1200].astype(np.float64)
    errors = []
    for a in range(limit):
        seg = wave[a + peak - 1200 : a + peak + 1200].astype(np.float64) * 32767
        gain = float(seg @ probe / (seg @ seg))  # a loud voice is scaled under -1 dBFS
        errors.append(float(np.mean((gain * seg - probe) ** 2)))
    best = int(np.argmin(errors))
    assert errors[best] < 4, "the group's audio is not the model's output"
    return best


@pytest.mark.slow
def test_group_cuts_follow_the_model_durations(
    engine: KokoroEngine, grouped: tuple[Synthesis, ...]
) -> None:
    # The group's one model call: the raw waveform and each token's length in samples.
    assert len(_MODEL_CALLS) == 1
    wave, lengths = _MODEL_CALLS[0]
    parts = [closed(engine.phonemes(t)) for t in GROUP]
    starts = np.concatenate(([0], np.cumsum(lengths)))
    pcm = np.concatenate([np.frombuffer(g.pcm, "<i2") for g in grouped])
    offset = _offset(wave, pcm, int(starts[1]))
    edges = offset + np.concatenate(([0], np.cumsum([len(g.pcm) // 2 for g in grouped])))
    first = 1
    for i, part in enumerate(parts):
        punct = first + len(part) - 1
        speech_start = int(starts[first])  # the sentence's first phoneme, by the model
        speech_limit = int(starts[punct])  # where its closing punctuation starts
        assert edges[i] <= speech_start
        if i < len(parts) - 1:  # the last slice ends 150 ms after its speech instead
            assert speech_limit <= edges[i + 1]
        heard = speech_range_ms(grouped[i])
        onset = edges[i] + heard[0] * 24
        offset_ = edges[i] + heard[1] * 24
        # What is heard starts within 150 ms of the model's own timing, and ends
        # before the sentence's closing punctuation (plus 100 ms).
        assert abs(onset - speech_start) <= 150 * 24, (i, onset, speech_start)
        assert speech_start < offset_ <= speech_limit + 100 * 24, (i, offset_, speech_limit)
        first = punct + 2


@pytest.mark.slow
def test_group_cuts_fall_in_pauses(grouped: tuple[Synthesis, ...]) -> None:
    for before, after in itertools.pairwise(grouped):
        tail = window_db(samples(before))[-3:]
        head = window_db(samples(after))[:3]
        assert tail.max() < -50 and head.max() < -50, (tail, head)  # 30 ms each side is silence
    for syn, text in zip(grouped, GROUP, strict=True):
        words = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
        if text == SORA:
            words = ["这", "一", "次", "Sora", "2", "非", "常", "强", "大"]
        assert_words_cover_the_speech(syn, text, words)
    # Outer ends are trimmed like a single clip's.
    assert speech_range_ms(grouped[0])[0] <= 170
    assert grouped[-1].duration_ms - speech_range_ms(grouped[-1])[1] <= 170


def test_group_cost_is_estimated_without_the_phonemizer() -> None:
    fresh = KokoroEngine()
    texts = [SORA, "记住这句话。", "OpenAI发布了GPT-5，价格是20美元。", "对，是的。", "Hello world."]
    costs = [fresh.group_cost(t) for t in texts]
    assert fresh._phonemes == {}  # nothing was phonemized (and no G2P model loaded)
    for text, cost in zip(texts, costs, strict=True):
        real = len(fresh.phonemes(text)) + 1
        # Close enough to budget memory: never far under, at most half again over.
        assert real * 4 // 5 <= cost <= real * 3 // 2, (text, cost, real)


def test_group_cost_and_packing(engine: KokoroEngine) -> None:
    assert pack([200, 200, 200, 600, 10], MAX_TOKENS) == [[0, 1], [2], [3], [4]]
    assert pack([5, 5, 5], limit=11) == [[0, 1], [2]]
    assert closed("ni↓xau↓") == "ni↓xau↓." and closed("nɤ?") == "nɤ?"


def test_quiet_cut_picks_the_longest_pause() -> None:
    sr = 24000
    rng = np.random.default_rng(1)
    loud = (rng.standard_normal(sr // 2) * 0.2).astype(np.float32)
    hush = np.zeros(sr // 10, dtype=np.float32)
    wave = np.concatenate([loud, hush, loud[:2400], np.zeros(sr // 2, np.float32), loud])
    cut = quiet_cut(wave, 0, wave.size, 0.01)
    pause_start = sr // 2 + sr // 10 + 2400
    assert pause_start < cut < pause_start + sr // 2
    assert abs(cut - (pause_start + sr // 4)) <= 240  # its middle, to a window


def test_split_phonemes_keeps_everything() -> None:
    text = ("ni↓xau↓, " * 120).strip()
    pieces = split_phonemes(text, 100)
    assert all(len(p) <= 100 for p in pieces) and len(pieces) > 5
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")
    assert all(p.endswith(",") for p in pieces[:-1])  # cut at punctuation
    assert split_phonemes("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_phonemes_are_remembered(engine: KokoroEngine) -> None:
    calls: list[str] = []
    real = engine._g2p
    engine._g2p = lambda text: calls.append(text) or real(text)  # type: ignore[assignment,func-returns-value]
    try:
        engine.phonemes("记住这句话。")
        engine.phonemes("记住这句话。")
    finally:
        engine._g2p = real
    assert calls == ["记住这句话。"]


def test_unknown_option_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        engines.create("kokoro", thread=2)
    with pytest.raises(ConfigError):
        engines.create("kokoro", threads=0)
    with pytest.raises(ConfigError):
        engines.create("kokoro", pause_cap=41)
    assert KokoroEngine(pause_cap=8).version != KokoroEngine().version  # its own cache keys
    with pytest.raises(ConfigError) as info:
        engines.create("kokoro", group_tokens=600)
    assert "500" in str(info.value)
    made = engines.create("kokoro", group_tokens=120)
    assert isinstance(made, GroupingEngine) and made.max_group_tokens == 120


def test_gate_keeps_calls_within_the_budget_in_arrival_order() -> None:
    """Calls share the token budget; an oversize call runs alone; nobody jumps the queue."""
    gate = TokenGate(300)
    started: list[str] = []
    release = {name: threading.Event() for name in ("a", "b", "c", "big", "d")}

    def call(name: str, tokens: int) -> None:
        with gate.hold(tokens):
            started.append(name)
            release[name].wait(10)

    def wait_until(check: Callable[[], bool]) -> None:
        # A hang guard, not a speed check: a gate that never lets a call in fails here.
        deadline = time.monotonic() + 120
        while not check():
            if time.monotonic() > deadline:
                pytest.fail("the gate never reached the expected state")
            time.sleep(0.002)

    threads: list[threading.Thread] = []
    for name, tokens in [("a", 200), ("b", 200), ("c", 50), ("big", 450), ("d", 100)]:
        threads.append(threading.Thread(target=call, args=(name, tokens)))
        threads[-1].start()
        wait_until(lambda: len(started) + len(gate._queue) == len(threads))
    assert started == ["a"]  # "c" would fit beside "a" but waits its turn behind "b"
    release["a"].set()
    wait_until(lambda: len(started) == 3)
    assert started == ["a", "b", "c"] and gate._used == 250
    release["b"].set()
    time.sleep(0.05)
    assert started == ["a", "b", "c"]  # "big" waits for the gate to empty
    release["c"].set()
    wait_until(lambda: len(started) == 4)
    time.sleep(0.05)
    assert started[-1] == "big" and gate._used == 450  # alone, "d" held back
    release["big"].set()
    release["d"].set()
    for t in threads:
        t.join(10)
    assert started == ["a", "b", "c", "big", "d"] and gate._used == 0


def test_jobs_split_the_cores(engine: KokoroEngine) -> None:
    assert engine.max_jobs == 1 and engine.threads == kokoro.cpu_count()
    assert engine._gate.budget == 2 * engine.max_group_tokens
    pair = engines.create("kokoro", jobs=2)
    assert isinstance(pair, KokoroEngine)
    assert pair.max_jobs == 2 and pair.threads == max(1, kokoro.cpu_count() // 2)


@pytest.mark.slow
def test_estimate_is_near_the_speech_length(engine: KokoroEngine) -> None:
    real = speech_ms(say(engine, SENTENCE, speed=2.0)) * 2.0
    assert 0.6 * real <= engine.estimate_ms(SENTENCE) <= 1.5 * real
