"""The data model: frozen dataclasses passed from stage to stage.

Every time is an integer number of milliseconds. Engine units (ticks of
100 ns, sample counts) never leave the engine adapters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from tts_export.common.units import pcm_ms
from tts_export.errors import ConfigError

# --- parse -----------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A warning about the input, tied to a line of the source file."""

    line: int
    message: str


@dataclass(frozen=True)
class Turn:
    """One speaker's turn as written.

    Attributes:
        speaker: the speaker's display name (after id resolution).
        text: display text after markup clean-up, glossary notes still inside
            ``glossary`` spans (see ``Glossary``); paragraphs joined by "\\n".
        line: 1-based line of the source file where the turn starts.
        glossary: the glossary notes found in the turn, in order.
        kind: "speech" for spoken text, "sound" for a non-speech cue such as
            ``(laughs)`` that is captioned but never spoken.
    """

    speaker: str
    text: str
    line: int
    glossary: tuple[Glossary, ...] = ()
    kind: Literal["speech", "sound"] = "speech"


@dataclass(frozen=True)
class Glossary:
    """An editorial note that follows a bold term: ``**Sora 2**（note）``.

    ``start`` and ``end`` index the note (with its brackets) inside
    ``Turn.text``; ``term`` is the bold term it explains.
    """

    term: str
    note: str
    start: int
    end: int


@dataclass(frozen=True)
class Section:
    """A heading and the turns under it; ``title`` is None before the first heading."""

    title: str | None
    turns: tuple[Turn, ...]
    line: int = 0


@dataclass(frozen=True)
class Transcript:
    """A parsed transcript file.

    Attributes:
        path: where it was read from ("<string>" for text).
        meta: front matter, with YAML values made JSON-friendly (dates as ISO
            strings).
        sections: the body in order.
        dialect: the detected speaker-label dialect.
        language: "zh" or "en" (BCP-47 primary subtag), detected from the body
            unless front matter sets ``language``.
        notes: warnings met while parsing.
    """

    path: str
    meta: Mapping[str, Any]
    sections: tuple[Section, ...]
    dialect: str = "colon"
    language: str = "zh"
    notes: tuple[Note, ...] = ()

    @property
    def title(self) -> str | None:
        value = self.meta.get("title")
        return str(value) if value else None

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for section in self.sections:
            for turn in section.turns:
                if turn.kind == "speech":
                    seen.setdefault(turn.speaker, None)
        return tuple(seen)


# --- script ----------------------------------------------------------------


@dataclass(frozen=True)
class Utterance:
    """A sentence-sized unit of speech.

    Attributes:
        id: stable id, ``"s{section:02d}t{turn:03d}u{n:02d}"``.
        section: the section title, or None.
        speaker: who says it.
        display: what captions show (verbatim caption of what is heard).
        spoken: what the engine reads.
        line: source line of the turn.
        turn_index: index of the turn in the whole transcript.
        section_index: index of the section.
        kind: "speech", or "sound" for a captioned non-speech cue (not synthesized).
    """

    id: str
    section: str | None
    speaker: str
    display: str
    spoken: str
    line: int
    turn_index: int
    section_index: int
    kind: Literal["speech", "sound"] = "speech"


@dataclass(frozen=True)
class Script:
    """The transcript as a sequence of utterances."""

    transcript: Transcript
    utterances: tuple[Utterance, ...]


# --- cast ------------------------------------------------------------------


@dataclass(frozen=True)
class Realization:
    """How one engine renders a persona.

    ``voice`` is engine-specific: a Kokoro voice id or blend
    (``"jf_nezumi:0.7+jf_alpha:0.3"``), an espeak-ng voice (``"cmn+f3"``), an
    Edge voice (``"zh-CN-XiaoxiaoNeural"``). ``speed`` is a rate multiplier,
    ``pitch`` a shift in Hz (engines without pitch ignore it), ``gain_db`` a
    level offset applied after synthesis.
    """

    engine: str
    voice: str
    speed: float = 1.0
    pitch: int = 0
    gain_db: float = 0.0


