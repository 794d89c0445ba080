"""Cast: speakers and voice-profile sets in, a ``Casting`` out.

Profiles live in TOML files (``voices/*.toml`` in the repository, installed as
``tts_export.voices``; more folders can be given). Casting is deterministic:
explicit choices first (front matter ``voices:``, then ``--voice``), then each
remaining speaker, in order of first appearance, takes the first unused
persona of the transcript's language whose gender fits what the speaker's
name suggests. When they run out, a new persona is derived from them (see
``_derive``) whose voice differs from every voice in use.
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from tts_export import engines
from tts_export.common.lang import is_cjk
from tts_export.errors import VoiceError
from tts_export.models import Casting, Realization, VoiceProfile

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_GENDERS = ("female", "male", "neutral")
_NARRATORS = frozenset({"旁白", "Narrator", "narrator", "NARRATOR"})

# Name parts that suggest a gender, so that 闲哥 or "Mrs Smith" is not given a
# voice of the other sex. Only a hint: a speaker without one takes any voice.
_MALE_HINTS = re.compile(r"(哥|先生|爷|叔|兄|弟|伯|男|爸|公子|^Mr\.?\s|\bhe\b|^Sir\s)")
_FEMALE_HINTS = re.compile(r"(姐|女士|妹|姨|娘|婆|妈|嫂|小姐|^Mrs\.?\s|^Ms\.?\s|^Miss\s|\bshe\b)")
_NAMES_FILE = "casting_names.toml"  # first names that say a gender (see gender_hint)
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
    if gender not in _GENDERS:
        raise _bad(path, pid, "gender", gender, f"one of {', '.join(_GENDERS)}")
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


def gender_hint(name: str) -> str | None:
    """ "male", "female" or None, from a speaker's name: honorifics, then the first name.

    The first name is looked up in the bundled ``casting_names.toml``: the first given
    name of a Latin label ("Dr. Anna Lee": Anna), or the last character of a short
    Chinese name (李娜, 王伟). Names that are not clearly one gender give None.
    """
    if _FEMALE_HINTS.search(name):
        return "female"
    if _MALE_HINTS.search(name):
        return "male"
    names = _names()
    given = _first_given_name(name)
    if given is not None:
        return names.english.get(given.casefold())
    name = name.strip()
    if (
        2 <= len(name) <= 4
        and all(is_cjk(ch) for ch in name)
        and not name.endswith(names.not_chinese)
    ):
        return names.chinese_endings.get(name[-1])
    return None


def _first_given_name(name: str) -> str | None:
    """The first word of a Latin label that is not a title ("Dr."), or None."""
    titles = _names().titles
    for word in name.split():
        word = word.strip(".,;")
        if word.casefold() not in titles:
            return word if word.isascii() and word[:1].isalpha() else None
    return None


@dataclass(frozen=True)
class _Names:
    english: Mapping[str, str]  # casefolded first name -> gender
    chinese_endings: Mapping[str, str]  # last character -> gender
    not_chinese: tuple[str, ...]  # words that end like a name but are not one
    titles: frozenset[str]  # casefolded titles that say nothing of the gender ("dr")


@functools.cache
def _names() -> _Names:
    data = tomllib.loads(
        importlib.resources.files("tts_export").joinpath(_NAMES_FILE).read_text("utf-8")
    )
    english = {n.casefold(): g for g in ("female", "male") for n in data["en"][g]}
    endings = {ch: g for g in ("female", "male") for ch in data["zh"][f"{g}_endings"]}
    titles = frozenset(t.casefold() for t in data["en"]["titles"])
    return _Names(english, endings, tuple(data["zh"]["not_names"]), titles)


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
                    "engine "
                    "(`tts-export voices`), or add a [profile.ENGINE] table"
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
        profile = _pick(speaker, pool, used, strict=True)
        if profile is None and (made := _derive(speaker, pool, result, engine, derived)):
            profile = made
            derived.append(made)
        profile = profile or _pick(speaker, pool, used, strict=False)
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


def _pick(
    speaker: str, pool: Sequence[VoiceProfile], used: set[str], *, strict: bool
) -> VoiceProfile | None:
    free = [p for p in pool if p.id not in used]
    if speaker in _NARRATORS:
        narrators = [p for p in free if p.narrator]
        if narrators:
            return narrators[0]
    # the narrator persona reads prose; a speaker gets it only when it is chosen for them
    speaking = [p for p in free if not p.narrator]
    hint = gender_hint(speaker)
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
    pool: Sequence[VoiceProfile],
    cast_so_far: Mapping[str, VoiceProfile],
    engine: str,
    derived: Sequence[VoiceProfile],
) -> VoiceProfile | None:
    """A new persona for ``speaker``, sounding unlike every voice in use, or None."""
    speaking = [p for p in pool if not p.narrator] or list(pool)
    hint = gender_hint(speaker)
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
