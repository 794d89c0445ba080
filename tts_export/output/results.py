"""Typed results of the public API: what ``render``, ``inspect``, ``check`` and ``voices`` return.

Frozen dataclasses with ``to_json()`` (a JSON-ready dict whose shape is the
CLI's ``--json`` contract), so callers never read a manifest or poke at
``dict[str, Any]`` to learn what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from tts_export.models import Note


def _plain(value: Any) -> Any:
    """Dataclasses, tuples and paths as JSON's dicts, lists and strings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


@dataclass(frozen=True)
class Loudness:
    """Loudness of the written audio, measured per ITU-R BS.1770 (None when normalising is off)."""

    integrated_lufs: float | None
    true_peak_dbtp: float | None
    target_lufs: float | None


@dataclass(frozen=True)
class Render:
    """What one render wrote and measured.

    Attributes:
        source: the transcript file ("<string>" for text).
        stem: the output file stem.
        files: output kind ("audio", "srt", "vtt", "manifest", ...) → path.
        duration_ms: the programme's length, measured from the decoded file.
        utterances: spoken utterances in the programme.
        cached: how many came from the clip cache.
        synthesized: how many were synthesized by this run.
        fallbacks: utterances the fallback engine rendered, one line each.
        engine: the engine asked for.
        voices: speaker → voice persona id.
        loudness: measured loudness of the audio.
        warnings: notes about the input, with line numbers.
        unchanged: output groups left alone because nothing they are made from
            changed since the previous render ("audio", "captions").
        repaired: damaged clip-cache entries found, discarded and made again.
        cues: captions in the subtitle files.
    """

    source: str
    stem: str
    files: Mapping[str, Path]
    duration_ms: int
    utterances: int
    cached: int
    synthesized: int
    fallbacks: tuple[str, ...]
    engine: str
    voices: Mapping[str, str]
    loudness: Loudness
    warnings: tuple[Note, ...] = ()
    unchanged: tuple[str, ...] = ()
    repaired: int = 0
    cues: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (paths as strings)."""
        data: dict[str, Any] = _plain(asdict(self))
        return data


@dataclass(frozen=True)
class FileResult:
    """One transcript of a batch: its render, or why it failed.

    Attributes:
        source: the transcript's path as given.
        output: its output stem relative to the output folder (``news/ep1``).
        status: "ok" or "failed".
        render: what was written and measured (None when it failed).
        error: the error and its hint ("" when it succeeded).
        wall_ms: from the start of the file's synthesis pass to its files written.
    """

    source: str
    output: str
    status: Literal["ok", "failed"]
    render: Render | None
    error: str
    wall_ms: int


@dataclass(frozen=True)
class Batch:
    """Every file of a batch, in the order they were found."""

    items: tuple[FileResult, ...]

    @property
    def ok(self) -> bool:
        """True when every file rendered."""
        return all(item.status == "ok" for item in self.items)

    @property
    def failed(self) -> tuple[FileResult, ...]:
        """The files that did not render."""
        return tuple(item for item in self.items if item.status != "ok")

    def to_json(self) -> dict[str, Any]:
        """The ``render --json`` object: one entry per file."""
        data: dict[str, Any] = _plain(asdict(self))
        return data


@dataclass(frozen=True)
class SpeakerSummary:
    """One speaker in an inspect report."""

    name: str
    turns: int
    chars: int  # non-space characters the speaker's utterances read aloud
    voice: str  # voice persona id ("" when none)


@dataclass(frozen=True)
class SectionSummary:
    """One section in an inspect report ("" for text before the first heading)."""

    title: str
    turns: int


@dataclass(frozen=True)
class PlannedUtterance:
    """One utterance a render would make (sound cues have empty ``spoken``)."""

    section: str | None
    speaker: str
    display: str
    spoken: str
    line: int


@dataclass(frozen=True)
class Report:
    """What a render would do, without synthesizing (``inspect``).

    Counts are of speech turns; sound cues such as ``(laughs)`` are listed as
    utterances with empty ``spoken`` but are not turns.
    """

    dialect: str
    language: str
    title: str | None
    speakers: tuple[SpeakerSummary, ...]
    sections: tuple[SectionSummary, ...]
    turns: int
    utterances: tuple[PlannedUtterance, ...]
    warnings: tuple[Note, ...]
    estimated_ms: Mapping[str, int] = field(default_factory=dict)
    # Lexicon entries that fire ({"fired": [{term, spoken, source, matched, utterances}]})
    # and Latin terms in Chinese text no entry covers ({"uncovered": [{term, count, ...}]}).
    lexicon: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``inspect --json`` object."""
        data: dict[str, Any] = _plain(asdict(self))
        return data


@dataclass(frozen=True)
class Finding:
    """One broken caption rule, at a 1-based cue number in file order."""

    cue: int
    start_ms: int
    start: str  # the cue start as HH:MM:SS.mmm
    rule: str
    message: str


@dataclass(frozen=True)
class CheckReport:
    """Captions measured against a caption profile (``check``).

    Attributes:
        cues: how many cues the file holds.
        errors: broken rules (the captions should not be published as they are).
        warnings: departures from good practice.
        stats: measured figures: widths, reading speeds, durations, gaps.
    """

    cues: int
    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    stats: Mapping[str, Any]

    @property
    def ok(self) -> bool:
        """True when no rule is broken (warnings allowed)."""
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` object."""
        data: dict[str, Any] = _plain(asdict(self))
        return data


@dataclass(frozen=True)
class Voice:
    """A voice: one of the bundled or user personas, or one of an engine's own voices.

    Attributes:
        id: the persona id (``zh-f-bright``), or the engine's voice name.
        engine: None for a persona; the engine's name for an engine voice.
        language: a persona's language (``zh``), or an engine voice's locale (``zh-CN``).
        gender: "female", "male", "neutral" or "unknown".
        description: a persona's description ("" for engine voices).
        realizations: a persona's voice per engine (engine → voice name).
    """

    id: str
    engine: str | None
    language: str
    gender: str
    description: str = ""
    realizations: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data: dict[str, Any] = _plain(asdict(self))
        return data
