"""Trimming an engine's silence: synthetic speech padded with silence, cut to a margin."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_audio import RATE, speech

from tts_export.common.units import ms_to_samples, pcm_ms, samples_to_ms
from tts_export.errors import ConfigError
from tts_export.synth.clips import trim_silence

# --- trimming -------------------------------------------------------------------


def _padded(
    lead_ms: int, tail_ms: int, *, speech_ms: int = 1000, noise_db: float = -75.0, rate: int = RATE
) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(7)
    body = speech(speech_ms / 1000, -20.0, rate=rate)
    # The synthetic speech fades in and out; find where it is really audible.
    lead = rng.standard_normal(ms_to_samples(lead_ms, rate)) * 10 ** (noise_db / 20)
    tail = rng.standard_normal(ms_to_samples(tail_ms, rate)) * 10 ** (noise_db / 20)
    x = np.concatenate([lead, body, tail])
    return np.round(x * 32767).astype("<i2").tobytes(), body


def _speech_edges(body: np.ndarray, rate: int = RATE, *, ms: bool = True) -> tuple[int, int]:
    """Start of the first and end of the last 10 ms window of ``body`` within 45 dB
    of its loud windows, in ms (or in samples)."""
    win = rate // 100
    frames = body[: body.size // win * win].reshape(-1, win)
    rms = np.sqrt((frames**2).mean(axis=1))
    on = np.flatnonzero(rms > np.percentile(rms, 99) * 10 ** (-45 / 20))
    first, last = int(on[0]) * win, (int(on[-1]) + 1) * win
    return (samples_to_ms(first, rate), samples_to_ms(last, rate)) if ms else (first, last)


def test_trim_cuts_kokoro_like_silence_to_the_margin() -> None:
    pcm, body = _padded(390, 640)
    trimmed, removed = trim_silence(pcm, RATE, margin_ms=40)
    first, last = _speech_edges(body)
    assert abs(removed - (390 + first - 40)) <= 10
    kept_ms = pcm_ms(trimmed, RATE)
    assert abs(kept_ms - (last - first + 80)) <= 20
    start = ms_to_samples(removed, RATE)
    assert trimmed == pcm[2 * start : 2 * start + len(trimmed)]


def test_trim_ignores_a_click_in_the_silence() -> None:
    pcm, _ = _padded(390, 640)
    samples = np.frombuffer(pcm, dtype="<i2").copy()
    samples[ms_to_samples(100, RATE)] = 32000  # a click at 100 ms
    samples[-ms_to_samples(200, RATE)] = -32000  # and one near the end
    clean, clean_removed = trim_silence(pcm, RATE)
    trimmed, removed = trim_silence(samples.tobytes(), RATE)
    assert removed == clean_removed
    assert len(trimmed) == len(clean)


def test_trim_keeps_quiet_speech_and_leaves_silence_alone() -> None:
    quiet = np.round(speech(1.0, -45.0) * 32767).astype("<i2")
    pcm = bytes(2 * RATE // 2) + quiet.tobytes() + bytes(2 * RATE // 2)
    trimmed, removed = trim_silence(pcm, RATE)
    assert 400 <= removed <= 520 and len(trimmed) < len(pcm) - RATE
    silence = bytes(2 * RATE)
    assert trim_silence(silence, RATE) == (silence, 0)
    hiss = np.round(np.random.default_rng(1).standard_normal(RATE) * 10).astype("<i2").tobytes()
    assert trim_silence(hiss, RATE) == (hiss, 0)  # -70 dBFS noise is no speech
    assert trim_silence(b"", RATE) == (b"", 0)


def test_trim_rejects_bad_arguments() -> None:
    with pytest.raises(ConfigError):
        trim_silence(bytes(100), 0)
    with pytest.raises(ConfigError):
        trim_silence(bytes(100), RATE, margin_ms=-1)


@settings(max_examples=25, deadline=None)
@given(
    lead=st.integers(0, 800),
    tail=st.integers(0, 800),
    margin=st.integers(0, 200),
    rate=st.sampled_from([16000, 22050, 24000]),
)
def test_trim_is_a_slice_around_the_speech(lead: int, tail: int, margin: int, rate: int) -> None:
    pcm, body = _padded(lead, tail, speech_ms=600, rate=rate)
    trimmed, removed = trim_silence(pcm, rate, margin_ms=margin)
    start = ms_to_samples(removed, rate)
    assert trimmed == pcm[2 * start : 2 * start + len(trimmed)]
    first, last = _speech_edges(body, rate, ms=False)
    offset = ms_to_samples(lead, rate)  # samples of lead-in before the speech signal
    end = start + len(trimmed) // 2
    win = rate // 100  # the gate works on 10 ms windows: edges are found to within one
    pad = ms_to_samples(margin, rate)
    # The speech is kept whole once the margin covers the window quantisation ...
    slack = 0 if margin >= 10 else win
    assert start <= offset + first + slack and end >= offset + last - slack
    # ... and no more than the margin (+1 window) is kept around it.
    assert start >= offset + first - pad - win - 1
    assert end <= offset + last + pad + win
