"""Cast: speakers and voice-profile sets in, a ``Casting`` out.

Profiles live in TOML files (``voices/*.toml`` in the repository, installed as
``tts_export.voices``; more folders can be given). Casting is deterministic:
explicit choices first (front matter ``voices:``, then ``--voice``), then each
remaining speaker, in order of first appearance, takes the first unused
persona of the transcript's language whose gender fits the one front matter
``speakers:`` sets, else the one the name suggests (``casting_names``:
honorifics, then first names). When they run out, a new persona is derived
from them (see ``_derive``) whose voice differs from every voice in use. The
narrator persona is only for the prose voice, or whoever it is chosen for.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.resources
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

from tts_export import engines
from tts_export.casting_names import gender_hint
from tts_export.errors import VoiceError
from tts_export.models import Casting, Note, Realization, Transcript, VoiceProfile
from tts_export.transcript.front_matter import GENDERS, declared_genders

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_NARRATORS = frozenset({"旁白", "Narrator", "narrator", "NARRATOR"})

_HINT = "see voices/zh.toml for the format of a profile"
_REALIZATION_KEYS = ("voice", "speed", "pitch", "gain_db")
# key -> (low, high, whole numbers only, what is expected)
_RANGES: dict[str, tuple[float, float, bool, str]] = {
    "speed": (0.5, 2.0, False, "a number from 0.5 to 2.0 (a rate multiplier)"),
    "pitch": (-100, 100, True, "a whole number of Hz from -100 to 100"),
    "gain_db": (-24.0, 24.0, False, "a number of dB from -24 to 24"),
}


def _read_file(path: str, read: Callable[[], bytes]) -> list[VoiceProfile]:
    """The profiles of one file; every fault is a ``VoiceError`` naming the file."""
    try:
        data = read()
    except IsADirectoryError:
        raise VoiceError(
            "", "is a directory, not a voice-profile file", path=path, hint="rename or move it"
        ) from None
    except OSError as exc:
        raise VoiceError(
            "",
            f"cannot read: {exc.strerror or exc}",
            path=path,
            hint="check the voice-profile file's permissions, or take it out of --voices-dir",
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise VoiceError(
            "",
            f"not UTF-8: byte 0x{data[exc.start]:02x} on line {line}",
            path=path,
            hint="save the file as UTF-8",
        ) from None
    return _read_toml(path, text)


def _read_toml(path: str, text: str) -> list[VoiceProfile]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(
            "", f"not valid TOML: {exc}", path=path, hint="fix the file's syntax"
        ) from None
    entries = data.get("profile", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise VoiceError("", "expected [[profile]] tables", path=path, key="profile", hint=_HINT)
    return [_profile(path, entry) for entry in entries]


def _bad(path: str, pid: str, key: str, value: object, expected: str) -> VoiceError:
    return VoiceError(pid, f"{value!r} given; expected {expected}", path=path, key=key, hint=_HINT)


def _profile(path: str, entry: dict[str, Any]) -> VoiceProfile:
    pid = entry.get("id")
    if not isinstance(pid, str) or not _ID.match(pid):
        raise _bad(path, "", "id", pid, "letters, digits, '-', '_' or '.' (at most 64)")
    gender = entry.get("gender", "neutral")
    if gender not in GENDERS:
        raise _bad(path, pid, "gender", gender, f"one of {', '.join(GENDERS)}")
    language = entry.get("language")
    if not isinstance(language, str) or not language.strip():
        raise _bad(path, pid, "language", language, "a language code such as 'zh' or 'en'")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise _bad(path, pid, "description", description, "a string")
    narrator = entry.get("narrator", False)
    if not isinstance(narrator, bool):
        raise _bad(path, pid, "narrator", narrator, "true or false")
    known = {"id", "gender", "language", "description", "narrator"}
    realizations = tuple(
        _realization(path, pid, engine, value)
        for engine, value in entry.items()
        if engine not in known
    )
    if not realizations:
        raise VoiceError(
            pid,
            "has no engine realization",
            path=path,
            hint="add e.g. kokoro = { voice = 'jf_nezumi' }",
        )
    return VoiceProfile(
        id=pid,
        gender=cast(Literal["female", "male", "neutral"], gender),
        language=language,
        description=description,
        realizations=realizations,
        narrator=narrator,
    )


def _realization(path: str, pid: str, engine: str, value: object) -> Realization:
    if not isinstance(value, dict):
        expected = "an engine table such as { voice = '...' } (or a misspelt key?)"
        raise _bad(path, pid, engine, value, expected)
    for key in value:
        if key not in _REALIZATION_KEYS:
            raise VoiceError(
                pid,
                f"unknown key; expected {', '.join(_REALIZATION_KEYS)}",
                path=path,
                key=f"{engine}.{key}",
                hint=_HINT,
            )
    voice = value.get("voice")
    if not isinstance(voice, str) or not voice.strip():
        raise _bad(path, pid, f"{engine}.voice", voice, "a voice name (a string)")
    numbers = {key: _number(path, pid, engine, key, value) for key in _RANGES if key in value}
    return Realization(
        engine=engine,
        voice=voice,
        speed=float(numbers.get("speed", 1.0)),
        pitch=int(numbers.get("pitch", 0)),
        gain_db=float(numbers.get("gain_db", 0.0)),
    )


def _number(path: str, pid: str, engine: str, key: str, table: dict[str, Any]) -> float:
    low, high, whole, expected = _RANGES[key]
    value = table[key]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
        or (whole and not float(value).is_integer())
    ):
        raise _bad(path, pid, f"{engine}.{key}", value, expected)
    return float(value)


def load_profiles(extra_dirs: Iterable[Path] = ()) -> dict[str, VoiceProfile]:
    """All profiles: the bundled sets, then ``*.toml`` in ``extra_dirs`` (later ids win).

    Raises:
        VoiceError: a file is unreadable, not UTF-8, not TOML, or holds a value
            of the wrong type or out of range (the error names the file, the
            profile and the key); a folder does not exist.
    """
    profiles: dict[str, VoiceProfile] = {}
    bundled = importlib.resources.files("tts_export.voices")
    for item in sorted(bundled.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            for profile in _read_file(item.name, item.read_bytes):
                profiles[profile.id] = profile
    for folder in extra_dirs:
        if not folder.is_dir():
            what = "is a file, not a folder" if folder.exists() else "voice folder not found"
            raise VoiceError("", what, path=str(folder), hint="give a folder of *.toml files")
        for path in sorted(folder.glob("*.toml")):
            for profile in _read_file(str(path), path.read_bytes):
                profiles[profile.id] = profile
    return profiles


def with_casting_notes(transcript: Transcript, voice_dirs: Iterable[Path] = ()) -> Transcript:
    """``transcript`` with a warning for each casting request of its front matter that
    will not be honoured: a ``speakers:`` entry with an unknown key, a bad gender or
    no such speaker; a ``voices:`` entry for a speaker the transcript lacks (its
    persona named too when no such persona is bundled or in ``voice_dirs``). The
    warnings are on line 1, the front matter's, and name the key.

    Raises:
        VoiceError: a profile folder or file is bad (read only for such a ``voices:`` entry).
    """
    speakers = transcript.speakers
    declared, faults = declared_genders(transcript.meta)
    messages = list(faults)
    messages += [
        f"front matter {entry.key}: no speaker {entry.names[0]!r} in this transcript, so "
        f"gender {entry.gender} is not used{_speakers_hint(entry.names[0], speakers)}"
        for entry in declared
        if not any(name in speakers for name in entry.names)
    ]
    chosen = transcript.meta.get("voices")
    chosen = chosen if isinstance(chosen, Mapping) else {}
    # (an unknown persona for a speaker who is here is an error when cast)
    absent = {s: p for s, p in chosen.items() if s not in speakers}
    profiles = load_profiles(voice_dirs) if absent else {}
    for speaker, pid in absent.items():
        unknown = "" if pid in profiles else f", and {pid!r} is no persona (`tts-export voices`)"
        messages.append(
            f"front matter voices.{speaker}: no speaker {speaker!r} in this transcript, so "
            f"{pid!r} is not used{unknown}{_speakers_hint(speaker, speakers)}"
        )
    if not messages:
        return transcript
    notes = sorted((*transcript.notes, *(Note(1, m) for m in messages)), key=lambda n: n.line)
    return dataclasses.replace(transcript, notes=tuple(notes))


def _speakers_hint(name: str, speakers: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, speakers, n=3, cutoff=0.5)
    guess = f"did you mean {', '.join(close)}? " if close else ""
    return f" ({guess}the speakers are {', '.join(speakers) or '(none)'})"


def cast_voices(
    speakers: Sequence[str],
    *,
    language: str,
    engine: str,
    profiles: Mapping[str, VoiceProfile],
    chosen: Mapping[str, str] | None = None,
    genders: Mapping[str, str] | None = None,
) -> Casting:
    """Give every speaker a persona that ``engine`` can realize.

    Args:
        speakers: in order of first appearance.
        language: the transcript's language ("zh", "en", ...).
        engine: the engine that will render; personas without a realization
            for it are not chosen automatically.
        profiles: what ``load_profiles`` returned.
        chosen: explicit speaker → profile id choices.
        genders: speaker → the gender front matter sets (``front_matter.speaker_genders``); it
            comes before what the name suggests, and "neutral" stops the guess.

    Raises:
        VoiceError: a chosen profile is unknown or lacks the engine, or there
            are not enough personas left, derived ones included, to give every
            speaker its own.
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
            raise VoiceError(
                pid,
                f"has no realization for engine {engine!r}",
                speaker=speaker,
                hint=(
                    "cast the speaker with --voice SPEAKER=PROFILE to a persona that has this "
                    "engine (`tts-export voices`), or add a [profile.ENGINE] table"
                ),
            )
        result[speaker] = profile
    used = {p.id for p in result.values()}
    derived: list[VoiceProfile] = []
    pool = [
        p for p in profiles.values() if p.language == language and p.realization(engine) is not None
    ]
    if not pool:
        pool = [p for p in profiles.values() if p.realization(engine) is not None]
    for speaker in speakers:
        if speaker in result:
            continue
        # a speaker whose name suggests a gender gets a derived voice of that gender
        # before a free persona of the other one
        hint = _hint(speaker, genders or {})
        profile = _pick(speaker, hint, pool, used, strict=True)
        if profile is None and (made := _derive(speaker, hint, pool, result, engine, derived)):
            profile = made
            derived.append(made)
        profile = profile or _pick(speaker, hint, pool, used, strict=False)
        if profile is None:
            raise VoiceError(
                f"{language}/{engine}",
                f"no unused persona left ({len(pool)} personas and {len(derived)} derived "
                f"ones for {len(speakers)} speakers)",
                speaker=speaker,
                hint="add personas to a voices/*.toml file, or give two speakers one "
                "profile with --voice NAME=PROFILE",
            )
        result[speaker] = profile
        used.add(profile.id)
    return Casting(profiles=result)


