"""Music mixing: the streamed speech programme and ``Music`` in, the programme with music out.

The intro plays from 0, the outro ends with the programme, and the bed runs
from the intro's end to the outro's start, fading in and out, looped with an
equal-power crossfade when shorter, and rising by ``duck_db`` in long pauses
(it sits at ``bed_level_lu``, e.g. -18 LU, from the speech while anyone speaks). Music is
decoded by ffmpeg at the programme's rate and downmixed to mono (the
programme is mono; a stereo file carries it on both channels). Levels are
relative to the speech: ``music_gains`` sets each file's gain from its
measured loudness and the speech's, so a programme gain correction moves
music and speech together. Memory: the intro, outro and one bed period.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tts_export.audio.ffmpeg import decode_pcm
from tts_export.audio.limiter import limit_true_peak
from tts_export.audio.music import Music, MusicFile
from tts_export.common.units import ms_to_samples
from tts_export.errors import OutputError
from tts_export.models import Timeline

Signal = npt.NDArray[np.float64]
_RAMP_MS = 400  # how long the bed takes to rise or fall around a long pause
_HOLD_MS = 150  # how long after speech stops the bed starts to rise (and before it falls)


def music_gains(music: Music, speech_lufs: float) -> dict[str, float]:
    """Each music role's gain in dB before the programme gain.

    Args:
        music: the music and its levels.
        speech_lufs: the levelled speech's loudness before the programme gain
            (mono), the level the music is set against.

    Returns:
        role → gain: the intro and outro land ``jingle_level_lu`` from the speech,
        the bed ``bed_level_lu`` from it (both LU, negative: quieter).
    """
    relative = {"intro": music.jingle_level_lu, "outro": music.jingle_level_lu}
    relative["bed"] = music.bed_level_lu
    files = {"intro": music.intro, "outro": music.outro, "bed": music.bed}
    return {
        role: speech_lufs + relative[role] - f.loudness_lufs
        for role, f in files.items()
        if f is not None
    }


def _decode(f: MusicFile, rate: int) -> Signal:
    """The file as mono samples at ``rate``, exactly its checked length."""
    pcm = decode_pcm(f.path, sample_rate=rate)
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    n = ms_to_samples(f.duration_ms, rate)
    return np.pad(x[:n], (0, max(0, n - x.size)))


def check_room(timeline: Timeline, music: Music) -> None:
    """Check that no speech is placed where the intro or outro plays.

    Raises:
        OutputError: the timeline was not shifted by ``music.add_music``.
    """
    speech = [p for p in timeline.placements if p.clip is not None]
    if not speech:
        return
    first = min(p.start_ms for p in speech)
    last = max(p.end_ms for p in speech)
    if first < music.intro_ms or last > timeline.duration_ms - music.outro_ms:
        raise OutputError(
            "<timeline>",
            "speech is placed where the intro or outro plays",
            hint="pass the timeline through music.add_music before writing the audio",
        )


@dataclass(frozen=True)
class _Layer:
    """One music layer: its samples (with gain) and where the programme plays them."""

    start: int
    end: int
    samples: Signal
    loop: Signal | None = None  # the bed's repeating period (crossfade included)

    def at(self, a: int, b: int) -> Signal:
        """The layer's samples at programme samples [a, b) (zeros outside it)."""
        out = np.zeros(b - a)
        lo, hi = max(a, self.start), min(b, self.end)
        if lo >= hi or self.samples.size == 0:
            return out
        i = np.arange(lo - self.start, hi - self.start)
        once = (
            self.loop is None or self.loop.size == 0 or self.end - self.start <= self.samples.size
        )
        if once:
            out[lo - a : hi - a] = self.samples[np.minimum(i, self.samples.size - 1)]
            return out
        assert self.loop is not None
        # The first pass plays the file up to where its tail would overlap its head;
        # from there on, the loop (which starts with that crossfade) repeats.
        period = self.loop.size
        out[lo - a : hi - a] = np.where(
            i < period, self.samples[np.minimum(i, period - 1)], self.loop[i % period]
        )
        return out


