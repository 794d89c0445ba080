"""Markup clean-up: a paragraph of Markdown-ish text → display text + glossary spans.

What a listener must not hear and a caption must not show goes here:
emphasis markers, link targets, wiki-link syntax, HTML tags and comments,
footnote and anchor markers, inline timestamps and URLs. Glossary notes
(``**term**（note）``) stay in the text but are reported as spans, so later
stages can drop or keep them. Stage directions (``(laughs)``, ``[笑]``) stay
in the text too; ``find_sound_cues`` locates them for the script stage.

URLs: a URL in running text is replaced by its domain name (``see
example.com``), because the sentence usually needs the noun; a URL wrapped in
brackets or angle brackets (``(https://…)``) is an aside and is removed.

Struck text (``~~deleted~~``) is removed, words and all: in a transcript a
strike-through marks what the author took back (a correction, a cut), so it is
neither spoken nor captioned, and the captions stay a verbatim record of what
is heard.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from tts_export.models import Glossary

_NOTE_OPEN = "\ue000"  # private-use sentinels marking a glossary note while we build
_NOTE_CLOSE = "\ue001"

_URL_STOP = r"\s<>()（）\[\]{}\"'`，。！？；：、「」『』【】"
_URL_BODY = rf"(?i:https?://|www\.)(?:[^{_URL_STOP}]*[^{_URL_STOP}.,;:!?*_~])?"
# A clock time (12:34, 0:00:36.2): the only copy; speaker-label patterns use it too.
CLOCK_TIME = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_LONG_TIME = r"\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?"
_NOTE = r"（(?:[^（）\n]|（[^（）\n]*）){0,500}）|\((?:[^()\n]|\([^()\n]*\)){0,500}\)"

# Every token starts with one of these characters; the lookahead lets the scanner
# skip plain text quickly instead of trying each alternative at each position.
_TOKEN_START = r"(?=[<`!\[{(（*_~&\\hHwW\d])"
_TOKEN = re.compile(
    _TOKEN_START
    + "(?:"
    + "|".join(
        (
            r"(?P<comment><!--(?:.*?-->|.*\Z))",
            r"(?P<code>(?P<ticks>`{1,3})(?P<code_text>[^`]{1,1000}?)(?P=ticks))",
            r"(?P<image>!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\))",
            r"(?P<wiki>!?\[\[(?P<wiki_text>[^\[\]\n]{0,300})\]\])",
            r"(?P<link>\[(?P<link_text>[^\[\]\n]{0,300})\]\([^)\n]{0,500}\))",
            r"(?P<reflink>\[(?P<ref_text>[^\[\]\n]{1,300})\]\[[^\[\]\n]{0,100}\])",
            r"(?P<footnote>\[\^[^\]\s]{1,40}\])",
            r"(?P<anchor>\{#[^}\s]{1,80}\})",
            rf"(?P<wrapped_url>[(（<]\s*{_URL_BODY}\s*[)）>])",
            r"(?P<html></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]{0,300})?/?>)",
            rf"(?P<timestamp>[\[(（]{CLOCK_TIME}[\])）]|(?<![\d:.]){_LONG_TIME}(?![\d:]))",
            rf"(?P<url>{_URL_BODY})",
            # GFM strike-through: the markers hug the struck text, as for bold.
            r"(?P<strike>~~(?=[^\s~]).{0,300}?[^\s~]~~(?!~))",
            rf"(?P<bold>(?P<bmark>\*\*|(?<!\w)__)(?=\S)(?P<bold_text>.{{1,300}}?)(?<=\S)(?P=bmark)"
            rf"(?P<note>{_NOTE})?)",
            r"(?P<em>(?<![*\w])\*(?=[^\s*])(?P<em_text>[^*\n]{1,300}?)(?<=\S)\*(?!\*)"
            r"|(?<!\w)_(?=[^\s_])(?P<em2_text>[^_\n]{1,300}?)(?<=\S)_(?!\w))",
            r"(?P<entity>&(?:[A-Za-z]{2,8}|#\d{1,6}|#x[0-9A-Fa-f]{1,6});)",
            r"(?P<escape>\\(?P<escaped>[\\`*_{}\[\]()#+\-.!|~<>]))",
        )
    )
    + ")",
    re.DOTALL,
)

# Markup that survived the token pass (unbalanced markers): never spoken.
_LEFTOVER = re.compile(
    r"(?=[*_~\[\]hH(（\d])(?:\*{2,}|_{2,}|~{2,}|\[{2,}|\]{2,}|\]+(?=\()|(?i:https?:/*)"
    r"|[\[(（]\s*\d{1,2}:\d{2}|(?:\d+:){2,}\d+(?:[.,]\d+)?)"
)
_HOST = re.compile(r"^(?:[A-Za-z]+://)?(?:[^@/?#\s]*@)?(?P<host>[^/?#:\s]*)")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)

_SOUND_WORDS = (
    "laugh laughs laughing laughter chuckle chuckles chuckling giggle giggles applause "
    "clapping claps cheering cheers music intro outro theme jingle sigh sighs coughs "
    "cough crosstalk inaudible pause pauses silence beep beeps sound sounds noise "
    "crying cries sniffs whispers whispering singing sings groans gasps background "
    "transition break static phone ringing bell sfx"
)
_SOUND_WORDS_EN = frozenset(_SOUND_WORDS.split())
_SOUND_WORDS_ZH = (
    "笑",
    "大笑",
    "笑声",
    "哈哈",
    "掌声",
    "鼓掌",
    "音乐",
    "背景音乐",
    "片头",
    "片尾",
    "停顿",
    "咳嗽",
    "叹气",
    "沉默",
    "音效",
    "欢呼",
    "轻笑",
    "苦笑",
    "静音",
    "铃声",
    "插曲",
    "间奏",
)
_BRACKETED = re.compile(r"[(（\[【]\s*(?P<inner>[^()（）\[\]【】\n]{1,80}?)\s*[)）\]】]")


@dataclass(frozen=True)
class Cleaned:
    """A paragraph after markup clean-up.

    Attributes:
        text: the display text (glossary notes included).
        glossary: the glossary notes, as spans into ``text``.
        dropped: short descriptions of what was removed and is worth a warning
            (URLs, HTML comments), in order.
    """

    text: str
    glossary: tuple[Glossary, ...] = ()
    dropped: tuple[str, ...] = ()


def _domain(url: str) -> str:
    match = _HOST.match(url)
    host = match.group("host") if match else ""
    if host[:4].lower() == "www.":
        host = host[4:]
    # The domain is spoken; something that itself looks like a scheme is not a noun.
    low = host.lower()
    return "" if "http" in low or "www" in low or "." not in host else host


def _wiki_shown(inner: str) -> str:
    shown = inner.split("|", 1)[1] if "|" in inner else inner
    if ">" in shown:
        shown = shown.rsplit(">", 1)[1]
    if "#" in shown and "|" not in inner:
        shown = shown.rsplit("#", 1)[1] or shown.split("#", 1)[0]
    return shown.strip()


def strip_leftovers(text: str) -> str:
    """Remove markup that survived clean-up (unbalanced ``**``, ``[[``, half timestamps)."""
    # Removing one marker can join two halves of another ("*[[*"): repeat until stable.
    for _ in range(8):
        cleaned = _LEFTOVER.sub("", text)
        if cleaned == text:
            break
        text = cleaned
    return text


@dataclass
class _Context:
    dropped: list[str]  # what was removed that is worth mentioning
    terms: list[str]  # bold terms that carry a glossary note, in output order


def _replace(match: re.Match[str], ctx: _Context) -> str:
    kind = match.lastgroup
    if kind in ("comment", "image", "footnote", "anchor", "timestamp"):
        return ""
    if kind == "strike":
        # Deleted by the author (see the module docstring): not heard, so not shown.
        ctx.dropped.append("struck-out text")
        return ""
    if kind == "html":
        return " " if _HTML_BREAK.fullmatch(match.group()) else ""
    if kind == "code":
        return _clean_fragment(match.group("code_text"), ctx)
    if kind == "wiki":
        return _clean_fragment(_wiki_shown(match.group("wiki_text")), ctx)
    if kind == "link":
        return _clean_fragment(match.group("link_text"), ctx)
    if kind == "reflink":
        return _clean_fragment(match.group("ref_text"), ctx)
    if kind == "wrapped_url":
        ctx.dropped.append("a URL in brackets")
        return ""
    if kind == "url":
        ctx.dropped.append("a URL")
        return _domain(match.group())
    if kind == "bold":
        term = _clean_fragment(match.group("bold_text"), ctx)
        note = match.group("note")
        if note is None:
            return term
        # a note's own bold terms are part of the note, not notes of their own
        inner = _clean_fragment(note, _Context(ctx.dropped, []))
        ctx.terms.append(strip_leftovers(_unmark(term)))
        return term + _NOTE_OPEN + _unmark(inner) + _NOTE_CLOSE
    if kind == "em":
        return _clean_fragment(match.group("em_text") or match.group("em2_text") or "", ctx)
    if kind == "entity":
        decoded = html.unescape(match.group())
        # Only entities standing for punctuation or spaces; "&#65;" would invent a letter.
        return " " if decoded.isspace() else decoded if not decoded.isalnum() else ""
    if kind == "escape":
        return match.group("escaped")
    return match.group()  # pragma: no cover - every group is handled above


def _unmark(text: str) -> str:
    return text.replace(_NOTE_OPEN, "").replace(_NOTE_CLOSE, "")


def _clean_fragment(text: str, ctx: _Context) -> str:
    parts: list[str] = []
    last = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[last : match.start()])
        parts.append(_replace(match, ctx))
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def clean_inline(text: str) -> Cleaned:
    """Remove inline markup from one paragraph (lines already joined).

    Args:
        text: raw paragraph text from the transcript.

    Returns:
        The display text, with glossary notes as spans into it.
    """
    ctx = _Context([], [])
    built = strip_leftovers(_clean_fragment(_unmark(text), ctx))
    built = _SPACES.sub(" ", built)
    out: list[str] = []
    glossary: list[Glossary] = []
    length = 0
    pos = 0
    # Notes never nest (a note's inner sentinels are removed when it is built),
    # so the sentinels pair up in order, one pair per entry of ctx.terms.
    while (start := built.find(_NOTE_OPEN, pos)) >= 0:
        end = built.find(_NOTE_CLOSE, start)
        before = built[pos:start]
        note = built[start + 1 : end]
        out.append(before)
        length += len(before)
        term = ctx.terms[len(glossary)] if len(glossary) < len(ctx.terms) else ""
        glossary.append(Glossary(term=term, note=note, start=length, end=length + len(note)))
        out.append(note)
        length += len(note)
        pos = end + 1
    out.append(built[pos:])
    result = "".join(out)
    stripped = result.strip()
    if stripped != result:
        shift = len(result) - len(result.lstrip())
        glossary = [
            Glossary(g.term, g.note, g.start - shift, g.end - shift)
            for g in glossary
            if g.end - shift <= len(stripped) and g.start - shift >= 0
        ]
    return Cleaned(text=stripped, glossary=tuple(glossary), dropped=tuple(ctx.dropped))


def is_sound_label(inner: str) -> bool:
    """True when bracketed text ``inner`` names a sound or stage direction ("laughs", "笑")."""
    inner = inner.strip()
    if not inner:
        return False
    if inner.startswith(_SOUND_WORDS_ZH):
        return len(inner) <= 12 or inner[:4].startswith(("音乐", "背景音乐", "片头", "片尾"))
    first = re.split(r"[\s:：,，;.]+", inner, maxsplit=1)[0].lower()
    return first in _SOUND_WORDS_EN


def find_sound_cues(text: str) -> list[tuple[int, int, str]]:
    """Stage directions and sound cues in ``text``: ``(laughs)``, ``[笑]``, ``(Intro music: …)``.

    Args:
        text: cleaned display text.

    Returns:
        ``(start, end, caption)`` per cue, in order, where ``caption`` is the
        WCAG-style non-speech caption, e.g. ``"[laughs]"``.
    """
    found: list[tuple[int, int, str]] = []
    for match in _BRACKETED.finditer(text):
        inner = match.group("inner")
        if is_sound_label(inner):
            found.append((match.start(), match.end(), f"[{inner.strip()}]"))
    return found


def is_sound_cue(text: str) -> bool:
    """True when ``text`` is nothing but one or more sound cues (and spaces)."""
    cues = find_sound_cues(text)
    if not cues:
        return False
    rest = []
    last = 0
    for start, end, _ in cues:
        rest.append(text[last:start])
        last = end
    rest.append(text[last:])
    return not "".join(rest).strip()
