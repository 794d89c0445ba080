"""Building the manifest: a Timeline, its casting and the parsed transcript in; a ``Manifest`` out.

Besides the files and figures of the render, the manifest keeps what a
listening page needs to be built again later without synthesis (``publish``):
each utterance's turn and section, and, when the parsed transcript is given,
its language, sections and turns with their glossary notes. The front matter
is kept as ``meta``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tts_export.captions.transcripts import note_text
from tts_export.models import Casting, Timeline, Transcript
from tts_export.output.manifest.document import Manifest
from tts_export.output.manifest.records import (
    ChapterRecord,
    GlossRecord,
    OutputRecord,
    SectionRecord,
    SpeakerRecord,
    Stats,
    TurnRecord,
    UtteranceRecord,
)
from tts_export.output.results import Loudness


def build_manifest(
    timeline: Timeline,
    casting: Casting,
    *,
    audio_name: str,
    duration_ms: int,
    engine: str,
    files: Mapping[str, str],
    meta: Mapping[str, Any],
    loudness: Loudness,
    transcript: Transcript | None = None,
    repairs: Sequence[Mapping[str, Any]] = (),
    repaired: int | None = None,
    outputs: Mapping[str, OutputRecord] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Manifest:
    """The manifest of a render (see the README for its fields).

    Args:
        timeline: the placed utterances and chapters.
        casting: who speaks with which persona.
        audio_name: the audio file's name.
        duration_ms: the audio's measured length.
        engine: the engine asked for.
        files: output kind -> file name.
        meta: the front matter (JSON-friendly values); kept as ``meta``.
        loudness: the measured loudness figures.
        transcript: the parsed transcript; when given, ``language``, ``sections``
            and ``turns`` (speaker, source line, glossary notes) are added.
        repairs: the QA repairs applied (``qa --repair``); listed as ``repairs`` when any.
        repaired: damaged cache entries found and made again (``stats.repaired``).
        outputs: each output group's record (``staging.record``).
        settings: the settings that shape the files (``Manifest.settings``); absent when None.
    """
    utterances = utterance_records(timeline, casting)
    spoken = [u for u in utterances if u.kind == "speech"]
    language: str | None = None
    sections: tuple[SectionRecord, ...] | None = None
    turns: tuple[TurnRecord, ...] | None = None
    if transcript is not None:
        language, sections, turns = transcript_records(transcript)
    return Manifest(
        audio=audio_name,
        duration_ms=duration_ms,
        engine=engine,
        title=meta.get("title"),
        speakers={
            name: SpeakerRecord(profile.id, engine, profile.gender)
            for name, profile in casting.profiles.items()
        },
        utterances=utterances,
        chapters=tuple(ChapterRecord(c.title, c.start_ms, c.end_ms) for c in timeline.chapters),
        stats=Stats(
            utterances=len(spoken),
            cached=sum(1 for u in spoken if u.cached),
            synthesized=sum(1 for u in spoken if not u.cached),
            fallbacks=sum(1 for u in spoken if u.fallback),
            repaired=repaired,
        ),
        loudness=loudness,
        files=dict(files),
        meta=dict(meta),
        language=language,
        sections=sections,
        turns=turns,
        repairs=tuple(dict(r) for r in repairs),
        outputs=None if outputs is None else dict(outputs),
        settings=None if settings is None else dict(settings),
    )


def utterance_records(timeline: Timeline, casting: Casting) -> tuple[UtteranceRecord, ...]:
    """Each placement as the manifest keeps it; a sound cue (no clip) has no voice or engine."""
    records = []
    for p in timeline.placements:
        u, clip = p.utterance, p.clip
        profile = casting.profiles.get(u.speaker)
        records.append(
            UtteranceRecord(
                id=u.id,
                kind=u.kind,
                section=u.section,
                speaker=u.speaker,
                line=u.line,
                turn_index=u.turn_index,
                section_index=u.section_index,
                display=u.display,
                spoken=u.spoken,
                start_ms=p.start_ms,
                end_ms=p.end_ms,
                voice=profile.id if profile and clip else "",
                engine=clip.engine if clip else "",
                engine_voice=clip.voice if clip else "",
                cached=clip.cached if clip else False,
                attempts=clip.attempts if clip else 0,
                fallback=clip.fallback if clip else False,
            )
        )
    return tuple(records)


def transcript_records(
    transcript: Transcript,
) -> tuple[str, tuple[SectionRecord, ...], tuple[TurnRecord, ...]]:
    """What a page needs from the parsed transcript: its language, sections and turns.

    ``turns`` are numbered as utterances' ``turn_index`` counts them (every
    turn of every section, in order); a glossary note is kept without its
    brackets, whether or not it was spoken.
    """
    turns: list[TurnRecord] = []
    for section_index, section in enumerate(transcript.sections):
        for turn in section.turns:
            glossary = tuple(GlossRecord(g.term, note_text(g)) for g in turn.glossary)
            turns.append(
                TurnRecord(len(turns), section_index, turn.speaker, turn.line, turn.kind, glossary)
            )
    sections = tuple(SectionRecord(n, s.title, s.line) for n, s in enumerate(transcript.sections))
    return transcript.language, sections, tuple(turns)


def transcript_fields(transcript: Transcript) -> dict[str, Any]:
    """``transcript_records`` as the manifest's JSON: ``language``, ``sections``, ``turns``."""
    language, sections, turns = transcript_records(transcript)
    return {
        "language": language,
        "sections": [s.to_json() for s in sections],
        "turns": [t.to_json() for t in turns],
    }
