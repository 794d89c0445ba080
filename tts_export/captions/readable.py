"""Readable texts: front matter and chapters in; field names, values and headings out.

The readable transcripts (``transcripts``) and the listening page
(``output.publish``) show the same metadata rows, summary and section
headings; these are the only copies of the rules for them, so the two cannot
drift apart. Each caller escapes and marks up the text its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from tts_export.common.lang import is_chinese, is_fullwidth

META_KEYS = ("author", "host", "date", "source", "url", "tags")
SUMMARY_KEYS = ("summary", "description")

_LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "author": "作者",
        "host": "主持",
        "date": "日期",
        "source": "来源",
        "url": "链接",
        "tags": "标签",
        "speakers": "说话人",
        "duration": "时长",
        "glossary": "注释",
        "untitled": "文字稿",
        "list_sep": "、",
    },
    "en": {
        "author": "Author",
        "host": "Host",
        "date": "Date",
        "source": "Source",
        "url": "Link",
        "tags": "Tags",
        "speakers": "Speakers",
        "duration": "Duration",
        "glossary": "Notes",
        "untitled": "Transcript",
        "list_sep": ", ",
    },
}

T = TypeVar("T")


class _Titled(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def start_ms(self) -> int: ...


def metadata_labels(language: str) -> Mapping[str, str]:
    """Names of the metadata fields (author, date, speakers, ...) in the transcript's language.

    Also ``list_sep``, the separator of list values. The one home of these
    words: the readable transcripts and the listening page use them.
    """
    return _LABELS["zh"] if is_chinese(language) else _LABELS["en"]


def meta_items(meta: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The metadata fields a reader is shown, in order: ``META_KEYS`` that hold a value."""
    return [(key, meta[key]) for key in META_KEYS if meta.get(key) not in (None, "", [], {})]


def meta_text(value: Any, *, sep: str, colon: str) -> str:
    """A front-matter value as text: list items joined by ``sep``, mappings as ``k{colon}v``."""
    if isinstance(value, list | tuple):
        return sep.join(str(v) for v in value)
    if isinstance(value, Mapping):
        return sep.join(f"{k}{colon}{v}" for k, v in value.items())
    return str(value)


def summary_text(meta: Mapping[str, Any], *, sep: str, colon: str) -> str:
    """The first of ``summary``/``description`` that is set, on one line ("" without one)."""
    for key in SUMMARY_KEYS:
        value = meta.get(key)
        if value:
            return " ".join(meta_text(value, sep=sep, colon=colon).split())
    return ""


def needs_space(left: str, right: str) -> bool:
    """Whether two pieces of text join with a space: never next to CJK or full-width text."""
    return bool(left and right) and not (is_fullwidth(left[-1]) or is_fullwidth(right[0]))


def chapter_title(chapters: Iterable[_Titled], at_ms: int) -> str | None:
    """The title of the chapter playing at ``at_ms`` (e.g. the intro before any heading)."""
    title = None
    for chapter in sorted(chapters, key=lambda c: c.start_ms):
        if chapter.start_ms <= at_ms:
            title = chapter.title or None
    return title


def sections(
    items: Iterable[T],
    chapters: Sequence[_Titled],
    *,
    key: Callable[[T], tuple[int, str | None]],
    start_ms: Callable[[T], int],
) -> list[tuple[str | None, list[T]]]:
    """Consecutive items of one section, with the heading to show (None: no heading).

    Args:
        items: turns in programme order.
        chapters: the programme's chapters; an untitled section is headed by the
            chapter playing where it starts.
        key: an item's (section index, section title).
        start_ms: where an item starts.
    """
    out: list[tuple[str | None, list[T]]] = []
    last: tuple[int, str | None] | None = None
    for item in items:
        here = key(item)
        if not out or here != last:
            out.append((here[1] or chapter_title(chapters, start_ms(item)), []))
            last = here
        out[-1][1].append(item)
    return out