def _looped(x: Signal, crossfade: int) -> Signal:
    """One period of ``x`` repeated: its tail fades out over its head (equal power)."""
    crossfade = min(crossfade, x.size // 2)
    period = x.size - crossfade
    loop = x[:period].copy()
    if crossfade:
        t = (np.arange(crossfade) + 0.5) / crossfade
        loop[:crossfade] = x[period:] * np.cos(t * np.pi / 2) + x[:crossfade] * np.sin(
            t * np.pi / 2
        )
    return loop


def _fade(n: int, fade_in: int, fade_out: int) -> Signal:
    """An envelope of ``n`` samples rising over ``fade_in`` and falling over ``fade_out``."""
    env = np.ones(n)
    fade_in, fade_out = min(fade_in, n), min(fade_out, n)
    if fade_in:
        env[:fade_in] = np.linspace(0.0, 1.0, fade_in, endpoint=False)
    if fade_out:
        env[n - fade_out :] *= np.linspace(1.0, 0.0, fade_out)
    return env


def duck_spans(
    timeline: Timeline, music: Music, start_ms: int, end_ms: int
) -> list[tuple[int, int]]:
    """The pauses (ms) in which the bed rises: no speech for ``duck_pause_ms`` or more."""
    spans: list[tuple[int, int]] = []
    cursor = start_ms
    speech = sorted((p.start_ms, p.end_ms) for p in timeline.placements if p.clip is not None)
    for a, b in [*speech, (end_ms, end_ms)]:
        if a - cursor >= music.duck_pause_ms:
            spans.append((cursor, a))
        cursor = max(cursor, b)
    return spans


def _duck_gain(spans: list[tuple[int, int]], rate: int, a: int, b: int, duck_db: float) -> Signal:
    """Gain (linear) of the bed over programme samples [a, b): 1, rising in ``spans``."""
    env = np.zeros(b - a)
    t = np.arange(a, b)
    ramp, hold = ms_to_samples(_RAMP_MS, rate), ms_to_samples(_HOLD_MS, rate)
    for s_ms, e_ms in spans:
        s, e = ms_to_samples(s_ms, rate) + hold, ms_to_samples(e_ms, rate) - hold
        if e <= a or s >= b or e <= s:
            continue
        top = min(ramp, (e - s) // 2) or 1
        up = np.clip((t - s) / top, 0.0, 1.0)
        down = np.clip((e - t) / top, 0.0, 1.0)
        env = np.maximum(env, np.minimum(up, down))
    return np.asarray(10 ** (duck_db * env / 20))


class Mixer:
    """Adds the music to the programme's PCM blocks as they stream past.

    Args:
        timeline: the programme, already shifted by ``add_music``.
        music: the music and its settings.
        gains_db: role → total gain in dB (``music_gains`` plus the programme gain).
        ceiling_dbtp: when set, the intro and outro are limited to this true peak.
    """

    def __init__(
        self,
        timeline: Timeline,
        music: Music,
        gains_db: Mapping[str, float],
        *,
        ceiling_dbtp: float | None = None,
    ) -> None:
        check_room(timeline, music)
        self.rate = rate = timeline.sample_rate
        self.total = ms_to_samples(timeline.duration_ms, rate)
        self.music = music
        self.layers: list[_Layer] = []
        ceiling = None if ceiling_dbtp is None else 10 ** (ceiling_dbtp / 20)
        for f, start in ((music.intro, 0), (music.outro, None)):
            if f is None:
                continue
            x = _decode(f, rate) * 10 ** (gains_db[f.role] / 20)
            x *= _fade(x.size, ms_to_samples(5, rate), ms_to_samples(5, rate))  # no clicks
            if ceiling is not None:
                x = limit_true_peak(x, ceiling, rate)
            first = self.total - x.size if start is None else start
            self.layers.append(_Layer(first, first + x.size, x))
        self.bed: _Layer | None = None
        self.spans: list[tuple[int, int]] = []
        self.fades = (0, 0)
        if music.bed is not None:
            start_ms = music.intro_ms
            end_ms = timeline.duration_ms - music.outro_ms
            x = _decode(music.bed, rate) * 10 ** (gains_db["bed"] / 20)
            loop = _looped(x, ms_to_samples(music.crossfade_ms, rate))
            start, end = ms_to_samples(start_ms, rate), ms_to_samples(end_ms, rate)
            self.bed = _Layer(start, end, x, loop)
            self.fades = (
                ms_to_samples(music.fade_in_ms, rate),
                ms_to_samples(music.fade_out_ms, rate),
            )
            self.spans = duck_spans(timeline, music, start_ms, end_ms)

    def music_at(self, a: int, b: int) -> Signal:
        """The music alone over programme samples [a, b)."""
        out = np.zeros(b - a)
        for layer in self.layers:
            out += layer.at(a, b)
        if self.bed is not None:
            bed = self.bed.at(a, b)
            n = self.bed.end - self.bed.start
            t = np.arange(a, b) - self.bed.start
            fade_in, fade_out = (min(f, n) for f in self.fades)
            env = np.ones(b - a)
            if fade_in:
                env = np.minimum(env, np.clip((t + 0.5) / fade_in, 0.0, 1.0))
            if fade_out:
                env = np.minimum(env, np.clip((n - t - 0.5) / fade_out, 0.0, 1.0))
            bed *= env * _duck_gain(self.spans, self.rate, a, b, self.music.duck_db)
            out += bed
        return out

    def mix(self, blocks: Iterable[bytes], *, speech: bool = True) -> Iterator[bytes]:
        """The speech blocks (mono float32 LE) plus the music; ``speech=False``: music only."""
        cursor = 0
        for block in blocks:
            x = np.frombuffer(block, dtype="<f4").astype(np.float64)
            if not speech:
                x = np.zeros_like(x)
            x += self.music_at(cursor, cursor + x.size)
            cursor += x.size
            yield x.astype("<f4").tobytes()
