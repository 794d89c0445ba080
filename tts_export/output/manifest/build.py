"""Manifest: what a render made, as one JSON document beside the outputs.

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


def build_manifest(
    timeline: Timeline,
    casting: Casting,
    *,
    audio_name: str,
    duration_ms: int,
    engine: str,
    files: Mapping[str, str],
    meta: Mapping[str, Any],
    loudness: Mapping[str, float | None] | None = None,
    transcript: Transcript | None = None,
    repairs: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict (see the README for its fields).

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
    """
    utterances = []
    for p in timeline.placements:
        u, clip = p.utterance, p.clip
        profile = casting.profiles.get(u.speaker)
        utterances.append(
            {
                "id": u.id,
                "kind": u.kind,
                "section": u.section,
                "speaker": u.speaker,
                "line": u.line,
                "turn_index": u.turn_index,
                "section_index": u.section_index,
                "display": u.display,
                "spoken": u.spoken,
                "start_ms": p.start_ms,
                "end_ms": p.end_ms,
                "voice": profile.id if profile and clip else "",
                "engine": clip.engine if clip else "",
                "engine_voice": clip.voice if clip else "",
                "cached": clip.cached if clip else False,
                "attempts": clip.attempts if clip else 0,
                "fallback": clip.fallback if clip else False,
            }
        )
    spoken = [x for x in utterances if x["kind"] == "speech"]
    manifest: dict[str, Any] = {
        "audio": audio_name,
        "duration_ms": duration_ms,
        "engine": engine,
        "title": meta.get("title"),
        "speakers": {
            name: {"voice": profile.id, "engine": engine, "gender": profile.gender}
            for name, profile in casting.profiles.items()
        },
        "utterances": utterances,
        "chapters": [
            {"title": c.title, "start_ms": c.start_ms, "end_ms": c.end_ms}
            for c in timeline.chapters
        ],
        "stats": {
            "utterances": len(spoken),
            "cached": sum(1 for x in spoken if x["cached"]),
            "synthesized": sum(1 for x in spoken if not x["cached"]),
            "fallbacks": sum(1 for x in spoken if x["fallback"]),
        },
        "loudness": dict(loudness or {}),
        "files": dict(files),
        "meta": dict(meta),
    }
    if transcript is not None:
        manifest.update(transcript_fields(transcript))
    if repairs:
        manifest["repairs"] = [dict(r) for r in repairs]
    return manifest


def transcript_fields(transcript: Transcript) -> dict[str, Any]:
    """What a page needs from the parsed transcript: language, sections, turns and notes.

    ``turns`` are numbered as utterances' ``turn_index`` counts them (every
    turn of every section, in order); a glossary note is kept without its
    brackets, whether or not it was spoken.
    """
    turns: list[dict[str, Any]] = []
    for section_index, section in enumerate(transcript.sections):
        for turn in section.turns:
            turns.append(
                {
                    "index": len(turns),
                    "section_index": section_index,
                    "speaker": turn.speaker,
                    "line": turn.line,
                    "kind": turn.kind,
                    "glossary": [{"term": g.term, "note": note_text(g)} for g in turn.glossary],
                }
            )
    return {
        "language": transcript.language,
        "sections": [
            {"index": n, "title": section.title, "line": section.line}
            for n, section in enumerate(transcript.sections)
        ],
        "turns": turns,
    }
