"""BS.1770 measurement checked against an independent numpy meter and the standard's
own calibration points, plus the gain planning that levels speakers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_audio import speech, write_wav

from tts_export.audio.ebur128 import Ebur128Stream, ebur128, parse_ebur128
from tts_export.audio.gains import plan_gains
from tts_export.audio.limiter import limit_true_peak, true_peak
from tts_export.audio.loudness import (
    SILENT_LUFS,
    LoudnessReport,
    Meter,
    integrated_lufs,
    k_coefficients,
    measure_stream,
)
from tts_export.errors import OutputError, TtsExportError

FS = 48000
# ITU-R BS.1770-4 K-weighting at 48 kHz: high-shelf (stage 1) and RLB high-pass (stage 2).
SHELF = (
    [1.53512485958697, -2.69169618940638, 1.19839281085285],
    [1.0, -1.69065929318241, 0.73248077421585],
)
RLB = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])


def reference_lufs(x: np.ndarray) -> float:
    """Integrated loudness of a mono 48 kHz signal, written from the BS.1770-4 text.

    The K filter is applied in the frequency domain (its exact response at each
    FFT bin) on a zero-padded copy, so this shares no code with ffmpeg.
    """
    n = 1 << int(np.ceil(np.log2(x.size + FS)))
    z = np.exp(-2j * np.pi * np.fft.rfftfreq(n))
    response = np.ones_like(z)
    for b, a in (SHELF, RLB):
        response *= (b[0] + b[1] * z + b[2] * z**2) / (a[0] + a[1] * z + a[2] * z**2)
    y = np.fft.irfft(np.fft.rfft(x, n) * response, n)[: x.size]
    block, step = int(0.4 * FS), int(0.1 * FS)
    powers = np.array([np.mean(y[i : i + block] ** 2) for i in range(0, y.size - block + 1, step)])
    loud = -0.691 + 10 * np.log10(np.maximum(powers, 1e-20))
    gated = powers[loud > -70]
    relative = -0.691 + 10 * np.log10(gated.mean()) - 10
    final = gated[-0.691 + 10 * np.log10(gated) > relative]
    return float(-0.691 + 10 * np.log10(final.mean()))


def test_sine_reads_as_the_standard_says(tmp_path: Path) -> None:
    # BS.1770: a 0 dBFS 997 Hz sine on one channel reads -3.01 LKFS.
    t = np.arange(5 * FS) / FS
    for amplitude in (0.5, 0.1):
        path = write_wav(tmp_path / "sine.wav", amplitude * np.sin(2 * np.pi * 997 * t), FS)
        expected = -3.01 + 20 * math.log10(amplitude)
        assert ebur128(path).integrated_lufs == pytest.approx(expected, abs=0.15)
        assert reference_lufs(amplitude * np.sin(2 * np.pi * 997 * t)) == pytest.approx(
            expected, abs=0.05
        )


def test_speech_with_pauses_matches_the_reference_meter(tmp_path: Path) -> None:
    parts = []
    for i, level in enumerate((-20.0, -26.0, -14.0, -30.0)):
        parts += [speech(2.0, level, rate=FS, seed=i), np.zeros(FS // 2)]
    x = np.concatenate(parts)
    report = ebur128(write_wav(tmp_path / "talk.wav", x, FS))
    assert report.integrated_lufs == pytest.approx(reference_lufs(x), abs=0.3)
    assert report.samples == x.size
    assert report.lra > 3.0  # 16 dB between the loudest and the quietest passage


def test_true_peak_sees_between_the_samples(tmp_path: Path) -> None:
    # A fs/4 sine at 45 degrees: every sample sits at 0.707 of the real peak.
    n = np.arange(2 * FS)
    ramp = np.minimum(1.0, np.minimum(n, n.size - n) / (0.1 * FS))  # no onset transient
    x = 0.8 * np.sin(np.pi / 2 * n + np.pi / 4) * ramp
    sample_peak = 20 * math.log10(np.max(np.abs(x)))
    report = ebur128(write_wav(tmp_path / "peak.wav", x, FS))
    assert report.true_peak_dbtp == pytest.approx(20 * math.log10(0.8), abs=0.3)
    assert report.true_peak_dbtp > sample_peak + 2.5  # the samples alone read 3 dB low


def test_stream_meter_equals_file_meter(tmp_path: Path) -> None:
    x = np.concatenate([speech(3.0, -23.0, rate=FS, seed=3), np.zeros(FS)])
    meter = Ebur128Stream(FS)
    for i in range(0, x.size, 10_000):  # blocks that do not line up with anything
        meter.write(x[i : i + 10_000].astype("<f4").tobytes())
    streamed = meter.close()
    stored = ebur128(write_wav(tmp_path / "x.wav", x, FS))
    assert streamed.integrated_lufs == pytest.approx(stored.integrated_lufs, abs=0.1)
    assert streamed.samples == x.size
    assert meter.close() is streamed  # closing twice is harmless
    empty = Ebur128Stream(FS).close()
    assert empty.silent and empty.integrated_lufs == SILENT_LUFS


def test_silence_reads_as_the_gate(tmp_path: Path) -> None:
    report = ebur128(write_wav(tmp_path / "quiet.wav", np.zeros(FS), FS))
    assert report.silent and report.integrated_lufs == SILENT_LUFS


def test_measure_errors_are_project_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="no such audio file"):
        ebur128(tmp_path / "nope.mp3")
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"this is not audio" * 10)
    with pytest.raises(TtsExportError):
        ebur128(junk)
    with pytest.raises(OutputError):
        parse_ebur128("ffmpeg said nothing useful")


def _report(lufs: float, peak: float = -6.0, samples: int = 1000) -> LoudnessReport:
    return LoudnessReport(lufs, peak, 5.0, samples=samples)


@given(
    a=st.floats(-50, -10),
    b=st.floats(-50, -10),
    target=st.floats(-30, -10),
    channels=st.sampled_from([1, 2]),
)
def test_plan_levels_speakers_then_hits_the_target(
    a: float, b: float, target: float, channels: int
) -> None:
    plan = plan_gains(
        {"A": _report(a), "B": _report(b, samples=3000)}, target_lufs=target, channels=channels
    )
    after_a, after_b = a + plan.speakers["A"], b + plan.speakers["B"]
    if max(abs(g) for g in plan.speakers.values()) < 20.0 - 1e-9:  # no gain was capped
        assert after_a == pytest.approx(after_b, abs=1e-6)
        assert plan.predicted_lufs == pytest.approx(target, abs=1e-6)
    # The programme gain is what brings the levelled voices to the target (mono equivalent).
    assert plan.gain_db("A") == pytest.approx(plan.speakers["A"] + plan.programme)
    assert max(abs(g) for g in plan.speakers.values()) <= 20.0 + 1e-9
    # Capped or not, the louder voice never ends up quieter than the other one.
    assert (after_a - after_b) * (a - b) >= -1e-9


def test_plan_leaves_silent_speakers_and_silence_alone() -> None:
    plan = plan_gains(
        {"A": _report(-20.0), "mute": _report(SILENT_LUFS, -math.inf)}, target_lufs=-19.0
    )
    assert plan.speakers["mute"] == 0.0 and plan.speakers["A"] == pytest.approx(0.0)
    assert plan.programme == pytest.approx(1.0)
    none = plan_gains({"mute": _report(SILENT_LUFS)}, target_lufs=-19.0)
    assert none.programme == 0.0 and none.speakers == {"mute": 0.0}
    stereo = plan_gains({"A": _report(-20.0)}, target_lufs=-16.0, channels=2)
    assert stereo.programme == pytest.approx(4.0 - 10 * math.log10(2))


# --- our own numpy meter, checked against the reference above and ffmpeg's ebur128 ---


def _stream(x: np.ndarray, channels: int = 1, step: int = 7_777) -> LoudnessReport:
    frames = np.repeat(x[:, None], channels, axis=1).astype("<f4").tobytes()
    size = 4 * channels * step + 2  # blocks that split frames: the meter must carry the rest
    return measure_stream((frames[i : i + size] for i in range(0, len(frames), size)), FS, channels)


def test_k_filter_matches_the_standard_at_48k_and_calibrates_at_other_rates() -> None:
    shelf, rlb = k_coefficients(48000)
    for ours, table in ((shelf, SHELF), (rlb, RLB)):
        assert np.allclose(ours[0], table[0], atol=1e-9)
        assert np.allclose(ours[1], table[1], atol=1e-9)
    for rate in (22050, 24000, 44100, 48000):
        t = np.arange(5 * rate) / rate
        meter = Meter(rate)
        meter.add_clip(0.5 * np.sin(2 * np.pi * 997 * t), 0)
        inside = meter.energy[: 5 * rate // meter.sub]  # blocks within the tone only
        assert integrated_lufs(inside, meter.sub) == pytest.approx(-3.01 - 6.02, abs=0.05)


def test_own_meter_agrees_with_reference_and_ffmpeg(tmp_path: Path) -> None:
    parts = []
    for i, level in enumerate((-20.0, -26.0, -14.0, -30.0)):
        parts += [speech(2.0, level, rate=FS, seed=i), np.zeros(FS // 2)]
    x = np.concatenate(parts)
    ours = _stream(x)
    theirs = ebur128(write_wav(tmp_path / "talk.wav", x, FS))
    assert ours.samples == x.size
    assert ours.integrated_lufs == pytest.approx(reference_lufs(x), abs=0.1)
    assert ours.integrated_lufs == pytest.approx(theirs.integrated_lufs, abs=0.2)
    assert ours.true_peak_dbtp == pytest.approx(theirs.true_peak_dbtp, abs=0.3)
    assert ours.lra == pytest.approx(theirs.lra, abs=1.5)
    # Two identical channels read 3.01 LU louder (a little less here: blocks that were
    # just under the absolute gate now count, as BS.1770 says they should).
    stereo = _stream(x, channels=2)
    assert stereo.integrated_lufs == pytest.approx(ours.integrated_lufs + 3.01, abs=0.1)
    assert _stream(np.zeros(FS)).silent


def test_own_true_peak_sees_between_the_samples() -> None:
    n = np.arange(2 * FS)
    x = 0.8 * np.sin(np.pi / 2 * n + np.pi / 4)  # samples sit 3 dB below the real peak
    assert 20 * math.log10(true_peak(x)) == pytest.approx(20 * math.log10(0.8), abs=0.15)
    assert _stream(x).true_peak_dbtp == pytest.approx(20 * math.log10(0.8), abs=0.15)
    assert _stream(np.zeros(100)).true_peak_dbtp == -math.inf


@given(level=st.floats(-30, 0), burst=st.floats(0, 20), ceiling_db=st.floats(-6, -1))
@settings(max_examples=15, deadline=None)
def test_limiter_holds_the_ceiling_and_leaves_the_rest(
    level: float, burst: float, ceiling_db: float
) -> None:
    x = speech(1.0, level, rate=24000, seed=5).astype(np.float64)
    x[12_000:12_072] += np.hanning(72) * 10 ** ((level + burst) / 20)
    ceiling = 10 ** (ceiling_db / 20)
    y = limit_true_peak(x, ceiling, 24000)
    assert y.shape == x.shape
    assert true_peak(y) <= ceiling * 1.001
    if true_peak(x) <= ceiling:
        assert y is x  # nothing to do: untouched
    else:
        assert np.all(np.abs(y) <= np.abs(x) + 1e-12)  # only ever turned down
        far = np.abs(np.arange(x.size) - 12_036) > 24000 // 50  # 20 ms away from the burst
        loud = np.abs(x) * 10 ** (3 / 20) < ceiling  # samples well below the ceiling
        assert np.allclose(y[far & loud], x[far & loud]) or true_peak(x[far]) > ceiling / 2


# --- stereo ---------------------------------------------------------------------


def _rendered_mp3(out: Path, cache: Path, *extra: str) -> Path:
    from conftest import render_short_zh

    proc = render_short_zh(out, cache, *extra)
    assert proc.returncode == 0, proc.stderr
    return out / "short_zh.mp3"


def test_stereo_render_hits_its_target_like_mono(tmp_path: Path) -> None:
    """A real espeak render in stereo lands within 0.5 LU of -16 (it read -16.8 with the
    limiter clamping), measured by ffmpeg's ebur128; the same render in mono hits -19."""
    from tts_export.audio.tags import read_info

    cache = tmp_path / "cache"
    stereo = ebur128(_rendered_mp3(tmp_path / "stereo", cache, "--stereo"))
    mono = ebur128(_rendered_mp3(tmp_path / "mono", cache))
    assert read_info(tmp_path / "stereo" / "short_zh.mp3").channels == "stereo"
    assert abs(stereo.integrated_lufs - -16.0) <= 0.5, stereo
    assert abs(mono.integrated_lufs - -19.0) <= 0.5, mono
    assert stereo.true_peak_dbtp <= -1.0
    # Both files meet the same limiter ceiling (stereo used to keep 3 dB of it unused).
    assert stereo.true_peak_dbtp == pytest.approx(mono.true_peak_dbtp, abs=1.0)
