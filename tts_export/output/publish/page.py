"""The listening page: the page's data in; one self-contained HTML5 document out.

Inline CSS and plain JavaScript (``page.css``, ``page.js`` beside this
module), no framework, no network: the audio, captions and downloads are
linked by relative URL, so the output folder can be copied to any static
host or opened from ``file://``. The document is complete without its
script (a readable transcript with chapters and downloads); the script adds
the sentence controls, their timestamps, the caption area, following,
search and ``#t=`` deep links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from tts_export.captions.readable import meta_items, meta_text, needs_space, sections, summary_text
from tts_export.common.units import clock, html_duration, shows_hours
from tts_export.output.publish.data import PageData, PageTurn, Sentence
from tts_export.output.publish.inline import marked, term_html, with_terms
from tts_export.output.publish.labels import labels
from tts_export.output.publish.timeline import (
    chapter_summary,
    css_colours,
    speaker_colours,
    strip_svg,
)
from tts_export.version import __version__

SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
DOWNLOADS = ("audio", "srt", "vtt", "ass", "txt", "html", "transcript_json", "chapters_json")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def build_page(data: PageData) -> str:
    """The page's HTML text (UTF-8, ``\\n`` line ends)."""
    words = labels(data.language)
    hours = shows_hours(data.duration_ms)
    colours = speaker_colours(data.speakers)
    body = [
        f'<body><a class="skip" href="#transcript-h">{words["skip"]}</a>',
        _header(data, words, hours),
        '<main class="wrap" id="main"><div class="side">',
        _player(data, words),
        _chapters(data, words, hours),
        _timeline(data, words, colours, hours),
        _downloads(data, words),
        "</div>",
        _transcript(data, words, colours, hours),
        "</main>",
        f'<footer class="wrap"><p>{words["footer"]}</p></footer>',
        f"<script>{_asset('page.js')}</script>",
        "</body></html>",
    ]
    return "\n".join([_head(data, words), *body]) + "\n"


def _head(data: PageData, words: Mapping[str, str]) -> str:
    esc = html.escape
    out = [
        "<!doctype html>",
        f'<html lang="{esc(data.language)}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(data.title)}</title>",
    ]
    summary = _summary(data, words)
    if summary:
        out.append(f'<meta name="description" content="{esc(summary)}">')
    out.append(f'<meta name="generator" content="tts-export {__version__}">')
    out.append(f"<style>{_asset('page.css')}{css_colours()}</style></head>")
    return "\n".join(out)


def _header(data: PageData, words: Mapping[str, str], hours: bool) -> str:
    lang = data.language
    out = ['<header class="wrap">', f"<h1>{marked(data.title, lang)}</h1>", '<dl class="meta">']
    for key, value in _meta_rows(data, words, hours):
        out.append(f"<div><dt>{words[key]}</dt><dd>{value}</dd></div>")
    out.append("</dl>")
    summary = _summary(data, words)
    if summary:
        out.append(f'<p class="summary">{marked(summary, lang)}</p>')
    out.append("</header>")
    return "\n".join(out)


def _player(data: PageData, words: Mapping[str, str]) -> str:
    files, lang = data.files, html.escape(data.language)
    audio = _href(files["audio"])
    tracks = ""
    if "vtt" in files:
        tracks += (
            f'<track kind="captions" src="{_href(files["vtt"])}" srclang="{lang}" '
            f'label="{words["captions"]}" default>'
        )
    if "chapters_vtt" in files:
        tracks += (
            f'<track kind="chapters" src="{_href(files["chapters_vtt"])}" srclang="{lang}" '
            f'label="{words["chapters"]}">'
        )
    speeds = "".join(
        f'<option value="{s:g}"{" selected" if s == 1 else ""}>{s:g}×</option>' for s in SPEEDS
    )
    return "\n".join(
        [
            '<section class="player" aria-labelledby="player-h">',
            f'<h2 id="player-h">{words["listen"]}</h2>',
            f'<audio id="audio" controls preload="metadata" src="{audio}">{tracks}'
            f'{words["audio_fallback"]}<a href="{audio}">{html.escape(files["audio"])}</a></audio>',
            f'<div class="controls"><label for="speed">{words["speed"]}</label> '
            f'<select id="speed">{speeds}</select>',
            f'<label class="check"><input type="checkbox" id="follow" checked> '
            f"{words['follow']}</label></div>",
            f'<p id="caption" class="caption" data-colon="{words["colon"]}">'
            f'<span class="vh">{words["caption"]}</span>'
            '<span class="who"></span> <span class="what"></span></p>',
            "</section>",
        ]
    )


