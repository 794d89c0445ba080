"""QA repairs: the utterances a ``qa --repair`` re-voiced, kept in ``STEM.repairs.json``.

The file sits beside a render's outputs, and later renders of the same stem
read it, so a repair persists: each entry names an utterance, the text it
was made for (a sentence edited since drops its repair) and the realization
that was understood best (the same persona: its voice, a nearby blend, or a
slower rate). The manifest's ``repairs`` field lists those applied.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from tts_export.common.files import write_json
from tts_export.errors import OutputError
from tts_export.models import Casting, Realization, Script

_HINT = "delete the file to drop the repairs, or run tts-export qa --repair again"


@dataclass(frozen=True)
class Repair:
    """One utterance re-voiced because the recogniser understood it better that way.

    Attributes:
        id: the utterance id.
        speaker: who says it (the persona never changes).
        spoken: the text it was made for.
        engine: the engine it applies to.
        voice: the engine voice or blend used instead of the persona's own.
        speed: the rate used instead.
        change: what changed, in words.
        before: error rate before the repair.
        after: error rate of the repair.
        heard_before: what the recogniser heard before.
        heard_after: what it heard after.
    """

    id: str
    speaker: str
    spoken: str
    engine: str
    voice: str
    speed: float
    change: str
    before: float
    after: float
    heard_before: str = ""
    heard_after: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["before"], data["after"] = round(self.before, 4), round(self.after, 4)
        return data


def repairs_path(out_dir: Path, stem: str) -> Path:
    """Where a render's repairs are kept."""
    return out_dir / f"{stem}.repairs.json"


def read_repairs(path: Path) -> tuple[Repair, ...]:
    """The repairs in ``path``; none when there is no such file.

    Raises:
        OutputError: the file is there but unreadable or malformed.
    """
    if not path.is_file():
        return ()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Repair(**item) for item in data["repairs"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise OutputError(str(path), f"is not a repairs file: {error}", hint=_HINT) from None


def write_repairs(path: Path, repairs: Iterable[Repair]) -> Path:
    """Write (atomically) the repairs file.

    Raises:
        OutputError: it cannot be written.
    """
    return write_json({"repairs": [r.to_json() for r in repairs]}, path)


def applicable(repairs: Iterable[Repair], script: Script, engine: str) -> tuple[Repair, ...]:
    """The repairs that still fit: same utterance, speaker and spoken text, same engine."""
    spoken = {u.id: (u.speaker, u.spoken) for u in script.utterances if u.kind == "speech"}
    return tuple(
        r for r in repairs if r.engine == engine and spoken.get(r.id) == (r.speaker, r.spoken)
    )


def overrides(repairs: Iterable[Repair], casting: Casting) -> dict[str, Realization]:
    """Utterance id → the realization a repair chose (the persona's, with voice and rate)."""
    chosen: dict[str, Realization] = {}
    for r in repairs:
        base = casting.profiles[r.speaker].realization(r.engine)
        if base is not None:
            chosen[r.id] = replace(base, voice=r.voice, speed=r.speed)
    return chosen


def merged(old: Iterable[Repair], new: Mapping[str, Repair]) -> tuple[Repair, ...]:
    """Earlier repairs, with those of the same utterances replaced by ``new``."""
    kept = [r for r in old if r.id not in new]
    return (*kept, *new.values())
