"""Speaker-label dialects: body lines → which ones start a turn, and by whom.

A dialect is a label *style* plus an optional leading-timestamp marker:

========== ==========================================================
style      labels it reads
========== ==========================================================
colon      ``Name: text``, ``Name：text``, ``Name (00:12): text``, ``Name  0:03``
bold       ``**Name:** text``, ``**Name**: text``, ``**Name** text``
bracket    ``[Name]: text``, ``[Name] text``, ``【Name】text``
screenplay ``NAME: text`` (upper-case Latin names)
prose      no labels: everything is read by the narrator
========== ==========================================================

When most turns carry a leading timestamp (``0:00:36.2``, ``[05:42]``,
``(00:12:34)``, ``12:34 -``) the reported name is ``timestamped-<style>``.
Timestamps are stripped in every dialect; ``--dialect timestamped`` only says
"expect them" and detects the style.

Detection is conservative: a style wins by the number of lines whose label
names occur at least twice (or are declared in front matter ``speakers``);
a name seen once is still a label in the winning style, with a warning; a
single unsupported label is not a label at all (warning, read as prose).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from tts_export.errors import ConfigError
from tts_export.transcript.markup import is_sound_label

STYLES: tuple[str, ...] = ("bold", "bracket", "screenplay", "colon")
_COMPETING: tuple[str, ...] = ("bold", "bracket", "colon")  # ties go to the first
DIALECTS: tuple[str, ...] = (
    *STYLES,
    "prose",
    "timestamped",
    *(f"timestamped-{style}" for style in STYLES),
)

_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_STRONG_TS = re.compile(
    rf"^\s*(?:[\[(（]{_TIME}[\])）]|\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?(?![\d:])"
    rf"|{_TIME}\s*[-–—|](?=\s|$))\s*"
)
_WEAK_TS = re.compile(rf"^\s*{_TIME}(?![\d:])\s+")
_ONLY_TS = re.compile(rf"^\s*[\[(（]?{_TIME}[\])）]?\s*[-–—|]?\s*$")
_TRAILING_TS = rf"(?P<ts>\s+[\[(（]?{_TIME}[\])）]?)"

_PATTERNS: dict[str, re.Pattern[str]] = {
    "bold": re.compile(
        r"^(?:\*\*|__)(?P<name>[^*_\n]{1,40}?)\s*(?P<c1>[:：])?\s*(?:\*\*|__)"
        rf"{_TRAILING_TS}?\s*(?P<c2>[:：])?\s*(?P<text>.*)$"
    ),
    "bracket": re.compile(
        r"^(?:\[(?P<n1>[^\[\]\n]{1,40})\](?![(\[])|【(?P<n2>[^【】\n]{1,40})】)"
        rf"{_TRAILING_TS}?\s*(?P<c1>[:：])?\s*(?P<text>.*)$"
    ),
    "colon": re.compile(
        rf"^(?P<name>[^\s:：][^:：\n]{{0,39}}?){_TRAILING_TS}?\s*(?P<c1>[:：])(?P<text>.*)$"
    ),
}
# Otter/Descript style: a line holding only "Name  0:03", the text follows.
_NAME_TIME_LINE = re.compile(rf"^(?P<name>[^\s:：\d][^:：\n]{{0,39}}?)\s+{_TIME}\s*$")

_PARTICLE_WORDS = "de del della der di du da dos van von le la al bin ibn of y zu ten"
_PARTICLES = frozenset(_PARTICLE_WORDS.split())
_NOT_NAME_WORDS = """note notes nb n.b. warning caution tip tips hint example examples e.g eg
    source sources
    update updated edit edited ps p.s. pps disclaimer summary tl;dr tldr important info
    todo fyi re subject title date time location place url link links email e-mail tags
    see also credits transcript translation chapter section part step conclusion answer
    question http https ftp mailto file tel www keywords abstract published author however
    therefore also first second third finally result results reason problem solution lesson
    takeaway takeaways pros cons verdict fact quote definition rule goal why what how who when
    where yes no ok okay meanwhile update bottom line at in on by from to until since before
    after around about starting ending today tomorrow yesterday tonight morning afternoon evening
    注 注意 备注 提示 说明 来源 链接 时间 地点 日期 原文 标题 摘要 参考 参考资料 总结 关键词
    作者 出处 网址 例如 比如 首先 其次 另外 结论 问题 答案 背景 编者按 按 附 附注
    更新 声明"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_VERB_ENDINGS = (
    "说",
    "道",
    "问",
    "曰",
    "表示",
    "指出",
    "认为",
    "提到",
    "写道",
    "回答",
    "强调",
    "补充",
    "称",
)
# Chinese discourse openers: "第一点：", "总之：", "其实：" start a sentence, not a turn.
_CJK_OPENERS = (
    "第",
    "总之",
    "其实",
    "所以",
    "但是",
    "因为",
    "如果",
    "比如",
    "例如",
    "另外",
    "首先",
    "其次",
    "最后",
    "然后",
    "还有",
    "结果",
    "原因",
    "重点",
    "关键",
    "优点",
    "缺点",
    "好处",
    "坏处",
    "一是",
    "二是",
    "三是",
    "这",
    "那",
    "我",
    "你",
    "他",
    "她",
    "它",
    "就是",
    "也就是",
)
_BAD_NAME_CHARS = re.compile(r"[*\[\]【】()（）<>{}|#\"“”「」『』`=~^\\/。，！？；,!?;…⋯]")
_LATIN_WORD = re.compile(r"^[A-Za-z0-9À-ɏ][\w.'’\-]*$")