def _hint(speaker: str, genders: Mapping[str, str]) -> str | None:
    """The gender to cast ``speaker`` as: front matter's, else the name's, else None."""
    if speaker in genders:
        return None if genders[speaker] == "neutral" else genders[speaker]
    return gender_hint(speaker)


def _pick(
    speaker: str,
    hint: str | None,
    pool: Sequence[VoiceProfile],
    used: set[str],
    *,
    strict: bool,
) -> VoiceProfile | None:
    free = [p for p in pool if p.id not in used]
    if speaker in _NARRATORS:
        narrators = [p for p in free if p.narrator]
        if narrators:
            return narrators[0]
    # the narrator persona reads prose; a speaker gets it only when it is chosen for them
    speaking = [p for p in free if not p.narrator]
    if hint:
        matching = [p for p in speaking if p.gender == hint]
        if matching:
            return matching[0]
        if strict and any(p.gender == hint for p in pool):
            return None
    return speaking[0] if speaking else None


# --- derived personas ----------------------------------------------------------------
# Each engine says how it derives voices (``engines.variants``: Kokoro blends two
# styles; espeak takes another variant, then a pitch shift; Edge another voice of the
# same locale, then a pitch shift), always in the same order, so that the same
# transcript is cast the same way every time.


def _derive(
    speaker: str,
    hint: str | None,
    pool: Sequence[VoiceProfile],
    cast_so_far: Mapping[str, VoiceProfile],
    engine: str,
    derived: Sequence[VoiceProfile],
) -> VoiceProfile | None:
    """A new persona for ``speaker``, sounding unlike every voice in use, or None."""
    speaking = [p for p in pool if not p.narrator] or list(pool)
    if hint not in {p.gender for p in speaking}:
        hint = speaking[len(derived) % len(speaking)].gender  # alternate, as the lists do
    bases = [p for p in speaking if p.gender == hint]
    others = [p for p in speaking if p.gender != hint]
    heard = {engines.heard(r) for p in (*pool, *cast_so_far.values()) for r in p.realizations}
    realizations: list[Realization] = []
    for name in dict.fromkeys(r.engine for p in bases for r in p.realizations):
        own = [r for p in bases if (r := p.realization(name)) is not None]
        unlike = [r for p in others if (r := p.realization(name)) is not None]
        derived_here = engines.variants(name, own, unlike, bases[0].gender)
        fresh = (r for r in derived_here if engines.heard(r) not in heard)
        found = next(fresh, None)
        if found is None and name == engine:
            return None
        if found is not None:
            realizations.append(found)
    language = bases[0].language
    taken = {p.id for p in (*pool, *cast_so_far.values())}
    number = len(derived) + 1
    while f"{language}-{hint[0]}-derived-{number}" in taken:
        number += 1
    return VoiceProfile(
        id=f"{language}-{hint[0]}-derived-{number}",
        gender=bases[0].gender,
        language=language,
        description=f"Derived from {', '.join(p.id for p in bases)} for {speaker!r}: "
        f"more speakers than {language} {hint} personas.",
        realizations=tuple(realizations),
    )
