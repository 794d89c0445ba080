"""Who speaks on each caption line: a cue in; its speaker label and per-line speakers out.

A cue normally holds one speaker. ``JoinedCue`` is what the merging of cues
too short to read makes (see ``merge``): two cues of one speaker set as one,
or a two-speaker cue with one line per speaker, each led by a hyphen
(Netflix, BBC). The writers and the tests read a cue's lines through
``speaker_lines`` so that both kinds are shown the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from tts_export.common.lang import is_chinese
from tts_export.models import Cue

DIALOGUE_DASH = "-"
"""Leads each speaker's line in a two-speaker cue (``-Are you coming?`` / ``-In a minute.``)."""


@dataclass(frozen=True)
class JoinedCue(Cue):
    """A cue made by joining neighbouring cues that were too short to read alone.

    ``speaker``, ``label`` and ``utterance_id`` are those of the first cue
    joined, so code that knows only ``Cue`` still reads it correctly.

    Attributes:
        voices: the speaker of each line (same length as ``lines``).
        labels: per line, whether that line starts a new speaker's part whose
            name is shown; the first line follows ``label``.
        utterance_ids: the utterances whose text the cue holds, in order.
    """

    voices: tuple[str, ...] = ()
    labels: tuple[bool, ...] = ()
    utterance_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpeakerLine:
    """One caption line and who says it.

    Attributes:
        speaker: who says the line.
        text: the line as built, without label or dash.
        label: the line starts a new speaker's part (show the name where labels are shown).
        dash: the line is one speaker's part of a two-speaker cue (lead it with a hyphen).
    """

    speaker: str
    text: str
    label: bool
    dash: bool


def speaker_label(speaker: str, language: str) -> str:
    """The label shown before a cue's first line when the speaker changes.

    Chinese: ``主持人：`` (full-width colon); other languages: ``HOST: `` (capitals,
    BBC style). Subtitle writers must use this so widths agree with the cue builder.
    """
    if is_chinese(language):
        return f"{speaker}："
    return f"{speaker.upper()}: "


def is_dialogue(cue: Cue) -> bool:
    """True for a cue in which more than one speaker talks (hyphen per speaker line)."""
    return isinstance(cue, JoinedCue) and len(set(cue.voices)) > 1


def speaker_lines(cue: Cue, *, first_label: bool | None = None) -> list[SpeakerLine]:
    """The cue's lines with their speakers, labels and dashes.

    Args:
        cue: a plain or joined cue.
        first_label: whether the first line carries a label; None uses ``cue.label``
            (writers pass their own decision, which also moves a label off a sound cue).

    Returns:
        One ``SpeakerLine`` per line of ``cue.lines``, empty lines included.
    """
    first = cue.label if first_label is None else first_label
    if not isinstance(cue, JoinedCue) or len(cue.voices) != len(cue.lines):
        return [
            SpeakerLine(cue.speaker, line, first and k == 0, False)
            for k, line in enumerate(cue.lines)
        ]
    dialogue = is_dialogue(cue)
    out: list[SpeakerLine] = []
    for k, (line, voice) in enumerate(zip(cue.lines, cue.voices, strict=True)):
        changes = k == 0 or voice != cue.voices[k - 1]
        label = first if k == 0 else changes and k < len(cue.labels) and cue.labels[k]
        out.append(SpeakerLine(voice, line, label, dialogue and changes))
    return out


def shown_line(line: SpeakerLine, language: str, *, label: bool = True) -> str:
    """The visible text of a line: dash, then the label where shown, then the text.

    Args:
        line: the line and its speaker.
        language: "zh" or another language (label style).
        label: False leaves speaker names out (VTT with voice spans only).
    """
    speaker = " ".join(line.speaker.split())
    name = speaker_label(speaker, language) if label and line.label and speaker else ""
    return (DIALOGUE_DASH if line.dash else "") + name + line.text
