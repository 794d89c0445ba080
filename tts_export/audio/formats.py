"""Output audio formats: a format name in, its encoder settings and container abilities out.

The one registry of audio formats: ``write_audio`` encodes from it, and
config validation and the CLI can read ``names()`` instead of listing the
formats again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

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

    def output_rate(self, wanted: int) -> int:
        """``wanted`` if the codec takes it, else the next higher rate it takes (or its top one)."""
        if not self.rates or wanted in self.rates:
            return wanted
        higher = [r for r in self.rates if r >= wanted]
        return higher[0] if higher else self.rates[-1]


_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_AAC = ("ipod", "aac", "96k", "128k")
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
    ),
    "m4a": AudioFormat(*_AAC, options=("-aac_coder", "fast"), chapters=True, cover="ffmpeg"),
    "m4b": AudioFormat(*_AAC, options=("-aac_coder", "fast"), chapters=True, cover="ffmpeg"),
    "ogg": AudioFormat(
        "ogg", "libvorbis", None, None, quality=("-q:a", "4"), chapters=True, cover="vorbis"
    ),
    "opus": AudioFormat(
        "opus",
        "libopus",
        "48k",
        "64k",
        rates=(8000, 12000, 16000, 24000, 48000),
        chapters=True,
        cover="vorbis",
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
