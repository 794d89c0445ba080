"""Cast: speakers and voice-profile sets in, a ``Casting`` out.

Profiles live in TOML files (``voices/*.toml`` in the repository, installed as
``tts_export.voices``; more folders can be given). Casting is deterministic:
explicit choices first (front matter ``voices:``, then ``--voice``), then each
remaining speaker, in order of first appearance, takes the first unused
persona of the transcript's language whose gender fits what the speaker's
name suggests.
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

from tts_export.errors import VoiceError
from tts_export.models import Casting, Realization, VoiceProfile

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_GENDERS = ("female", "male", "neutral")
_NARRATORS = frozenset({"旁白", "Narrator", "narrator", "NARRATOR"})

# Name parts that suggest a gender, so that 闲哥 or "Mrs Smith" is not given a
# voice of the other sex. Only a hint: a speaker without one takes any voice.
_MALE_HINTS = re.compile(r"(哥|先生|爷|叔|兄|弟|伯|男|爸|公子|^Mr\.?\s|\bhe\b|^Sir\s)")
_FEMALE_HINTS = re.compile(r"(姐|女士|妹|姨|娘|婆|妈|嫂|小姐|^Mrs\.?\s|^Ms\.?\s|^Miss\s|\bshe\b)")


def _read_toml(source: str, text: str) -> list[VoiceProfile]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(source, f"not valid TOML: {exc}", hint="fix the file's syntax") from None
    entries = data.get("profile", [])
    if not isinstance(entries, list):
        raise VoiceError(source, "expected [[profile]] tables")
    return [_profile(source, entry) for entry in entries]


def _profile(source: str, entry: Any) -> VoiceProfile:
    if not isinstance(entry, dict):
        raise VoiceError(source, "each [[profile]] must be a table")
    pid = entry.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise VoiceError(source, f"profile id {pid!r} must be letters, digits, '-', '_' or '.'")
    gender = entry.get("gender", "neutral")
    if gender not in _GENDERS:
        raise VoiceError(pid, f"gender {gender!r} must be one of {', '.join(_GENDERS)}")
    language = entry.get("language")
    if not isinstance(language, str) or not language:
        raise VoiceError(pid, "needs a language (e.g. 'zh' or 'en')")
    known = {"id", "gender", "language", "description", "narrator"}
    realizations = tuple(
        _realization(pid, engine, value) for engine, value in entry.items() if engine not in known
    )
    if not realizations:
        raise VoiceError(
            pid, "has no engine realization", hint="add e.g. kokoro = { voice = 'jf_nezumi' }"
        )
    return VoiceProfile(
        id=pid,
        gender=cast(Literal["female", "male", "neutral"], gender),
        language=language,
        description=str(entry.get("description", "")),
        realizations=realizations,
        narrator=bool(entry.get("narrator", False)),
    )


def _realization(pid: str, engine: str, value: Any) -> Realization:
    if not isinstance(value, dict) or not isinstance(value.get("voice"), str):
        raise VoiceError(pid, f"{engine} must be a table with a voice, e.g. {{ voice = '...' }}")
    unknown = set(value) - {"voice", "speed", "pitch", "gain_db"}
    if unknown:
        raise VoiceError(pid, f"{engine}: unknown keys {sorted(unknown)}")
    speed = float(value.get("speed", 1.0))
    pitch = value.get("pitch", 0)
    gain = float(value.get("gain_db", 0.0))
    if not 0.5 <= speed <= 2.0:
        raise VoiceError(pid, f"{engine}: speed {speed} must be from 0.5 to 2.0")
    if not isinstance(pitch, int) or not -100 <= pitch <= 100:
        raise VoiceError(
            pid, f"{engine}: pitch {pitch!r} must be a whole number of Hz from -100 to 100"
        )
    if not -20.0 <= gain <= 20.0:
        raise VoiceError(pid, f"{engine}: gain_db {gain} must be from -20 to 20")
    return Realization(engine=engine, voice=value["voice"], speed=speed, pitch=pitch, gain_db=gain)


def load_profiles(extra_dirs: Iterable[Path] = ()) -> dict[str, VoiceProfile]:
    """All profiles: the bundled sets, then ``*.toml`` in ``extra_dirs`` (later ids win).

    Raises:
        VoiceError: a file is malformed or a folder does not exist.
    """
    profiles: dict[str, VoiceProfile] = {}
    bundled = importlib.resources.files("tts_export.voices")
    for item in sorted(bundled.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            for profile in _read_toml(item.name, item.read_text(encoding="utf-8")):
                profiles[profile.id] = profile
    for folder in extra_dirs:
        if not folder.is_dir():
            raise VoiceError(str(folder), "voice folder not found")
        for path in sorted(folder.glob("*.toml")):
            for profile in _read_toml(str(path), path.read_text(encoding="utf-8")):
                profiles[profile.id] = profile
    return profiles


def gender_hint(name: str) -> str | None:
    """ "male", "female" or None, from honorifics in a speaker's name."""
    if _FEMALE_HINTS.search(name):
        return "female"
    if _MALE_HINTS.search(name):
        return "male"
    return None


def cast_voices(
    speakers: Sequence[str],
    *,
    language: str,
    engine: str,
    profiles: Mapping[str, VoiceProfile],
    chosen: Mapping[str, str] | None = None,
) -> Casting:
    """Give every speaker a persona that ``engine`` can realize.

    Args:
        speakers: in order of first appearance.
        language: the transcript's language ("zh", "en", ...).
        engine: the engine that will render; personas without a realization
            for it are not chosen automatically.
        profiles: what ``load_profiles`` returned.
        chosen: explicit speaker → profile id choices.

    Raises:
        VoiceError: a chosen profile is unknown or lacks the engine, or there
            are not enough personas left to give every speaker its own.
    """
    chosen = dict(chosen or {})
    result: dict[str, VoiceProfile] = {}
    for speaker, pid in chosen.items():
        if speaker not in speakers:
            continue  # a cast list may name speakers this transcript lacks
        profile = profiles.get(pid)
        if profile is None:
            raise VoiceError(
                pid,
                "no such profile",
                speaker=speaker,
                hint="`tts-export voices` lists the profiles",
            )
        if profile.realization(engine) is None:
            raise VoiceError(pid, f"has no realization for engine {engine!r}", speaker=speaker)
        result[speaker] = profile
    used = {p.id for p in result.values()}
    pool = [
        p for p in profiles.values() if p.language == language and p.realization(engine) is not None
    ]
    if not pool:
        pool = [p for p in profiles.values() if p.realization(engine) is not None]
    for speaker in speakers:
        if speaker in result:
            continue
        profile = _pick(speaker, pool, used)
        if profile is None:
            raise VoiceError(
                f"{language}/{engine}",
                f"no unused persona left ({len(pool)} personas for {len(speakers)} speakers)",
                speaker=speaker,
                hint="add personas to a voices/*.toml file, or give two speakers one "
                "profile with --voice NAME=PROFILE",
            )
        result[speaker] = profile
        used.add(profile.id)
    return Casting(profiles=result)


def _pick(speaker: str, pool: Sequence[VoiceProfile], used: set[str]) -> VoiceProfile | None:
    free = [p for p in pool if p.id not in used]
    if speaker in _NARRATORS:
        narrators = [p for p in free if p.narrator]
        if narrators:
            return narrators[0]
    speaking = [p for p in free if not p.narrator] or free
    hint = gender_hint(speaker)
    if hint:
        matching = [p for p in speaking if p.gender == hint]
        if matching:
            return matching[0]
    return speaking[0] if speaking else None
