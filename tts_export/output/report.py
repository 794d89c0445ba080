"""The ``inspect`` report: ``Script`` (+ casting and estimates) → a ``Report``, or text.

Nothing is synthesized; the report says what a render would do. The JSON
shape is part of the CLI contract (``tts-export inspect --json``)::

    {"dialect": str, "language": str, "title": str | None,
     "speakers": [{"name": str, "turns": int, "chars": int, "voice": str}],
     "sections": [{"title": str, "turns": int}], "turns": int,
     "utterances": [{"section": str | None, "speaker": str, "display": str,
                     "spoken": str, "line": int}],
     "warnings": [{"line": int, "message": str}],
     "estimated_ms": {"<engine>": int},
     "lexicon": {"fired": [{"term", "spoken", "source", "matched", "utterances"}],
                 "uncovered": [{"term", "utterances"}]}}

Counts are of speech turns (sound cues such as ``(laughs)`` are listed as
utterances with empty ``spoken`` but are not turns); ``chars`` counts the
non-space characters a speaker's utterances will read aloud; an untitled
section (text before the first heading) has title ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tts_export.common.units import clock
from tts_export.models import Script
from tts_export.output.results import PlannedUtterance, Report, SectionSummary, SpeakerSummary


def build_report(
    script: Script,
    *,
    voices: Mapping[str, str],
    estimated_ms: Mapping[str, int],
    lexicon: Mapping[str, Any] | None = None,
) -> Report:
    """The inspect report.

    Args:
        script: the segmented transcript.
        voices: speaker → voice profile id (speakers missing here get "").
        estimated_ms: engine name → estimated programme length in ms.
        lexicon: which lexicon entries fire where, and uncovered Latin terms (JSON).

    Returns:
        The report; ``Report.to_json()`` has exactly the documented shape.
    """
    transcript = script.transcript
    turns = dict.fromkeys(transcript.speakers, 0)
    chars = dict.fromkeys(transcript.speakers, 0)
    sections = []
    for section in transcript.sections:
        count = 0
        for turn in section.turns:
            if turn.kind == "speech":
                turns[turn.speaker] += 1
                count += 1
        sections.append(SectionSummary(section.title or "", count))
    for utterance in script.utterances:
        if utterance.kind == "speech" and utterance.speaker in chars:
            chars[utterance.speaker] += sum(1 for ch in utterance.spoken if not ch.isspace())
    return Report(
        dialect=transcript.dialect,
        language=transcript.language,
        title=transcript.title,
        speakers=tuple(
            SpeakerSummary(name, turns[name], chars[name], str(voices.get(name, "")))
            for name in transcript.speakers
        ),
        sections=tuple(sections),
        turns=sum(s.turns for s in sections),
        utterances=tuple(
            PlannedUtterance(u.section, u.speaker, u.display, u.spoken, u.line)
            for u in script.utterances
        ),
        warnings=transcript.notes,
        estimated_ms={str(k): int(v) for k, v in estimated_ms.items()},
        lexicon=dict(lexicon or {"fired": [], "uncovered": []}),
    )


def format_report(report: Report) -> str:
    """A plain-text summary of an inspect report (for people; ``--json`` is for programs).

    Returns:
        Several lines of text, no trailing newline.
    """
    spoken = sum(1 for u in report.utterances if u.spoken)
    lines = [
        f"title:     {report.title or '(none)'}",
        f"dialect:   {report.dialect}",
        f"language:  {report.language}",
        f"turns:     {report.turns} ({spoken} utterances to speak, "
        f"{len(report.utterances) - spoken} sound cues)",
        "",
        "speakers:",
    ]
    width = max((len(s.name) for s in report.speakers), default=4)
    for speaker in report.speakers:
        lines.append(
            f"  {speaker.name:<{width}}  {speaker.turns:>4} turns  "
            f"{speaker.chars:>7} chars  voice {speaker.voice or '(none)'}"
        )
    lines += ["", "sections:"]
    for number, section in enumerate(report.sections, 1):
        lines.append(f"  {number:>2}. {section.title or '(untitled)'}  ({section.turns} turns)")
    if report.estimated_ms:
        lines += ["", "estimated duration:"]
        lines += [f"  {engine:<10} {clock(ms)}" for engine, ms in report.estimated_ms.items()]
    fired = report.lexicon.get("fired", [])
    uncovered = report.lexicon.get("uncovered", [])
    if fired or uncovered:
        lines += ["", f"lexicon: {len(fired)} entries fire"]
        lines += [f"  {f.get('term')} → {f.get('spoken')}" for f in fired]
        if uncovered:
            terms = ", ".join(str(u.get("term")) for u in uncovered)
            lines.append(f"  not covered (Latin terms in Chinese text): {terms}")
    lines += ["", f"warnings: {len(report.warnings) or 'none'}"]
    lines += [f"  line {w.line}: {w.message}" for w in report.warnings]
    return "\n".join(lines)