@dataclass(frozen=True)
class VoiceProfile:
    """A persona: one identity, realized per engine."""

    id: str
    gender: Literal["female", "male", "neutral"]
    language: str
    description: str
    realizations: tuple[Realization, ...]
    narrator: bool = False  # preferred for prose read outside speaker turns

    def realization(self, engine: str) -> Realization | None:
        """The realization for ``engine``, or None when the persona has none."""
        for item in self.realizations:
            if item.engine == engine:
                return item
        return None


@dataclass(frozen=True)
class EngineVoice:
    """One of an engine's own voices.

    Attributes:
        engine: the engine's registry name.
        name: what a realization's ``voice`` names (``zh-CN-XiaoxiaoNeural``, ``cmn``).
        gender: "female", "male" or "unknown".
        locale: BCP-47 tag (``zh-CN``), or the engine's language code.
    """

    engine: str
    name: str
    gender: str
    locale: str


@dataclass(frozen=True)
class Casting:
    """Which persona speaks for whom."""

    profiles: Mapping[str, VoiceProfile]  # speaker -> profile


# --- synthesize ------------------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    """A word or sentence inside a clip, in ms from the clip's start."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Synthesis:
    """What an engine returns: mono 16-bit little-endian PCM and boundaries."""

    pcm: bytes
    sample_rate: int
    boundaries: tuple[Boundary, ...] = ()
    attempts: int = 1

    @property
    def duration_ms(self) -> int:
        return pcm_ms(self.pcm, self.sample_rate)


@dataclass(frozen=True)
class Clip:
    """A synthesized utterance, stored in the cache.

    ``path`` is a WAV file (mono, 16-bit) already trimmed to the speech plus a
    small margin; ``duration_ms`` is measured from its samples.
    """

    utterance_id: str
    path: str
    sample_rate: int
    duration_ms: int
    boundaries: tuple[Boundary, ...]
    engine: str
    voice: str
    cached: bool
    attempts: int = 1
    fallback: bool = False


# --- assemble --------------------------------------------------------------


@dataclass(frozen=True)
class Pauses:
    """Silence inserted between clips, in ms."""

    sentence: int = 250  # between sentences of one turn
    same_speaker: int = 450  # between two turns of the same speaker
    speaker_change: int = 600  # between turns of different speakers
    section: int = 1400  # before a new section
    head: int = 500  # room tone before the first clip
    tail: int = 1000  # after the last clip
    sound: int = 1000  # the silent slot a captioned sound cue such as [laughs] takes

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60_000:
                raise ConfigError(
                    f"pauses.{f.name}",
                    value,
                    "must be a whole number from 0 to 60000 ms",
                    hint=f"e.g. --pause {f.name}=800, or {f.name} = 800 under [pauses] in "
                    "tts-export.toml",
                )


@dataclass(frozen=True)
class Placement:
    """A clip (or a sound cue with no audio) placed on the programme."""

    utterance: Utterance
    clip: Clip | None
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Timeline:
    """Placed clips and the programme length (head and tail room included)."""

    placements: tuple[Placement, ...]
    chapters: tuple[Chapter, ...]
    duration_ms: int
    sample_rate: int


# --- export ----------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One caption: up to two lines shown from ``start_ms`` to ``end_ms``."""

    start_ms: int
    end_ms: int
    speaker: str
    lines: tuple[str, ...]
    label: bool = False  # True when the speaker's name is shown (speaker change)
    kind: Literal["speech", "sound"] = "speech"
    utterance_id: str = ""


@dataclass(frozen=True)
class Outputs:
    """Paths written by a render, keyed by kind ("audio", "srt", "vtt", ...)."""

    files: Mapping[str, str] = field(default_factory=dict)
