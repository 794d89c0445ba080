"""One body line → the speaker label at its start, per label style; timestamps; names.

========== ==========================================================
style      labels it reads
========== ==========================================================
colon      ``Name: text``, ``Name：text``, ``Name (00:12): text``, ``Name  0:03``
bold       ``**Name:** text``, ``**Name**: text``, ``**Name** text``
bracket    ``[Name]: text``, ``[Name] text``, ``【Name】text``
screenplay ``NAME: text`` (upper-case Latin names; read with the colon pattern)
========== ==========================================================

A leading timestamp (``0:00:36.2``, ``[05:42]``, ``(00:12:34)``, ``12:34 -``)
is split off before a label is matched. Whether a matched name is a speaker is
decided per file by ``dialects.detect``; ``plausible_name`` only rules out
what cannot be a name (prose, URLs, times, list items).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tts_export.common.lang import has_han
from tts_export.transcript.markup import CLOCK_TIME, is_sound_label

_STRONG_TS = re.compile(
    rf"^\s*(?:[\[(（]{CLOCK_TIME}[\])）]|\d{{1,2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,3}})?(?![\d:])"
    rf"|{CLOCK_TIME}\s*[-–—|](?=\s|$))\s*"
)
_WEAK_TS = re.compile(rf"^\s*{CLOCK_TIME}(?![\d:])\s+")
_ONLY_TS = re.compile(rf"^\s*[\[(（]?{CLOCK_TIME}[\])）]?\s*[-–—|]?\s*$")
_TRAILING_TS = rf"(?P<ts>\s+[\[(（]?{CLOCK_TIME}[\])）]?)"

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
_NAME_TIME_LINE = re.compile(rf"^(?P<name>[^\s:：\d][^:：\n]{{0,39}}?)\s+{CLOCK_TIME}\s*$")

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
# Marks that may sit in a label-like line but never in a name ("Host/Moderator",
# "Speaker (2)"); sentence punctuation is not among them: "Wait, Bob:" is prose.
_MARKS = re.compile(r"[*\[\]【】()（）<>{}|#\"“”「」『』`=~^\\/+]")
_LATIN_WORD = re.compile(r"^[A-Za-z0-9À-ɏ][\w.'’&\-]*$")  # R&D, O'Brien, Dr., Jean-Luc
# "Anna (guest)", "JAMES (CONT'D)", "嘉宾（专家）": a role after the name, not part of it.
_ROLE = re.compile(r"^(?P<name>[^()（）]+?)\s*[(（](?P<role>[^()（）\[\]【】:：]{1,30})[)）]$")


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
        role: a parenthesised role written after the name (``guest`` in
            ``Anna (guest):``), or "". The speaker is the name alone.
    """

    style: str
    name: str
    text: str
    timestamp: str = ""
    colon: bool = True
    strong: bool = False
    role: str = ""


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
    if has_han(name):
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
        if 0 < i < len(words) - 1 and word == "&":
            continue  # "Tom & Jerry"
        if not _LATIN_WORD.match(word):
            return False
        if i and word.lower() in _PARTICLES:
            continue
        if not (word[0].isupper() or word[0].isdigit()):
            return False
    return True


def split_role(name: str) -> tuple[str, str]:
    """(name, role) of ``Anna (guest)``; brackets without a letter are no role: ``Speaker (2)``."""
    match = _ROLE.match(name.strip())
    if match is None or not any(ch.isalpha() for ch in match.group("role")):
        return name.strip(), ""
    return match.group("name").strip(), match.group("role").strip()


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
            name, role = split_role(alone.group("name"))
            return Label("colon", name, "", colon=False, strong=True, role=role)
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
        and not has_han(name)
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
    name, role = split_role(name)
    return Label(
        style,
        name,
        text,
        colon=colon,
        strong=bool(groups.get("ts")) or (style != "colon" and colon),
        role=role,
    )


def suspect_label(line: str, style: str) -> tuple[str, str] | None:
    """Why ``line`` looks like a speaker label that a file in ``style`` does not take.

    For a line that was not read as a label: it carries a label with a colon
    (or a name and a timestamp) that is a plausible name in another style, or
    a name spoilt only by marks a name cannot hold (``Host/Moderator:``).
    Prose, list items and ``Note:`` lines give None.

    Returns:
        (the name as written, the reason), or None.
    """
    file_style = "colon" if style == "screenplay" else style
    timestamp, rest, _ = split_timestamp(line)
    found: list[Label] = []
    for other in ("bold", "bracket", "colon"):
        label = match_label(rest, other) or (match_label(line, other) if timestamp else None)
        if label is not None and (label.colon or label.strong):
            found.append(label)
    for label in found:
        if label.style != file_style and plausible_name(label.name, label.style):
            where = "has no speaker labels" if style == "prose" else f"uses {style} labels"
            return label.name, f"is written as a {label.style} label and this file {where}"
    for label in found:
        marks = sorted(set(_MARKS.findall(label.name)))
        cleaned = " ".join(_MARKS.sub(" ", label.name).split())
        if marks and cleaned and plausible_name(cleaned, label.style):
            listed = ", ".join(repr(mark) for mark in marks)
            return label.name, f"holds {listed}, which a speaker name cannot"
    return None
