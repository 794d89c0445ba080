"""Transcript text: transcript and timeline in; JSON, plain text and HTML text out.

``<stem>.transcript.json`` is a Podcasting 2.0 JSON transcript (one segment
per spoken sentence, with the display text's punctuation).
``<stem>.transcript.txt`` and ``<stem>.transcript.html`` are readable
transcripts for WCAG 1.2.1: title and metadata from the front matter,
section headings, speaker names, a timestamp per turn, and the glossary
notes kept as definitions even when they were dropped from speech. None of
them reads the captions: transcripts keep the display text as written, while
only captions follow the caption punctuation rules. ``formats`` writes the
files, atomically.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tts_export.captions.readable import (
    meta_items,
    meta_text,
    metadata_labels,
    needs_space,
    sections,
    summary_text,
)
from tts_export.common.lang import primary_subtag
from tts_export.common.units import clock, html_duration, shows_hours
from tts_export.models import Glossary, Placement, Timeline, Transcript, Turn

_OPENERS = "（([［【"
_CLOSERS = "）)]］】"
_CSS = (
    "body{font-family:system-ui,'Noto Sans CJK SC','Noto Sans',sans-serif;"
    "line-height:1.6;max-width:46em;margin:2em auto;padding:0 1em}"
    "time{color:#555;font-variant-numeric:tabular-nums}"
    ".speaker{font-weight:bold}dl.glossary{margin:.2em 0 1em 2em;font-size:.95em}"
    "dl.glossary dd{margin-left:1.5em}.turn{margin-bottom:.8em}"
)


@dataclass(frozen=True)
class TurnBlock:
    """One turn as placed on the programme: consecutive placements of the same turn.

    Attributes:
        section_index: index of the section the turn belongs to.
        section: the section's title, or None.
        speaker: who speaks.
        start_ms: start of the turn's first placement.
        end_ms: end of its last placement.
        text: the turn's display text (its utterances joined).
        glossary: the turn's glossary notes, whether or not they were spoken.
    """

    section_index: int
    section: str | None
    speaker: str
    start_ms: int
    end_ms: int
    text: str
    glossary: tuple[Glossary, ...]


def podcast_json_text(timeline: Timeline) -> str:
    """``podcast_json`` as the text of ``<stem>.transcript.json``: indented, final newline."""
    return json.dumps(podcast_json(timeline), ensure_ascii=False, indent=2) + "\n"


def podcast_json(timeline: Timeline) -> dict[str, Any]:
    """The Podcasting 2.0 transcript object: one segment per spoken sentence, times in seconds.

    Segments come from the placed utterances, not from the captions: the body
    is the display text with its own punctuation (captions drop Chinese commas
    and full stops, shorten ellipses and join short cues), and the speaker is
    only in its field, never inside the body. Sentences of punctuation alone
    (a stray closing quote) are left out, as in the captions.
    """
    segments = [
        {
            "speaker": p.utterance.speaker,
            "startTime": round(p.start_ms / 1000, 3),
            "endTime": round(p.end_ms / 1000, 3),
            "body": " ".join(p.utterance.display.split()),
        }
        for p in sorted(timeline.placements, key=lambda p: (p.start_ms, p.end_ms))
        if any(ch.isalnum() for ch in p.utterance.display)
    ]
    return {"version": "1.0.0", "segments": segments}


def join_text(parts: Sequence[str]) -> str:
    """Join caption lines or sentences: no space next to CJK or full-width text, else one."""
    out = ""
    for part in (" ".join(p.split()) for p in parts):
        if not part:
            continue
        if needs_space(out, part):
            out += " "
        out += part
    return out


def turn_blocks(timeline: Timeline, transcript: Transcript) -> list[TurnBlock]:
    """Group consecutive placements of the same turn, with the turn's glossary notes."""
    turns = [turn for section in transcript.sections for turn in section.turns]
    groups: list[list[Placement]] = []
    for placement in sorted(timeline.placements, key=lambda p: p.start_ms):
        if groups and groups[-1][0].utterance.turn_index == placement.utterance.turn_index:
            groups[-1].append(placement)
        else:
            groups.append([placement])
    blocks: list[TurnBlock] = []
    for group in groups:
        first = group[0].utterance
        turn = _find_turn(turns, first.turn_index, first.line, first.speaker)
        blocks.append(
            TurnBlock(
                section_index=first.section_index,
                section=first.section,
                speaker=first.speaker,
                start_ms=group[0].start_ms,
                end_ms=group[-1].end_ms,
                text=join_text([p.utterance.display for p in group]),
                glossary=turn.glossary if turn else (),
            )
        )
    return blocks


def note_text(glossary: Glossary) -> str:
    """The glossary note without its surrounding brackets."""
    note = glossary.note.strip()
    if len(note) >= 2 and note[0] in _OPENERS and note[-1] in _CLOSERS:
        note = note[1:-1].strip()
    return note


def plain_text(
    transcript: Transcript, blocks: Sequence[TurnBlock], timeline: Timeline, *, stem: str
) -> str:
    """A readable plain-text transcript (UTF-8, ``\\n`` line ends)."""
    colon = _colon(transcript.language)
    hours = shows_hours(timeline.duration_ms)
    out = [_title(transcript, stem)]
    out += [f"{name}{colon}{value}" for name, value in _meta_rows(transcript, timeline)]
    summary = _summary(transcript)
    if summary:
        out += ["", summary]
    for heading, section in _sections(blocks, timeline):
        if heading:
            out += ["", f"## {heading}"]
        out.append("")
        for block in section:
            who = f"{block.speaker}{colon}" if block.speaker else ""
            out.append(f"[{clock(block.start_ms, hours=hours, pad=True)}] {who}{block.text}")
            out += [f"    {g.term}{colon}{note_text(g)}" for g in block.glossary]
    return "\n".join(out).rstrip("\n") + "\n"


