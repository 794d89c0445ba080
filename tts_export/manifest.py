"""Manifest: what a render made, as one JSON document beside the outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tts_export.models import Casting, Timeline


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
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict (see the README for its fields)."""
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
    return {
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
    }