def _chapters(data: PageData, words: Mapping[str, str], hours: bool) -> str:
    if len(data.chapters) < 2 and not data.chapters[0].title:
        return ""
    items = []
    for chapter in data.chapters:
        items.append(
            f'<li><a class="chap" href="#t={_seconds(chapter.start_ms)}" '
            f'data-c="{chapter.start_ms}">{_time(chapter.start_ms, hours)} '
            f"{marked(chapter.title, data.language)}</a></li>"
        )
    return (
        f'<nav aria-labelledby="chapters-h"><h2 id="chapters-h">{words["chapters"]}</h2>'
        f"<ol>{''.join(items)}</ol></nav>"
    )


def _timeline(
    data: PageData, words: Mapping[str, str], colours: Mapping[str, int], hours: bool
) -> str:
    rows = [s for s in data.speakers]
    names = [s or words["narrator"] for s in rows]
    legend = "".join(
        f'<li class="v{colours.get(s, 0)}">{marked(n, data.language)}</li>'
        for s, n in zip(rows, names, strict=True)
    )
    strips, text = [], []
    for n, chapter in enumerate(data.chapters, 1):
        # a range is not a datetime: one <time> for each end
        span = "–".join(_time(ms, hours) for ms in (chapter.start_ms, chapter.end_ms))
        title = marked(chapter.title, data.language)
        strips.append(f'<p class="tl-c" id="tl-l{n}">{title} {span}</p>')
        strips.append(strip_svg(data, chapter, rows, colours, f"tl-d{n}"))
        summary = chapter_summary(data, chapter, words, hours)
        text.append(f'<li id="tl-d{n}">{marked(summary, data.language)}</li>')
    help_text = words["timeline_help"].format(speakers=words["list_sep"].join(names))
    return "\n".join(
        [
            '<section class="tl" aria-labelledby="tl-h">',
            f'<h2 id="tl-h">{words["timeline"]}</h2>',
            f'<p class="help">{marked(help_text, data.language)}</p>',
            f'<ul class="legend">{legend}</ul>',
            "".join(strips),
            f"<details><summary>{words['timeline_text']}</summary><ol>{''.join(text)}</ol>"
            "</details>",
            "</section>",
        ]
    )


def _downloads(data: PageData, words: Mapping[str, str]) -> str:
    items = [
        f'<li><a href="{_href(data.files[kind])}">{words[kind]}</a></li>'
        for kind in DOWNLOADS
        if kind in data.files
    ]
    return (
        f'<section aria-labelledby="dl-h"><h2 id="dl-h">{words["downloads"]}</h2>'
        f'<ul class="dl">{"".join(items)}</ul></section>'
    )


def _transcript(
    data: PageData, words: Mapping[str, str], colours: Mapping[str, int], hours: bool
) -> str:
    out = [
        '<section class="transcript" aria-labelledby="transcript-h">',
        f'<h2 id="transcript-h" tabindex="-1">{words["transcript"]}</h2>',
        '<form id="search" role="search" class="search" hidden>',
        f'<label for="q">{words["search"]}</label> <input id="q" type="search" autocomplete="off">',
        f'<button type="button" id="prev">{words["prev"]}</button>'
        f'<button type="submit">{words["next"]}</button>',
        f'<p id="hits" role="status" data-n="{words["hits"]}" data-none="{words["no_hits"]}"></p>',
        "</form>",
        f'<div id="transcript" data-times="{_deltas(data)}"{" data-h" if hours else ""}>',
    ]
    for n, (heading, turns) in enumerate(_sections(data), 1):
        if heading:
            out.append(f'<section aria-labelledby="sec-{n}"><h3 id="sec-{n}">')
            out.append(f"{marked(heading, data.language)}</h3>")
        else:
            out.append("<section>")
        out += [_turn(t, data.language, words, colours) for t in turns]
        out.append("</section>")
    out.append("</div></section>")
    return "\n".join(out)


