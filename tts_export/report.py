"""The ``inspect`` report: ``Script`` (+ casting and estimates) → a JSON-ready dict or text.

Nothing is synthesized; the report says what a render would do. The JSON
shape is part of the CLI contract (``tts-export inspect --json``)::

    {"dialect": str, "language": str, "title": str | None,
     "speakers": [{"name": str, "turns": int, "chars": int, "voice": str}],
     "sections": [{"title": str, "turns": int}], "turns": int,
     "utterances": [{"section": str | None, "speaker": str, "display": str,
                     "spoken": str, "line": int}],
     "warnings": [{"line": int, "message": str}],
     "estimated_ms": {"<engine>": int}}

Counts are of speech turns (sound cues such as ``(laughs)`` are listed as
utterances with empty ``spoken`` but are not turns); ``chars`` counts the
non-space characters a speaker's utterances will read aloud; an untitled
section (text before the first heading) has title ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tts_export.models import Script


def build_report(
    script: Script, *, voices: Mapping[str, str], estimated_ms: Mapping[str, int]
) -> dict[str, Any]:
    """The inspect report as one JSON-ready object.

    Args:
        script: the segmented transcript.
        voices: speaker → voice profile id (speakers missing here get "").
        estimated_ms: engine name → estimated programme length in ms.

    Returns:
        A dict of exactly the documented shape.
    """
    transcript = script.transcript
    speakers: dict[str, dict[str, Any]] = {
        name: {"name": name, "turns": 0, "chars": 0, "voice": str(voices.get(name, ""))}
        for name in transcript.speakers
    }
    sections = []
    total = 0
    for section in transcript.sections:
        count = 0
        for turn in section.turns:
            if turn.kind == "speech":
                speakers[turn.speaker]["turns"] += 1
                count += 1
        sections.append({"title": section.title or "", "turns": count})
        total += count
    for utterance in script.utterances:
        if utterance.kind == "speech" and utterance.speaker in speakers:
            speakers[utterance.speaker]["chars"] += sum(
                1 for ch in utterance.spoken if not ch.isspace()
            )
    return {
        "dialect": transcript.dialect,
        "language": transcript.language,
        "title": transcript.title,
        "speakers": list(speakers.values()),
        "sections": sections,
        "turns": total,
        "utterances": [
            {
                "section": u.section,
                "speaker": u.speaker,
                "display": u.display,
                "spoken": u.spoken,
                "line": u.line,
            }
            for u in script.utterances
        ],
        "warnings": [{"line": n.line, "message": n.message} for n in transcript.notes],
        "estimated_ms": {str(k): int(v) for k, v in estimated_ms.items()},
    }


def _clock(ms: int) -> str:
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def format_report(report: Mapping[str, Any]) -> str:
    """A plain-text summary of an inspect report (for people; ``--json`` is for programs).

    Args:
        report: what ``build_report`` returned.

    Returns:
        Several lines of text, no trailing newline.
    """
    utterances = report.get("utterances", [])
    spoken = sum(1 for u in utterances if u.get("spoken"))
    lines = [
        f"title:     {report.get('title') or '(none)'}",
        f"dialect:   {report.get('dialect')}",
        f"language:  {report.get('language')}",
        f"turns:     {report.get('turns')} ({spoken} utterances to speak, "
        f"{len(utterances) - spoken} sound cues)",
        "",
        "speakers:",
    ]
    speakers = report.get("speakers", [])
    width = max((len(s["name"]) for s in speakers), default=4)
    for speaker in speakers:
        lines.append(
            f"  {speaker['name']:<{width}}  {speaker['turns']:>4} turns  "
            f"{speaker['chars']:>7} chars  voice {speaker['voice'] or '(none)'}"
        )
    lines += ["", "sections:"]
    for number, section in enumerate(report.get("sections", []), 1):
        lines.append(
            f"  {number:>2}. {section['title'] or '(untitled)'}  ({section['turns']} turns)"
        )
    estimates = report.get("estimated_ms", {})
    if estimates:
        lines += ["", "estimated duration:"]
        lines += [f"  {engine:<10} {_clock(ms)}" for engine, ms in estimates.items()]
    warnings = report.get("warnings", [])
    lines += ["", f"warnings: {len(warnings) or 'none'}"]
    lines += [f"  line {w['line']}: {w['message']}" for w in warnings]
    return "\n".join(lines)