def html_text(
    transcript: Transcript, blocks: Sequence[TurnBlock], timeline: Timeline, *, stem: str
) -> str:
    """A self-contained HTML5 transcript: no scripts, no external resources."""
    esc = html.escape
    lang = transcript.language or "und"
    title = _title(transcript, stem)
    head = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
    ]
    author = transcript.meta.get("author")
    if author:
        head.append(f'<meta name="author" content="{esc(_value(author, lang))}">')
    summary = _summary(transcript)
    if summary:
        head.append(f'<meta name="description" content="{esc(summary)}">')
    head += ['<meta name="generator" content="tts-export">', f"<style>{_CSS}</style>", "</head>"]
    body = ["<body>", "<header>", f"<h1>{esc(title)}</h1>", '<dl class="meta">']
    for name, value in _meta_rows(transcript, timeline):
        body.append(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>")
    body.append("</dl>")
    if summary:
        body.append(f'<p class="summary">{esc(summary)}</p>')
    body += ["</header>", "<main>"]
    body += _html_sections(transcript, blocks, timeline)
    body += ["</main>", "</body>", "</html>"]
    return "\n".join(head + body) + "\n"


def _html_sections(
    transcript: Transcript, blocks: Sequence[TurnBlock], timeline: Timeline
) -> list[str]:
    esc = html.escape
    colon = _colon(transcript.language)
    hours = shows_hours(timeline.duration_ms)
    out: list[str] = []
    notes = 0
    for n, (heading, section) in enumerate(_sections(blocks, timeline), 1):
        if heading:
            out.append(f'<section aria-labelledby="section-{n}">')
            out.append(f'<h2 id="section-{n}">{esc(heading)}</h2>')
        else:
            out.append("<section>")
        for block in section:
            ids = tuple(f"note-{notes + i + 1}" for i in range(len(block.glossary)))
            notes += len(ids)
            out += _html_turn(block, ids, colon=colon, hours=hours)
        out.append("</section>")
    return out


def _html_turn(block: TurnBlock, ids: Sequence[str], *, colon: str, hours: bool) -> list[str]:
    """One turn: timestamp, speaker, text with linked terms, then the glossary definitions."""
    esc = html.escape
    shown = clock(block.start_ms, hours=hours, pad=True)
    stamp = f'<time datetime="{html_duration(block.start_ms)}">[{shown}]</time>'
    who = f'<span class="speaker">{esc(block.speaker)}</span>{colon}' if block.speaker else ""
    text = _linked_terms(block.text, block.glossary, ids)
    out = ['<div class="turn">', f"<p>{stamp} {who}{text}</p>"]
    if block.glossary:
        out.append('<dl class="glossary">')
        for anchor, g in zip(ids, block.glossary, strict=True):
            term = f'<dfn id="{anchor}">{esc(g.term)}</dfn>'
            out.append(f"<dt>{term}</dt><dd>{esc(note_text(g))}</dd>")
        out.append("</dl>")
    out.append("</div>")
    return out


def _linked_terms(text: str, glossary: Sequence[Glossary], ids: Sequence[str]) -> str:
    """Escape ``text`` and link each glossary term's first occurrence to its definition."""
    out: list[str] = []
    pos = 0
    for g, anchor in zip(glossary, ids, strict=True):
        at = text.find(g.term, pos) if g.term else -1
        if at < 0:
            continue
        out.append(html.escape(text[pos:at]))
        out.append(f'<a href="#{anchor}">{html.escape(g.term)}</a>')
        pos = at + len(g.term)
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _find_turn(turns: Sequence[Turn], index: int, line: int, speaker: str) -> Turn | None:
    """The turn an utterance came from: by index in the whole transcript, checked by line."""
    if 0 <= index < len(turns) and turns[index].line == line:
        return turns[index]
    for turn in turns:
        if turn.line == line and turn.speaker == speaker:
            return turn
    return None


def _meta_rows(transcript: Transcript, timeline: Timeline) -> list[tuple[str, str]]:
    labels = metadata_labels(transcript.language)
    rows = [
        (labels[key], _value(value, transcript.language))
        for key, value in meta_items(transcript.meta)
    ]
    if transcript.speakers:
        rows.append((labels["speakers"], _value(transcript.speakers, transcript.language)))
    hours = shows_hours(timeline.duration_ms)
    rows.append((labels["duration"], clock(timeline.duration_ms, hours=hours, pad=True)))
    return rows


def _title(transcript: Transcript, stem: str) -> str:
    untitled = metadata_labels(transcript.language)["untitled"]
    return " ".join((transcript.title or stem or untitled).split())


def _colon(language: str) -> str:
    return "：" if primary_subtag(language) in ("zh", "ja") else ": "


def _value(value: Any, language: str = "en") -> str:
    """A front-matter value as text; lists joined with 、 in Chinese, ", " otherwise."""
    return meta_text(value, sep=metadata_labels(language)["list_sep"], colon=_colon(language))


def _summary(transcript: Transcript) -> str:
    sep = metadata_labels(transcript.language)["list_sep"]
    return summary_text(transcript.meta, sep=sep, colon=_colon(transcript.language))


def _sections(
    blocks: Sequence[TurnBlock], timeline: Timeline
) -> list[tuple[str | None, list[TurnBlock]]]:
    """Consecutive blocks of one section, with the heading to show (None: no heading)."""
    return sections(
        blocks,
        timeline.chapters,
        key=lambda b: (b.section_index, b.section),
        start_ms=lambda b: b.start_ms,
    )
