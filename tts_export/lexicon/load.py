"""Lexicon sources: a TOML file, the bundled default or front matter in, a ``Lexicon`` out.

File format (UTF-8 TOML)::

    [terms]                      # shorthand: any language, any engine, case-sensitive
    "Sora" = "索拉"

    [[entry]]
    term = "OpenAI"              # or: pattern = 'GPT-(\\d+)(o?)'
    spoken = "Open A I"          # with a pattern: a template, \\1 is the first group
    language = "zh"              # optional: only in Chinese sentences
    engine = "kokoro"            # optional: only for this engine
    case = "insensitive"         # optional: "sensitive" (default) or "insensitive"

Front matter ``pronounce:`` maps a term to its spoken form, or to a mapping
with the keys of an ``[[entry]]``. Every fault names the file, the line and
entry, and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from tts_export import engines
from tts_export.errors import ConfigError, TranscriptError
from tts_export.lexicon.model import Entry, Lexicon

_KEYS = frozenset({"term", "pattern", "spoken", "language", "engine", "case"})
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_ENTRY_HEADER = re.compile(r"^\s*\[\[\s*entry\s*\]\]")
_FORMAT_HINT = (
    'a lexicon holds [terms] ("term" = "spoken") and [[entry]] tables with '
    "term or pattern, spoken, and optionally language, engine, case"
)


class _Fault(Exception):
    """A problem in one entry; the caller turns it into the right public error."""


def _text(raw: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise _Fault(f"{key!r} must be a string, not {type(value).__name__}")
    if required and not value.strip():
        raise _Fault(f"{key!r} must be a non-empty string")
    return value


def _entry(raw: object, source: str, where: str) -> Entry:
    if isinstance(raw, str):
        raw = {"spoken": raw}
    if not isinstance(raw, Mapping):
        raise _Fault(f"expected a string or a table, not {type(raw).__name__}")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _Fault(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}")
    if ("term" in raw) == ("pattern" in raw):
        raise _Fault("give exactly one of 'term' (a literal) or 'pattern' (a regular expression)")
    is_pattern = "pattern" in raw
    term = _text(raw, "pattern" if is_pattern else "term", required=True)
    spoken = _text(raw, "spoken", required=True)
    language = _text(raw, "language")
    if language and not _LANGUAGE.fullmatch(language):
        raise _Fault(f"language {language!r} is not a language tag such as 'zh' or 'en'")
    engine = _text(raw, "engine")
    if engine and engine not in engines.names():
        raise _Fault(f"engine {engine!r} is unknown; choose one of {', '.join(engines.names())}")
    case = _text(raw, "case") or "sensitive"
    if case not in ("sensitive", "insensitive"):
        raise _Fault(f"case {case!r} must be 'sensitive' or 'insensitive'")
    entry = Entry(term, spoken, source, where, language, engine, case, is_pattern)  # type: ignore[arg-type]
    if is_pattern:
        _check_pattern(entry)
    return entry


def _check_pattern(entry: Entry) -> None:
    try:
        compiled = entry.regex
    except re.error as error:
        raise _Fault(f"pattern {entry.term!r} is not a valid regular expression: {error}") from None
    if compiled.fullmatch("") is not None:
        raise _Fault(f"pattern {entry.term!r} matches empty text")
    # A match with every group empty checks the template's group references.
    names = {index: name for name, index in compiled.groupindex.items()}
    groups = "".join(
        f"(?P<{names[i]}>)" if i in names else "()" for i in range(1, compiled.groups + 1)
    )
    blank = re.compile(groups).fullmatch("")
    try:
        if blank is not None:
            blank.expand(entry.spoken)
    except (re.error, IndexError) as error:
        raise _Fault(
            f"spoken template {entry.spoken!r} does not fit the pattern: {error}"
        ) from None


def _line_of(text: str, header: re.Pattern[str], nth: int) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if header.match(line):
            if seen == nth:
                return number
            seen += 1
    return 0


def _term_line(text: str, term: str) -> int:
    quoted = (f'"{term}"', f"'{term}'", term)
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(quoted):
            return number
    return 0


def _file_error(path: str, line: int, where: str, problem: str) -> ConfigError:
    at = f"line {line}, {where}" if line else where
    return ConfigError("lexicon", path, f"{at}: {problem}", hint=_FORMAT_HINT)


def parse_lexicon(text: str, *, path: str) -> Lexicon:
    """Parse lexicon TOML text.

    Args:
        text: the file's text.
        path: the file's name, used in messages and as each entry's source.

    Returns:
        The entries in file order ([terms] first, then [[entry]] tables).

    Raises:
        ConfigError: the text is not TOML, or an entry is malformed (the
            message names the file, line and entry and what is expected).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError("lexicon", path, f"not valid TOML: {error}", hint=_FORMAT_HINT) from None
    unknown = sorted(set(data) - {"terms", "entry"})
    if unknown:
        raise _file_error(path, 0, "top level", f"unknown table(s) {', '.join(unknown)}")
    terms = data.get("terms", {})
    tables = data.get("entry", [])
    if not isinstance(terms, dict):
        raise _file_error(path, 0, "terms", 'must be a table of "term" = "spoken"')
    if not isinstance(tables, list):
        raise _file_error(path, 0, "entry", "must be written as [[entry]] tables")
    entries: list[Entry] = []
    for term, spoken in terms.items():
        line = _term_line(text, term)
        try:
            if not isinstance(spoken, str):
                raise _Fault("a [terms] value must be a string (use [[entry]] for options)")
            entries.append(_entry({"term": term, "spoken": spoken}, path, f"terms {term!r}"))
        except _Fault as fault:
            raise _file_error(path, line, f"term {term!r}", str(fault)) from None
    for index, raw in enumerate(tables):
        line = _line_of(text, _ENTRY_HEADER, index)
        where = f"entry {index + 1}"
        try:
            entries.append(_entry(raw, path, f"line {line}, {where}" if line else where))
        except _Fault as fault:
            raise _file_error(path, line, where, str(fault)) from None
    return Lexicon(tuple(entries))


