"""Inline text for the page: plain text in; escaped HTML with ``lang`` on foreign runs out.

WCAG 3.1.2 (language of parts): inside Chinese text, runs of Latin words
(``Sora 2``, ``OpenAI``) are marked ``lang="en"`` so that screen readers
switch voice; inside English text, runs of Han characters are marked
``lang="zh"``. A foreign run is an ``<i lang>`` (HTML's element for a phrase
from another language; the page sets it upright): the shortest markup, as
a long Chinese transcript holds hundreds of English names. Glossary terms
are set in bold, as in the source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from tts_export.common.lang import HAN_CLASS, is_chinese

# Two or more Latin letters (with digits, spaces, dots, apostrophes and hyphens
# between words): a lone letter such as the "A" of "A股" is not an English term.
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ .'’&+/-]*[A-Za-z0-9]+)*")
_HAN_RUN = re.compile(f"[{HAN_CLASS}][{HAN_CLASS}\u3000-\u303f\uff01-\uff5e]*")
_LETTER = re.compile(r"[A-Za-z]")


def foreign_runs(text: str, language: str) -> list[tuple[int, int, str]]:
    """Spans of ``text`` in another language than the page's: (start, end, tag)."""
    if is_chinese(language):
        return [
            (m.start(), m.end(), "en")
            for m in _LATIN_RUN.finditer(text)
            if len(_LETTER.findall(m.group())) >= 2
        ]
    return [(m.start(), m.end(), "zh") for m in _HAN_RUN.finditer(text)]


def marked(text: str, language: str) -> str:
    """``text`` escaped, with each foreign run wrapped in ``<i lang>``."""
    out: list[str] = []
    pos = 0
    for start, end, tag in foreign_runs(text, language):
        out.append(html.escape(text[pos:start], quote=False))
        out.append(f"<i lang={tag}>{html.escape(text[start:end], quote=False)}</i>")
        pos = end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def whole_run(text: str, language: str) -> str | None:
    """The tag when all of ``text`` is one foreign run (``Sora 2`` in Chinese), else None."""
    runs = foreign_runs(text, language)
    if len(runs) == 1 and runs[0][0] == 0 and runs[0][1] == len(text):
        return runs[0][2]
    return None


def term_html(term: str, language: str, tag: str = "b") -> str:
    """A glossary term in ``<b>`` (or ``tag``), with ``lang`` on the element when it is foreign."""
    whole = whole_run(term, language)
    if whole:
        return f"<{tag} lang={whole}>{html.escape(term, quote=False)}</{tag}>"
    return f"<{tag}>{marked(term, language)}</{tag}>"


def with_terms(text: str, terms: Sequence[str], language: str) -> tuple[str, set[str]]:
    """``marked(text)`` with the first occurrence of each term in bold, and the terms found."""
    spans: list[tuple[int, int]] = []
    used: set[str] = set()
    for term in terms:
        at = text.find(term) if term else -1
        while at >= 0 and any(s < at + len(term) and at < e for s, e in spans):
            at = text.find(term, at + 1)
        if at >= 0:
            spans.append((at, at + len(term)))
            used.add(term)
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        out.append(marked(text[pos:start], language))
        out.append(term_html(text[start:end], language))
        pos = end
    out.append(marked(text[pos:], language))
    return "".join(out), used
