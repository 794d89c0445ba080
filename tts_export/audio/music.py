"""Music: ``intro``/``outro``/``bed`` settings in, checked music files and a shifted timeline out.

``load_music`` runs before synthesis, so a bad music file stops a render
before any work: the path follows the ``cover:`` rule (relative to the
transcript's folder, never outside it unless allowed), and the file must be
a regular file of at most ``MAX_MUSIC_BYTES`` that ffmpeg decodes, not
silent and not longer than the limit for its role. ``add_music`` moves every
placement and chapter later by the intro's decoded length (plus a gap) and
adds the "Intro" and "Outro" chapters, so captions, chapters and transcripts
follow without knowing about music. The clip cache never sees music: a new
jingle re-mixes without re-synthesizing. ``mix`` plays the music under and
around the speech while the programme streams.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import astuple, dataclass, replace
from pathlib import Path

from tts_export.audio.cover import resolve_inside
from tts_export.audio.ffmpeg import FfmpegError, decode_blocks
from tts_export.audio.loudness import measure_stream
from tts_export.common.lang import primary_subtag
from tts_export.common.units import ms_to_samples, samples_to_ms
from tts_export.errors import ConfigError
from tts_export.models import Chapter, Timeline

MAX_MUSIC_BYTES = 50 * 1024 * 1024  # a 10-minute FLAC fits; a whole album does not
MAX_JINGLE_MS = 120_000  # an intro or outro longer than 2 minutes is a mistake
MAX_BED_MS = 600_000  # a bed loops, so 10 minutes is plenty (and bounds memory)
SILENT_LUFS = -60.0  # quieter than this throughout: the file is taken as silent
CHECK_RATE = 48000  # rate at which music is decoded to be checked and measured

_LIMITS = {"intro": MAX_JINGLE_MS, "outro": MAX_JINGLE_MS, "bed": MAX_BED_MS}
_HINT = "use an audio file ffmpeg reads (MP3, OGG, FLAC, WAV, M4A)"
_RANGE_HINT = (
    "set it with --bed-level, --duck, --bed-fade-in-ms, --bed-fade-out-ms, --intro-gap-ms or "
    "--outro-gap-ms (see `tts-export render --help` for each range), or leave it out"
)
_TITLES = {"zh": ("片头", "片尾", "正文"), "en": ("Intro", "Outro", "Programme")}


@dataclass(frozen=True)
class MusicFile:
    """A music file that passed every check.

    Attributes:
        role: "intro", "outro" or "bed" (the setting that named it).
        path: the file, symlinks resolved.
        duration_ms: its decoded length in ms.
        loudness_lufs: its integrated loudness (BS.1770, downmixed to mono).
        sha256: a hash of its bytes (outputs are redone when the music changes).
    """

    role: str
    path: Path
    duration_ms: int
    loudness_lufs: float
    sha256: str


@dataclass(frozen=True)
class Music:
    """What to play around and under the speech, and how loud.

    Attributes:
        intro: played before the speech (a chapter of its own).
        outro: played after it (a chapter of its own).
        bed: played under the speech, looped with crossfades when shorter.
        intro_gap_ms: silence between the intro and the speech's head room tone.
        outro_gap_ms: silence between the speech's tail room tone and the outro.
        jingle_level_lu: intro/outro loudness relative to the speech (0: as loud).
        bed_level_lu: the bed's loudness relative to the speech while anyone
            speaks, as every level here and in ``RenderConfig.bed_level``: -18 is
            18 LU under the speech (at most -15, for intelligibility).
        duck_db: how much the bed rises in pauses of at least ``duck_pause_ms``
            (section breaks); 0 keeps it level.
        duck_pause_ms: the shortest pause in which the bed rises.
        fade_in_ms: the bed's fade-in at its start.
        fade_out_ms: the bed's fade-out at its end.
        crossfade_ms: overlap where a looping bed's end fades into its start.
    """

    intro: MusicFile | None = None
    outro: MusicFile | None = None
    bed: MusicFile | None = None
    intro_gap_ms: int = 0
    outro_gap_ms: int = 0
    jingle_level_lu: float = 0.0
    bed_level_lu: float = -18.0
    duck_db: float = 6.0
    duck_pause_ms: int = 1200
    fade_in_ms: int = 1000
    fade_out_ms: int = 2000
    crossfade_ms: int = 1500

    def __post_init__(self) -> None:
        ranges: dict[str, tuple[float, float]] = {
            "intro_gap_ms": (0, 10_000),
            "outro_gap_ms": (0, 10_000),
            "jingle_level_lu": (-20.0, 6.0),
            "bed_level_lu": (-40.0, -15.0),
            "duck_db": (0.0, 12.0),
            "duck_pause_ms": (500, 60_000),
            "fade_in_ms": (0, 30_000),
            "fade_out_ms": (0, 30_000),
            "crossfade_ms": (0, 10_000),
        }
        for name, (low, high) in ranges.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(
                    name, value, f"must be a number from {low} to {high}", hint=_RANGE_HINT
                )
            if name.endswith("_ms") and not isinstance(value, int):
                raise ConfigError(name, value, "must be a whole number of ms", hint=_RANGE_HINT)
            if not low <= value <= high:
                raise ConfigError(name, value, f"must be from {low} to {high}", hint=_RANGE_HINT)

    @property
    def empty(self) -> bool:
        """True when there is no music at all (the programme is left as it was)."""
        return self.intro is None and self.outro is None and self.bed is None

    def identity(self) -> tuple[object, ...]:
        """What the mixed audio depends on: each file's content and every setting.

        For the output-freshness digest; paths are left out, so moving a file
        changes nothing, and the clip cache never sees any of it.
        """
        files = tuple(None if f is None else (f.role, f.sha256) for f in self._files())
        return files + astuple(self)[3:]

    def _files(self) -> tuple[MusicFile | None, MusicFile | None, MusicFile | None]:
        return self.intro, self.outro, self.bed

    @property
    def intro_ms(self) -> int:
        """How much later the speech starts: the intro's length plus its gap (0 without one)."""
        return 0 if self.intro is None else self.intro.duration_ms + self.intro_gap_ms

    @property
    def outro_ms(self) -> int:
        """How much longer the programme gets at the end: the outro's gap plus its length."""
        return 0 if self.outro is None else self.outro.duration_ms + self.outro_gap_ms


