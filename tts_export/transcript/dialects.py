"""Candidate body lines → the file's speaker-label dialect (a ``Detection``).

A dialect is a label *style* (see ``labels``: ``bold``, ``bracket``, ``colon``,
``screenplay``, or ``prose`` for no labels, everything read by the narrator)
plus an optional leading-timestamp marker. When most turns carry a leading
timestamp the reported name is ``timestamped-<style>``. Timestamps are
stripped in every dialect; ``--dialect timestamped`` only says "expect them"
and detects the style.

Detection is conservative: a style wins by the number of lines whose label
names occur at least twice (or are declared in front matter ``speakers``);
a name seen once is still a label in the winning style, with a warning; a
single unsupported label is not a label at all (warning, read as prose),
unless the file's body is that one line: a one-line transcript is all the
evidence there is, so its label is a turn if a once-seen name would be one in
a longer file (a plausible name with text after it, or a distinctive label). A
line that is written like a label but not read as one (another style's label,
a name holding ``/`` or brackets) is listed in ``suspects`` for a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from tts_export.common.lang import has_han
from tts_export.errors import ConfigError
from tts_export.transcript.labels import (
    Label,
    match_label,
    plausible_name,
    split_timestamp,
    suspect_label,
)

STYLES: tuple[str, ...] = ("bold", "bracket", "screenplay", "colon")
_COMPETING: tuple[str, ...] = ("bold", "bracket", "colon")  # ties go to the first
DIALECTS: tuple[str, ...] = (
    *STYLES,
    "prose",
    "timestamped",
    *(f"timestamped-{style}" for style in STYLES),
)


@dataclass(frozen=True)
class Detection:
    """The dialect chosen for a file.

    Attributes:
        style: one of ``STYLES`` or ``"prose"``.
        timestamped: most turns carry a leading timestamp.
        names: label names accepted as speakers.
        once: (line, name) of accepted names seen only once (worth a warning).
        rejected: (line, name) of label-like lines not taken as labels.
        suspects: (line, name, reason) of other lines written like a label
            (another style's label, a name spoilt by marks) and read as text.
        forced: the style was given by the user, not detected.
        declared: speaker ids and names from front matter (label → name).
    """

    style: str
    timestamped: bool = False
    names: frozenset[str] = frozenset()
    once: tuple[tuple[int, str], ...] = ()
    rejected: tuple[tuple[int, str], ...] = ()
    suspects: tuple[tuple[int, str, str], ...] = ()
    forced: bool = False
    declared: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The dialect's name as reported (``"timestamped-bold"``, ``"colon"``...)."""
        if self.style == "prose":
            return "prose"
        return f"timestamped-{self.style}" if self.timestamped else self.style


def parse_option(value: str | None) -> tuple[str | None, bool]:
    """Split a ``--dialect`` value into (style or None for auto, timestamped).

    Raises:
        ConfigError: the value is not a known dialect.
    """
    if value is None or value in ("", "auto"):
        return None, False
    key = value.strip().lower()
    if key not in DIALECTS:
        raise ConfigError(
            "dialect",
            value,
            "unknown speaker-label dialect",
            hint="use one of: auto, " + ", ".join(DIALECTS),
        )
    if key == "timestamped":
        return None, True
    if key.startswith("timestamped-"):
        return key.removeprefix("timestamped-"), True
    return key, False


def find_label(line: str, style: str, detection: Detection) -> Label | None:
    """The accepted speaker label at the start of ``line`` for a detected dialect.

    Args:
        line: one body line.
        style: the detected style.
        detection: the detection result (accepted names).

    Returns:
        The label with its leading timestamp, or None when the line continues a turn.
    """
    if style == "prose":
        return None
    timestamp, rest, _ = split_timestamp(line)
    attempts = ((rest, timestamp), (line, "")) if timestamp else ((line, ""),)
    for candidate, ts in attempts:
        label = match_label(candidate, style, known=True)
        if label is not None and label.name in detection.names:
            return replace(label, timestamp=ts)
    return None


def _candidates(
    lines: Iterable[tuple[int, str]], styles: tuple[str, ...], declared: Mapping[str, str]
) -> dict[str, list[tuple[int, Label]]]:
    found: dict[str, list[tuple[int, Label]]] = {style: [] for style in styles}
    for number, line in lines:
        timestamp, rest, _ = split_timestamp(line)
        for style in styles:
            label = match_label(rest, style) or (match_label(line, style) if timestamp else None)
            if label is None:
                continue
            if label.name not in declared and not plausible_name(label.name, style):
                continue
            found[style].append((number, replace(label, timestamp=timestamp)))
    return found


def _accepts(name: str, labels: list[Label], declared: Mapping[str, str], forced: bool) -> bool:
    if forced or name in declared or len(labels) >= 2:
        return True
    label = labels[0]
    if has_han(name) and len(name) > 6:
        return False  # a one-off "很多人都会问的问题：" is a sentence, not a name
    # A one-off "Cast:" or "Links:" with nothing after it introduces a list or a
    # paragraph; only a distinctive label (bold/bracket with a colon, a name
    # with a timestamp) may stand alone on its line.
    return bool(label.text) or label.strong


def detect(
    lines: Iterable[tuple[int, str]],
    *,
    declared: Mapping[str, str] | None = None,
    force: str | None = None,
    timestamped: bool = False,
) -> Detection:
    """Choose the dialect of a file from its candidate lines.

    A style is supported when one of its names occurs twice, is declared in
    front matter, or at least two different names use it, or when ``lines`` is
    a single line (a one-line transcript). The supported style
    with the most label lines wins (ties: bold, bracket, colon); ``screenplay``
    is the colon style when every name is written in capitals.

    Args:
        lines: (line number, text) of every body line that may start a turn.
        declared: speaker ids and names from front matter.
        force: a style the user asked for, or None to detect.
        timestamped: the user said turns carry leading timestamps.

    Returns:
        The detection: style, accepted names, doubtful names.
    """
    lines = list(lines)
    detection = _detect(lines, declared=dict(declared or {}), force=force, timestamped=timestamped)
    return replace(detection, suspects=_suspects(lines, detection))


def _suspects(
    lines: Iterable[tuple[int, str]], detection: Detection
) -> tuple[tuple[int, str, str], ...]:
    """Lines written like a label that are neither labels nor already warned about."""
    warned = {line for line, _ in (*detection.once, *detection.rejected)}
    found: list[tuple[int, str, str]] = []
    for number, line in lines:
        if number in warned or find_label(line, detection.style, detection) is not None:
            continue
        suspect = suspect_label(line, detection.style)
        if suspect is not None:
            found.append((number, *suspect))
    return tuple(found)


def _detect(
    lines: list[tuple[int, str]],
    *,
    declared: dict[str, str],
    force: str | None,
    timestamped: bool,
) -> Detection:
    if force == "prose":
        return Detection("prose", forced=True, declared=declared)
    matchers = ("colon",) if force == "screenplay" else (force,) if force else _COMPETING
    found = _candidates(lines, matchers, declared)
    if force == "screenplay":
        found["colon"] = [(n, lab) for n, lab in found["colon"] if lab.name.upper() == lab.name]
    by_name: dict[str, dict[str, list[Label]]] = {}
    first: dict[tuple[str, str], int] = {}
    for style, items in found.items():
        by_name[style] = {}
        for number, label in items:
            by_name[style].setdefault(label.name, []).append(label)
            first.setdefault((style, label.name), number)

    def accepted(style: str) -> set[str]:
        names = by_name[style]
        if (
            not force
            and len(lines) > 1
            and not any(n in declared or len(v) >= 2 for n, v in names.items())
            and len(names) < 2
        ):
            return set()
        return {n for n, v in names.items() if _accepts(n, v, declared, force is not None)}

    scores = {style: sum(len(by_name[style][n]) for n in accepted(style)) for style in found}
    style = max(found, key=lambda s: (scores[s], -matchers.index(s)))
    names = accepted(style)
    if not names and not force:
        rejected = tuple(sorted({(first[(s, n)], n) for s in found for n in by_name[s]}))
        return Detection("prose", timestamped=timestamped, rejected=rejected, declared=declared)
    once = tuple(
        sorted(
            (first[(style, n)], n)
            for n in names
            if len(by_name[style][n]) == 1
            and n not in declared
            and style == "colon"
            and not force
            and not by_name[style][n][0].strong
        )
    )
    rejected = tuple(sorted((first[(style, n)], n) for n in by_name[style] if n not in names))
    labels = [lab for n in names for lab in by_name[style][n]]
    with_ts = sum(1 for lab in labels if lab.timestamp)
    if style == "colon" and (
        force == "screenplay"
        or all(
            n.isascii()
            and n.upper() == n
            and n not in declared
            and sum(c.isalpha() for c in n) >= 2
            for n in names
        )
    ):
        style = "screenplay"
    return Detection(
        style,
        timestamped=timestamped or (bool(labels) and with_ts * 2 >= len(labels)),
        names=frozenset(names),
        once=once,
        rejected=rejected,
        forced=force is not None,
        declared=declared,
    )
