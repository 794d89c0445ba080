"""Transcript lines → the YAML front matter as JSON-friendly meta, and what it declares.

``read_front_matter`` finds and loads the ``---`` block (YAML errors carry the
file's line number); ``given_language`` and ``declared_speakers`` read the
language, the speaker ids and names, and the genders ``speakers:`` sets
(``declared_genders``) from the loaded meta.

YAML aliases are counted from the parser's events before any value is
built: a few hundred bytes of nested aliases ("billion laughs") would
otherwise expand to billions of values. Aliases may expand to at most
``ALIAS_BUDGET`` values in all; a recursive alias is refused.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from tts_export.common.lang import primary_subtag
from tts_export.errors import TranscriptError

ALIAS_BUDGET = 10_000  # values that aliases may add; a real front matter adds a handful


class _AliasBomb(Exception):
    """An alias crossed ``ALIAS_BUDGET`` or refers to the node that holds it."""

    def __init__(self, mark: Any, problem: str) -> None:
        super().__init__(problem)
        self.mark = mark
        self.problem = problem


# The loader python-frontmatter uses: libyaml's when PyYAML was built with it.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPENS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _check_aliases(source: str) -> None:
    """Refuse aliases that expand past ``ALIAS_BUDGET`` values, or that refer to themselves.

    Reads the parser's events with an explicit stack (no recursion, nothing
    built): each anchored node's expanded size is known when it closes, and
    each alias adds its anchor's size.

    Raises:
        _AliasBomb: with the alias's position.
        yaml.YAMLError: the YAML is malformed.
    """
    sizes: dict[str, int | None] = {}  # anchor -> values once expanded; None while open
    stack: list[tuple[str | None, list[int]]] = []
    expanded = 0
    loader = _LOADER(source)
    try:
        while loader.check_event():
            event = loader.get_event()
            size = 0
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in sizes and sizes[event.anchor] is None:
                    raise _AliasBomb(event.start_mark, f"recursive alias *{event.anchor}")
                size = sizes.get(event.anchor) or 0  # an undefined alias: the loader says so
                expanded += size
                if expanded > ALIAS_BUDGET:
                    raise _AliasBomb(
                        event.start_mark,
                        f"alias *{event.anchor} takes the values that aliases expand to past "
                        f"{ALIAS_BUDGET:,} (an alias bomb?)",
                    )
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor:
                    sizes[event.anchor] = 1
            elif isinstance(event, _OPENS):
                if event.anchor:
                    sizes[event.anchor] = None
                stack.append((event.anchor, [1]))
            elif isinstance(event, _CLOSES):
                anchor, (size,) = stack.pop()
                if anchor:
                    sizes[anchor] = size
            if size and stack:
                stack[-1][1][0] += size
    finally:
        loader.dispose()


_FM_OPEN = re.compile(r"^-{3,}\s*$")
_FM_CLOSE = re.compile(r"^(?:-{3,}|\.{3})\s*$")
_LANGUAGE_NAMES = {
    "chinese": "zh",
    "mandarin": "zh",
    "cmn": "zh",
    "中文": "zh",
    "汉语": "zh",
    "普通话": "zh",
    "english": "en",
    "eng": "en",
    "英文": "en",
    "英语": "en",
}


def _jsonable(value: Any, depth: int = 0) -> Any:
    if depth > 64:
        raise ValueError("front matter nests lists or mappings more than 64 levels deep")
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # YAML's .nan / .inf: JSON has no such number, keep the text
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # bytes (!!binary) and anything else YAML may build


def read_front_matter(lines: list[str], path: str) -> tuple[dict[str, Any], int]:
    """Load the front matter at the top of ``lines``, if there is one.

    Args:
        lines: the file's lines (see ``source.split_lines``).
        path: shown in errors.

    Returns:
        (meta, index of the first body line); ``({}, 0)`` without front matter.

    Raises:
        TranscriptError: the block is never closed, is not valid YAML, is not
            a mapping, nests too deep, or holds aliases that expand past
            ``ALIAS_BUDGET`` values or refer to themselves.
    """
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first == len(lines) or not _FM_OPEN.match(lines[first]):
        return {}, 0
    close = next((i for i in range(first + 1, len(lines)) if _FM_CLOSE.match(lines[i])), None)
    if close is None:
        raise TranscriptError(
            path,
            first + 1,
            "front matter opened with '---' is never closed",
            hint="end the front matter with a line '---'",
        )
    source = "\n".join(lines[first + 1 : close])
    try:
        _check_aliases(source)
        data = YAMLHandler().load(source)
    except _AliasBomb as exc:
        raise TranscriptError(
            path,
            first + 2 + exc.mark.line,
            f"YAML front matter refused: {exc.problem}",
            column=exc.mark.column + 1,
            hint="write the values out instead of nesting aliases",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first + 2 + mark.line if mark is not None else first + 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, where = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and where is not None and where.line != getattr(mark, "line", -1):
            problem += f" ({context} on line {first + 2 + where.line})"
        raise TranscriptError(
            path,
            line,
            f"malformed YAML front matter: {problem}",
            column=mark.column + 1 if mark is not None else 0,
            hint="fix the YAML (quote values that contain ': ' or '#')",
        ) from None
    except ValueError as exc:  # e.g. a date that does not exist: 2024-02-30
        raise TranscriptError(
            path,
            first + 1,
            f"malformed YAML front matter: {exc}",
            hint="quote the value to keep it as text",
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise TranscriptError(
            path,
            first + 2,
            f"front matter must be a mapping of keys to values, not a {type(data).__name__}",
            hint="write 'key: value' lines between the '---' lines",
        )
    try:
        return _jsonable(data), close + 1
    except ValueError as exc:
        raise TranscriptError(path, first + 1, str(exc), hint="flatten the front matter") from None


def given_language(meta: Mapping[str, Any]) -> str | None:
    """The language front matter gives (``language`` or ``lang``) as a primary subtag.

    ``zh-CN`` and ``Chinese`` both give ``"zh"``; None when no language is given.
    """
    given = meta.get("language") or meta.get("lang")
    if isinstance(given, str) and given.strip():
        code = primary_subtag(given)
        return _LANGUAGE_NAMES.get(code, code)
    return None


def declared_speakers(meta: Mapping[str, object]) -> dict[str, str]:
    """Speaker ids and names declared in front matter, as label → display name.

    Reads ``speakers`` (or ``participants``) given as a mapping
    ``{GN: Gary Null}``, a list of ``{id, name}`` mappings, or a list of names.
    Both the id and the name map to the name. A gender in place of the name
    (``{Anna: female}``) is not a name: see ``declared_genders``.
    """
    pairs: list[tuple[object, object]] = []
    for key in _SPEAKER_LISTS:
        value = meta.get(key)
        if isinstance(value, Mapping):
            pairs += [
                (ident, name.get("name", ident) if isinstance(name, Mapping) else name)
                for ident, name in value.items()
            ]
            pairs = [(i, i if _gender_word(n) else n) for i, n in pairs]
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    pairs.append(
                        (item.get("id") or item.get("name"), item.get("name") or item.get("id"))
                    )
                else:
                    pairs.append((item, item))
    found: dict[str, str] = {}
    for ident, name in pairs:
        if isinstance(ident, str | int) and isinstance(name, str | int) and str(name).strip():
            found[str(ident).strip()] = found[str(name).strip()] = str(name).strip()
    return found


_SPEAKER_LISTS = ("speakers", "participants", "cast")
GENDERS = ("female", "male", "neutral")
_ENTRY_KEYS = ("id", "name", "gender")


def _gender_word(value: object) -> bool:
    return isinstance(value, str) and value.strip().casefold() in GENDERS


@dataclass(frozen=True)
class DeclaredGender:
    """A gender front matter sets for a speaker (``speakers: {Anna: {gender: female}}``).

    Attributes:
        key: where it is written, as a user would look for it ("speakers.Anna").
        names: the id and the name the speaker may appear under in the transcript.
        gender: "female", "male" or "neutral" (no guess from the name).
    """

    key: str
    names: tuple[str, ...]
    gender: str


def declared_genders(
    meta: Mapping[str, object],
) -> tuple[tuple[DeclaredGender, ...], tuple[str, ...]]:
    """The genders that ``speakers:`` (or ``participants:``, ``cast:``) sets, and its faults.

    An entry is ``{Anna: {gender: female}}``, the shorthand ``{Anna: female}``,
    ``{GN: {name: Gary Null, gender: male}}`` or, in a list,
    ``{id: GN, name: Gary Null, gender: male}``.

    Returns:
        (the genders, one message per fault: an unknown key in an entry or a
        gender that is not female, male or neutral; the entry's gender is then
        not used).
    """
    found: list[DeclaredGender] = []
    faults: list[str] = []
    for list_key in _SPEAKER_LISTS:
        value = meta.get(list_key)
        entries: list[tuple[str, object, Mapping[str, object]]] = []
        if isinstance(value, Mapping):
            for ident, entry in value.items():
                if _gender_word(entry):
                    entry = {"gender": entry}
                if isinstance(entry, Mapping):
                    entries.append((f"{list_key}.{ident}", ident, entry))
        elif isinstance(value, list):
            for number, entry in enumerate(value, 1):
                if isinstance(entry, Mapping):
                    ident = entry.get("id") or entry.get("name") or number
                    entries.append((f"{list_key}.{ident}", None, entry))
        for key, ident, entry in entries:
            declared, fault = _declared_gender(key, ident, entry)
            found += [declared] if declared else []
            faults += [fault] if fault else []
    return tuple(found), tuple(faults)


def speaker_genders(meta: Mapping[str, object]) -> dict[str, str]:
    """Speaker (id or name) → the gender ``speakers:`` sets; faults left out (see above)."""
    declared, _ = declared_genders(meta)
    return {name: entry.gender for entry in declared for name in entry.names}


def _declared_gender(
    key: str, ident: object, entry: Mapping[str, object]
) -> tuple[DeclaredGender | None, str | None]:
    allowed = _ENTRY_KEYS if ident is None else _ENTRY_KEYS[1:]
    unknown = [str(k) for k in entry if k not in allowed]
    if unknown:
        return None, (
            f"front matter {key}: unknown key {unknown[0]!r}; a speaker entry takes "
            f"{', '.join(allowed)} (e.g. `{key.split('.')[0]}: {{Anna: {{gender: female}}}}`)"
        )
    if "gender" not in entry:
        return None, None
    gender = entry["gender"]
    if not _gender_word(gender):
        return None, (
            f"front matter {key}.gender: {gender!r} is not one of {', '.join(GENDERS)}; "
            "the speaker is cast as if no gender were given"
        )
    names = tuple(
        dict.fromkeys(
            str(n).strip()
            for n in (ident, entry.get("id"), entry.get("name"))
            if isinstance(n, str | int) and str(n).strip()
        )
    )
    return DeclaredGender(key, names, str(gender).strip().casefold()), None
