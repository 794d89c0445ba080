"""Output audio formats: a format name in, its encoder settings and container abilities out.

The one registry of audio formats: ``write_audio`` encodes from it, and
config validation and the CLI can read ``names()`` instead of listing the
formats again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tts_export.errors import ConfigError


@dataclass(frozen=True)
class AudioFormat:
    """How one output format is encoded and what its container holds.

    Attributes:
        muxer: ffmpeg's name for the container (``-f``).
        codec: ffmpeg's audio encoder (``-c:a``).
        mono: default bitrate for mono; None for lossless or quality-based encoders.
        stereo: default bitrate for stereo.
        quality: encoder options used when no bitrate is given (quality-based codecs).
        options: encoder options always given.
        lossy: whether the codec changes the samples (its loudness is probed).
        rates: sample rates the codec takes; () means any.
        ceiling: true-peak ceiling of our limiter in dBTP.
        chapters: whether the container holds chapters.
        cover: where cover art goes: "ffmpeg" (an attached picture stream),
            "vorbis" (a comment written with mutagen after encoding, with the
            chapters), or None (not stored).
        kbps: (channels, sample rate or None) → the lowest and highest bitrate in
            kbit/s the encoder takes (None: none at that rate); None for lossless
            formats, which take none.
    """

    muxer: str
    codec: str
    mono: str | None
    stereo: str | None
    quality: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    lossy: bool = True
    rates: tuple[int, ...] = ()
    # Lossy codecs overshoot the ceiling (their low-pass rings), so they get
    # room below the platforms' -1 dBTP limit.
    ceiling: float = -2.0
    chapters: bool = False
    cover: Literal["ffmpeg", "vorbis"] | None = None
    kbps: Callable[[int, int | None], tuple[int, int] | None] | None = None

    def output_rate(self, wanted: int) -> int:
        """``wanted`` if the codec takes it, else the next higher rate it takes (or its top one)."""
        if not self.rates or wanted in self.rates:
            return wanted
        higher = [r for r in self.rates if r >= wanted]
        return higher[0] if higher else self.rates[-1]


def _between(low: int, high: int) -> Callable[[int, int | None], tuple[int, int] | None]:
    return lambda channels, rate: (low, high)


def _opus_kbps(channels: int, rate: int | None) -> tuple[int, int] | None:
    return 6, 256 * channels  # libopus: up to 256 kbit/s per channel


# libvorbis's bitrate mode by sample-rate band (its setup tables): the highest rate
# of the band, then (low, high) kbit/s for mono and for stereo, as measured with the
# bundled ffmpeg. Above 50 kHz it has quality mode only.
_VORBIS_BANDS = (
    (9000, (8, 42), (12, 84)),
    (15000, (12, 50), (16, 100)),
    (19000, (16, 100), (24, 200)),
    (26000, (16, 90), (30, 180)),
    (40000, (30, 190), (36, 380)),
    (50000, (32, 240), (45, 500)),
)


def _vorbis_kbps(channels: int, rate: int | None) -> tuple[int, int] | None:
    """What libvorbis's bitrate mode takes at ``rate``; None when it takes no bitrate."""
    if rate is None:  # not known yet: any band's; write_audio checks again with the rate
        return (8, 240) if channels == 1 else (12, 500)
    for top, mono, stereo in _VORBIS_BANDS:
        if rate <= top:
            return mono if channels == 1 else stereo
    return None