def load_lexicon(path: str | Path) -> Lexicon:
    """Read one lexicon file.

    Args:
        path: the TOML file.

    Returns:
        Its entries.

    Raises:
        ConfigError: the file cannot be read, is not UTF-8 TOML, or holds a bad entry.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            "lexicon",
            name,
            f"cannot read it: {error}",
            hint="check the path; it must be UTF-8 TOML",
        ) from None
    return parse_lexicon(text, path=name)


def bundled_lexicon() -> Lexicon:
    """The lexicon shipped with the package (``tts_export/lexicon/default.toml``)."""
    text = resources.files("tts_export.lexicon").joinpath("default.toml").read_text("utf-8")
    return parse_lexicon(text, path="<bundled default.toml>")


def from_front_matter(meta: Mapping[str, Any], *, path: str) -> Lexicon:
    """The ``pronounce:`` mapping of a transcript's front matter.

    Args:
        meta: the transcript's front matter.
        path: the transcript file, for messages.

    Returns:
        Its entries (empty when there is no ``pronounce:``).

    Raises:
        TranscriptError: ``pronounce:`` is not a mapping, or an entry is malformed.
    """
    raw = meta.get("pronounce")
    if raw is None:
        return Lexicon()
    if not isinstance(raw, Mapping):
        raise TranscriptError(
            path,
            0,
            "front matter 'pronounce' must be a mapping of term → spoken form",
            hint="write e.g.  pronounce: {Sora: 索拉, OpenAI: Open A I}",
        )
    entries: list[Entry] = []
    for term, value in raw.items():
        fields = {"spoken": value} if isinstance(value, str) else value
        try:
            if not isinstance(fields, Mapping):
                raise _Fault("expected a spoken form (text) or a mapping of entry keys")
            fields = {"term": str(term), **fields} if "pattern" not in fields else dict(fields)
            entries.append(_entry(fields, "front matter", f"pronounce {term!r}"))
        except _Fault as fault:
            raise TranscriptError(
                path, 0, f"front matter pronounce {term!r}: {fault}", hint=_FORMAT_HINT
            ) from None
    return Lexicon(tuple(entries))


def read_lexicons(
    paths: Sequence[str | Path] = (),
    *,
    meta: Mapping[str, Any] | None = None,
    transcript_path: str = "<string>",
    bundled: bool = True,
) -> Lexicon:
    """Merge every source, later wins: bundled default, each file in order, front matter.

    Args:
        paths: user lexicon files (``--lexicon``, setting ``lexicon``), in order.
        meta: the transcript's front matter, for ``pronounce:``.
        transcript_path: the transcript file, for messages.
        bundled: start from the bundled default.

    Returns:
        The merged lexicon.

    Raises:
        ConfigError: a lexicon file is bad.
        TranscriptError: the front matter's ``pronounce:`` is bad.
    """
    layers = [bundled_lexicon()] if bundled else []
    layers += [load_lexicon(path) for path in paths]
    if meta is not None:
        layers.append(from_front_matter(meta, path=transcript_path))
    return Lexicon().merged(*layers)