def music_titles(language: str) -> tuple[str, str, str]:
    """Chapter titles (intro, outro, speech when untitled) in the transcript's language."""
    return _TITLES.get(primary_subtag(language), _TITLES["en"])


# --- loading and checking -------------------------------------------------------


def load_music(
    value: object,
    folder: Path,
    *,
    role: str,
    allow_outside: bool = False,
    max_bytes: int = MAX_MUSIC_BYTES,
    max_ms: int | None = None,
) -> MusicFile:
    """Check an ``intro``/``outro``/``bed`` value and measure the file it names.

    Args:
        value: the setting's value (a path, relative to ``folder`` unless absolute).
        folder: the transcript's folder.
        role: "intro", "outro" or "bed" (names the setting in errors).
        allow_outside: accept a file outside ``folder`` (``--allow-outside-files``).
        max_bytes: the largest file accepted.
        max_ms: the longest decoded length accepted (default: by role).

    Returns:
        The file's resolved path, decoded length and loudness.

    Raises:
        ConfigError: the value is not a path, or the file is missing, outside the
            folder, not a regular file, too large or too long, unreadable by
            ffmpeg, or silent.
    """
    if role not in _LIMITS:
        raise ConfigError(
            "role", role, f"must be one of {', '.join(_LIMITS)}", hint=f"use {' or '.join(_LIMITS)}"
        )
    limit_ms = _LIMITS[role] if max_ms is None else max_ms
    if not isinstance(value, str | Path) or not str(value).strip():
        raise ConfigError(
            role, value, "must be the path of an audio file", hint=f"e.g. {role}: music/{role}.mp3"
        )
    path = resolve_inside(str(value), folder, allow_outside=allow_outside, setting=role)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ConfigError(
            role,
            value,
            f"cannot open {path}: {exc.strerror or exc}",
            hint=f"check the {role} file's path and permissions (relative to the transcript)",
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(
            role, value, f"{path} is not a regular file (a folder, device or FIFO)", hint=_HINT
        )
    if info.st_size > max_bytes:
        raise ConfigError(
            role,
            value,
            f"the file is {info.st_size / 2**20:.1f} MB; music files are limited to "
            f"{max_bytes / 2**20:.0f} MB",
            hint="cut it shorter or encode it as MP3/OGG",
        )
    try:
        digest = _sha256(path)
    except OSError as exc:
        raise ConfigError(
            role,
            value,
            f"cannot read {path}: {exc.strerror or exc}",
            hint=f"make the {role} file readable by you (check its permissions)",
        ) from None
    counted = _Counted(path, CHECK_RATE, limit_ms, role, value)
    try:
        report = measure_stream(counted, CHECK_RATE)
    except FfmpegError as exc:
        raise ConfigError(
            role, value, f"ffmpeg cannot read it: {exc.problem or 'not audio'}", hint=_HINT
        ) from None
    if counted.samples == 0 or report.silent or report.integrated_lufs < SILENT_LUFS:
        raise ConfigError(
            role, value, "the file is silent", hint="check that it is the right file and not empty"
        )
    duration = samples_to_ms(counted.samples, CHECK_RATE)
    return MusicFile(role, path, duration, report.integrated_lufs, digest)


def _sha256(path: Path) -> str:
    """The file's SHA-256 (read in 1 MB pieces; its size was checked already)."""
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


class _Counted:
    """Decoded mono float32 blocks of a music file, counted and cut off past ``limit_ms``."""

    def __init__(self, path: Path, rate: int, limit_ms: int, role: str, value: object) -> None:
        self.path, self.rate, self.limit_ms = path, rate, limit_ms
        self.role, self.value = role, value
        self.samples = 0

    def __iter__(self) -> Iterator[bytes]:
        limit = ms_to_samples(self.limit_ms, self.rate)
        blocks = decode_blocks(self.path, sample_rate=self.rate, channels=1)
        try:
            for block in blocks:
                self.samples += len(block) // 4
                if self.samples > limit:
                    raise ConfigError(
                        self.role,
                        self.value,
                        f"the music is longer than the {self.limit_ms // 1000} s allowed "
                        f"for {'a' if self.role == 'bed' else 'an'} {self.role}",
                        hint="cut it shorter (a bed loops by itself)",
                    )
                yield block
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()  # stops ffmpeg when the file is too long


# --- timing ---------------------------------------------------------------------


def add_music(timeline: Timeline, music: Music, language: str) -> Timeline:
    """The timeline with room for the intro and outro, and their chapters.

    Every placement and chapter moves later by ``music.intro_ms`` exactly; the
    programme grows by ``intro_ms + outro_ms``. An intro becomes a chapter from
    0 to the speech's first chapter, an outro one from the speech's end to the
    programme's end, titled in ``language`` (片头/片尾 in Chinese). A speech
    without chapters of its own gets one, so the chapters cover the programme.
    Without intro and outro the timeline is returned unchanged (a bed changes
    no times).

    Args:
        timeline: the speech, as assembled.
        music: the checked music and its settings.
        language: the transcript's language ("zh", "en").

    Returns:
        The shifted timeline (a new one; ``timeline`` is untouched).
    """
    if music.intro is None and music.outro is None:
        return timeline
    shift, speech_end = music.intro_ms, music.intro_ms + timeline.duration_ms
    placements = tuple(
        replace(p, start_ms=p.start_ms + shift, end_ms=p.end_ms + shift)
        for p in timeline.placements
    )
    intro_title, outro_title, speech_title = music_titles(language)
    chapters = [Chapter(c.title, c.start_ms + shift, c.end_ms + shift) for c in timeline.chapters]
    if not chapters:
        chapters = [Chapter(speech_title, shift, speech_end)]
    if music.intro is not None:
        chapters.insert(0, Chapter(intro_title, 0, shift))
    duration = speech_end + music.outro_ms
    if music.outro is not None:
        chapters.append(Chapter(outro_title, speech_end, duration))
    return replace(timeline, placements=placements, chapters=tuple(chapters), duration_ms=duration)