_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_AAC = ("ipod", "aac", "96k", "128k")
_AAC_OPTIONS: dict[str, Any] = {
    "options": ("-aac_coder", "fast"),
    "chapters": True,
    "cover": "ffmpeg",
    "kbps": _between(8, 512),
}
FORMATS: Mapping[str, AudioFormat] = {
    # Speed settings: LAME's algorithm level 7 and ffmpeg's "fast" AAC coder encode an
    # hour of speech in about 10 s instead of 20 s (LAME 5) or 110 s (AAC "twoloop"),
    # with no audible loss for spoken word at these bitrates.
    "mp3": AudioFormat(
        "mp3",
        "libmp3lame",
        "96k",
        "128k",
        rates=_MP3_RATES,
        options=("-compression_level", "7"),
        chapters=True,
        cover="ffmpeg",
        kbps=_between(8, 320),
    ),
    "m4a": AudioFormat(*_AAC, **_AAC_OPTIONS),
    # ffmpeg brands every ipod file "M4A "; an audiobook says "M4B " (players list it as one)
    "m4b": AudioFormat(
        *_AAC, **{**_AAC_OPTIONS, "options": ("-aac_coder", "fast", "-brand", "M4B ")}
    ),
    "ogg": AudioFormat(
        "ogg",
        "libvorbis",
        None,
        None,
        quality=("-q:a", "4"),
        chapters=True,
        cover="vorbis",
        kbps=_vorbis_kbps,
    ),
    "opus": AudioFormat(
        "opus",
        "libopus",
        "48k",
        "64k",
        rates=(8000, 12000, 16000, 24000, 48000),
        chapters=True,
        cover="vorbis",
        kbps=_opus_kbps,
    ),
    "flac": AudioFormat("flac", "flac", None, None, ceiling=-1.3, lossy=False, cover="ffmpeg"),
    "wav": AudioFormat("wav", "pcm_s16le", None, None, ceiling=-1.3, lossy=False),
}


def names() -> tuple[str, ...]:
    """The audio format names, in the order help texts list them (mp3 first, the default)."""
    return tuple(FORMATS)


def get_format(name: str) -> AudioFormat:
    """The registry entry for ``name``.

    Raises:
        ConfigError: no such audio format.
    """
    if name not in FORMATS:
        raise ConfigError(
            "format", name, "not a known audio format", hint=f"use one of {', '.join(FORMATS)}"
        )
    return FORMATS[name]


_KBPS = re.compile(r"([1-9][0-9]*)[kK]")


def check_bitrate(
    format_name: str, bitrate: object, *, channels: int = 1, sample_rate: int | None = None
) -> str | None:
    """Check a bitrate for a format before any work, as kbit/s written like "96k".

    Args:
        format_name: an audio format name (``names()``).
        bitrate: the value given (None: the format's default).
        channels: 1 or 2.
        sample_rate: the output rate, when known (Vorbis's limits depend on it).

    Returns:
        The bitrate as ffmpeg takes it ("96k"), or None.

    Raises:
        ConfigError: the format is unknown, the value is not kbit/s, the format is
            lossless, or the encoder does not take that bitrate.
    """
    spec = get_format(format_name)
    if bitrate is None:
        return None
    if spec.kbps is None:
        raise ConfigError(
            "bitrate",
            bitrate,
            f"{format_name} is lossless and takes no bitrate",
            hint="leave the bitrate out, or choose a lossy format (mp3, m4a, m4b, ogg, opus)",
        )
    found = _KBPS.fullmatch(bitrate.strip()) if isinstance(bitrate, str) else None
    if found is None:
        number = isinstance(bitrate, int | str) and str(bitrate).strip().isdigit()
        raise ConfigError(
            "bitrate",
            bitrate,
            "must be kbit/s written like 96k",
            hint=f"write {str(bitrate).strip()}k" if number else "e.g. 96k",
        )
    kbps = int(found.group(1))
    limits = spec.kbps(channels, sample_rate)
    if limits is None:
        raise ConfigError(
            "bitrate",
            bitrate,
            f"{spec.codec} takes no bitrate at {sample_rate} Hz",
            hint="leave the bitrate out (quality-based), or choose a lower sample rate",
        )
    low, high = limits
    if not low <= kbps <= high:
        layout = "mono" if channels == 1 else "stereo"
        at = f" at {sample_rate} Hz" if sample_rate else ""
        raise ConfigError(
            "bitrate",
            bitrate,
            f"{spec.codec} takes {low}k to {high}k for {layout}{at}",
            hint=f"choose a bitrate from {low}k to {high}k, or leave it out for the default",
        )
    return f"{kbps}k"