@dataclass(frozen=True)
class Label:
    """A speaker label found at the start of a line.

    Attributes:
        style: the label style that matched.
        name: the name as written (markers and colon removed).
        text: the rest of the line (the start of the turn).
        timestamp: a leading timestamp that was stripped, or "".
        colon: True when a colon followed the name.
        strong: the label's form is distinctive (bold or bracket with a colon, a
            name followed by a timestamp), so it may stand alone on its line.
    """

    style: str
    name: str
    text: str
    timestamp: str = ""
    colon: bool = True
    strong: bool = False


@dataclass(frozen=True)
class Detection:
    """The dialect chosen for a file.

    Attributes:
        style: one of ``STYLES`` or ``"prose"``.
        timestamped: most turns carry a leading timestamp.
        names: label names accepted as speakers.
        once: (line, name) of accepted names seen only once (worth a warning).
        rejected: (line, name) of label-like lines not taken as labels.
        forced: the style was given by the user, not detected.
        declared: speaker ids and names from front matter (label → name).
    """

    style: str
    timestamped: bool = False
    names: frozenset[str] = frozenset()
    once: tuple[tuple[int, str], ...] = ()
    rejected: tuple[tuple[int, str], ...] = ()
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


def declared_speakers(meta: Mapping[str, object]) -> dict[str, str]:
    """Speaker ids and names declared in front matter, as label → display name.

    Reads ``speakers`` (or ``participants``) given as a mapping
    ``{GN: Gary Null}``, a list of ``{id, name}`` mappings, or a list of names.
    Both the id and the name map to the name.
    """
    pairs: list[tuple[object, object]] = []
    for key in ("speakers", "participants", "cast"):
        value = meta.get(key)
        if isinstance(value, Mapping):
            pairs += [
                (ident, name.get("name", ident) if isinstance(name, Mapping) else name)
                for ident, name in value.items()
            ]
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


def split_timestamp(line: str) -> tuple[str, str, bool]:
    """Split a leading timestamp off ``line``.

    Returns:
        (timestamp, rest, strong). ``strong`` is False for a bare ``12:34``
        followed by text, which may also be a time of day in prose.
    """
    match = _STRONG_TS.match(line)
    if match:
        return match.group().strip(), line[match.end() :], True
    match = _WEAK_TS.match(line)
    if match:
        return match.group().strip(), line[match.end() :], False
    return "", line, False


def is_timestamp_only(line: str) -> bool:
    """True for a line holding nothing but a timestamp (a continuation marker)."""
    return bool(_ONLY_TS.match(line))


def plausible_name(name: str, style: str) -> bool:
    """Whether ``name`` can be a speaker name in ``style`` (not prose, URL, time...)."""
    name = name.strip()
    if not name or len(name) > 40 or name.lower() in _NOT_NAMES:
        return False
    if _BAD_NAME_CHARS.search(name) and style in ("colon", "screenplay"):
        return False
    if style in ("bold", "bracket") and re.search(r"[*\[\]【】<>{}|#`。，！？；!?;]", name):
        return False
    if not any(ch.isalpha() for ch in name):
        return False  # "10", "12:30", "---"
    if name[0] in "-+>#" or re.match(r"^\d+[.)]\s", name):
        return False  # list items and headings
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return (
            len(name) <= 12
            and not name.endswith(_VERB_ENDINGS)
            and " " not in name
            and not name.startswith(_CJK_OPENERS)
        )
    words = name.split()
    if len(words) > 4:
        return False
    for i, word in enumerate(words):
        if not _LATIN_WORD.match(word):
            return False
        if i and word.lower() in _PARTICLES:
            continue
        if not (word[0].isupper() or word[0].isdigit()):
            return False
    return True


def match_label(line: str, style: str, *, known: bool = False) -> Label | None:
    """The label at the start of ``line`` in ``style``, if any (timestamp already split off).

    Plausibility of the name is not checked here; see ``plausible_name``.
    ``known`` skips the checks that tell a bold term from a name, for a name
    already accepted as a speaker.
    """
    if style == "screenplay":
        style = "colon"
    if style == "colon":
        alone = _NAME_TIME_LINE.match(line)
        if alone:
            return Label("colon", alone.group("name").strip(), "", colon=False, strong=True)
    pattern = _PATTERNS.get(style)
    match = pattern.match(line) if pattern is not None else None
    if match is None:
        return None
    groups = match.groupdict()
    name = (groups.get("name") or groups.get("n1") or groups.get("n2") or "").strip()
    text = groups["text"]
    colon = bool(groups.get("c1") or groups.get("c2"))
    # "Name:text" with a half-width colon and no space reads as a time, a URL
    # or a ratio unless the name is Chinese.
    if (
        style == "colon"
        and line[match.start("c1")] == ":"
        and text
        and not text[0].isspace()
        and not _has_cjk(name)
    ):
        return None
    if style == "colon" and text.startswith("//"):
        return None
    if style == "bracket" and (is_sound_label(name) or name.startswith("^")):
        return None  # "[笑]", "[laughs]", footnotes
    text = text.strip()
    if (
        style != "colon"
        and not colon
        and not known
        and (text[:1] in ("(", "（") or text[:1].islower())
    ):
        return None  # "**term**（note）…", "**Thyroid** is a gland": a term, not a name
    ts, rest, strong = split_timestamp(text)
    if ts and strong:
        text = rest.strip()
    return Label(
        style,
        name,
        text,
        colon=colon,
        strong=bool(groups.get("ts")) or (style != "colon" and colon),
    )


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
    if _has_cjk(name) and len(name) > 6:
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
    front matter, or at least two different names use it. The supported style
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
    declared = dict(declared or {})
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


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