def _turn(
    turn: PageTurn, language: str, words: Mapping[str, str], colours: Mapping[str, int]
) -> str:
    terms = [term for term, _ in turn.glossary]
    parts: list[str] = []
    previous = ""
    prefix = _turn_id(turn)
    for sentence in turn.sentences:
        text = " ".join(sentence.text.split())
        body, used = with_terms(text, terms, language)
        terms = [t for t in terms if t not in used]
        if needs_space(previous, text):
            parts.append(" ")
        parts.append(_sentence(sentence, body, with_id=not prefix))
        previous = text or previous
    who = marked(turn.speaker or words["narrator"], language)
    turn_id = f" id={prefix}" if prefix else ""
    out = (
        f'<div class="turn v{colours.get(turn.speaker, 0)}"{turn_id}><p><b class=who>{who}</b>'
        f"{words['colon']}{''.join(parts)}</p>"
    )
    if turn.glossary:
        notes = "".join(
            f"<dt>{term_html(term, language, 'dfn')}</dt><dd>{marked(note, language)}</dd>"
            for term, note in turn.glossary
        )
        out += f"<dl class=gl>{notes}</dl>"
    return out + "</div>"


def _turn_id(turn: PageTurn) -> str:
    """The turn's id when its sentences are ``<id>u00``, ``<id>u01``... (the script's ids).

    The page's script then names each sentence from its turn and place, so the
    ids (the deep-link targets) cost no bytes per sentence; other ids are
    written out on each sentence.
    """
    first = turn.sentences[0].id
    prefix = first[:-3]
    if not (first.endswith("u00") and prefix):
        return ""
    ok = all(s.id == f"{prefix}u{n:02d}" for n, s in enumerate(turn.sentences))
    return prefix if ok else ""


def _sentence(sentence: Sentence, body: str, *, with_id: bool) -> str:
    sound = " class=snd" if sentence.kind == "sound" else ""
    named = f" id={sentence.id}" if with_id else ""
    return f"<span{named}{sound}>{body}</span>"


def _deltas(data: PageData) -> str:
    """Each sentence's start, in document order, as ms after the previous one's.

    The transcript's ``data-times``: a third of the bytes of a ``data-t`` per
    sentence, which the page's script sets from it (a long programme has
    hundreds of sentences, and the page is to stay near the transcript's size).
    """
    previous, out = 0, []
    for sentence in data.sentences:
        out.append(str(sentence.start_ms - previous))
        previous = sentence.start_ms
    return " ".join(out)


def _meta_rows(data: PageData, words: Mapping[str, str], hours: bool) -> list[tuple[str, str]]:
    rows = []
    for key, value in meta_items(data.meta):
        text = _value(value, words)
        if key in ("source", "url") and re.match(r"https?://\S+$", text):
            rows.append((key, f'<a href="{html.escape(text)}">{html.escape(text)}</a>'))
        else:
            rows.append((key, marked(text, data.language)))
    speakers = [s for s in data.speakers if s]
    if speakers:
        rows.append(("speakers", marked(words["list_sep"].join(speakers), data.language)))
    rows.append(("duration", _time(data.duration_ms, hours)))
    return rows


def _sections(data: PageData) -> list[tuple[str | None, list[PageTurn]]]:
    """Consecutive turns of one section, with the heading to show (the chapter's, if none)."""
    return sections(
        data.turns,
        data.chapters,
        key=lambda t: (t.section_index, t.section),
        start_ms=lambda t: t.sentences[0].start_ms,
    )


def _summary(data: PageData, words: Mapping[str, str]) -> str:
    return summary_text(data.meta, sep=words["list_sep"], colon=words["colon"])


def _value(value: Any, words: Mapping[str, str]) -> str:
    return meta_text(value, sep=words["list_sep"], colon=words["colon"])


def _href(name: str) -> str:
    """A relative URL for a file beside the page."""
    return html.escape(quote(name))


def _time(ms: int, hours: bool) -> str:
    """A time as shown (``05:03``) in a ``<time>`` whose ``datetime`` says it as a duration."""
    return f'<time datetime="{html_duration(ms)}">{clock(ms, hours=hours, pad=True)}</time>'


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.3f}".rstrip("0").rstrip(".")


@cache
def _asset(name: str) -> str:
    """``page.css`` or ``page.js``, without comments and indentation (fewer bytes to load)."""
    text = resources.files("tts_export.output.publish").joinpath(name).read_text(encoding="utf-8")
    text = _COMMENT.sub("", text)
    lines = (line.strip() for line in text.splitlines())
    text = "\n".join(line for line in lines if line and not line.startswith("//"))
    if name.endswith(".css"):  # the stylesheet has no strings in which spaces matter
        text = re.sub(r"\s*([{};:,>])\s*", r"\1", text).replace(";}", "}")
    return text
