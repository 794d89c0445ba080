"""Transcript text → ``Transcript``: front matter, then the body's sections, turns and notes.

``read_transcript`` reads and decodes a file; ``parse_text`` is pure. The body
is cut into Markdown blocks (headings, paragraphs, list items; code, tables
and comments skipped), then walked with the detected dialect: a heading opens
a section, a speaker label opens a turn. Lines are numbered as in the file
(front matter included) in every note and error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tts_export.common.lang import detect_language, is_cjk
from tts_export.errors import TranscriptError
from tts_export.models import Glossary, Note, Section, Transcript, Turn
from tts_export.transcript import dialects, labels
from tts_export.transcript.front_matter import declared_speakers, given_language, read_front_matter
from tts_export.transcript.markup import clean_inline, is_sound_cue
from tts_export.transcript.source import read_source, split_lines

NARRATOR = {"zh": "旁白", "en": "Narrator"}

_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT_H1 = re.compile(r"^\s{0,3}=+\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_LIST = re.compile(r"^\s{0,3}(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+(.*)$")
_FOOTNOTE_DEF = re.compile(r"^\s{0,3}\[\^[^\]\s]{1,40}\]:")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class _Block:
    kind: Literal["heading", "para", "list"]
    lines: list[tuple[int, str]] = field(default_factory=list)


def read_transcript(
    path: str | os.PathLike[str], *, dialect: str | None = None, strict: bool = False
) -> Transcript:
    """Read, decode and parse a transcript file.

    Args:
        path: the file (UTF-8, UTF-8 with BOM, UTF-16/32 with BOM).
        dialect: force a speaker-label dialect (see ``dialects.DIALECTS``);
            None detects it.
        strict: turn warnings into errors.

    Returns:
        The parsed transcript.

    Raises:
        TranscriptError: the file is missing, unreadable, binary, badly encoded,
            or its content cannot be parsed (see ``parse_text``).
        ConfigError: ``dialect`` is not a known dialect.
    """
    name = os.fspath(path)
    return parse_text(read_source(name), path=name, dialect=dialect, strict=strict)


def _blocks(lines: list[str], start: int, notes: list[Note]) -> list[_Block]:
    blocks: list[_Block] = []
    para: _Block | None = None
    fence: tuple[str, int] | None = None
    comment = False
    table_at = 0
    for index in range(start, len(lines)):
        number, line = index + 1, lines[index]
        if fence is not None:
            if line.strip().startswith(fence[0]):
                fence = None
            continue
        if comment:
            comment = "-->" not in line
            continue
        if (opened := _FENCE.match(line)) is not None:
            fence, para = (opened.group(1)[0] * 3, number), None
            notes.append(Note(number, "code block skipped (not read aloud)"))
            continue
        if line.lstrip().startswith("<!--") and "-->" not in line:
            comment, para = True, None
            continue
        if not line.strip() or _RULE.match(line):
            para = None
            continue
        if _FOOTNOTE_DEF.match(line):
            para = None  # a footnote definition is reference matter, not read aloud
            continue
        if _TABLE.match(line):
            if table_at != number - 1:
                notes.append(Note(number, "table skipped (not read aloud)"))
            table_at, para = number, None
            continue
        if (
            para is not None
            and para.kind == "para"
            and len(para.lines) == 1
            and _SETEXT_H1.match(line)
        ):
            para.kind = "heading"
            para = None
            continue
        if (heading := _HEADING.match(line)) is not None:
            blocks.append(_Block("heading", [(number, heading.group(2) or "")]))
            para = None
        elif (item := _LIST.match(line)) is not None:
            para = _Block("list", [(number, item.group(1))])
            blocks.append(para)
        else:
            quoted = _QUOTE.match(line)
            text = _CONTROL.sub(" ", quoted.group(1) if quoted else line).strip()
            if para is None:
                para = _Block("para")
                blocks.append(para)
            para.lines.append((number, text))
    if fence is not None:
        notes.append(Note(fence[1], "code block never closed; the rest of the file is skipped"))
    return blocks


def _join(parts: list[str]) -> str:
    out: list[str] = []
    for part in parts:
        if out and out[-1] and part and not (is_cjk(out[-1][-1]) and is_cjk(part[0])):
            out.append(" ")
        out.append(part)
    return "".join(out)


class _Builder:
    """Accumulates sections and turns while walking the blocks."""

    def __init__(self, narrator: str) -> None:
        self.narrator = narrator
        self.sections: list[Section] = []
        self.title: str | None = None
        self.title_line = 0
        self.turns: list[Turn] = []
        self.speaker: str | None = None  # who speaks now (None: narrator until a label)
        self.turn_line = 0
        self.paras: list[tuple[int, str]] = []  # (first line, text) per paragraph
        self.lines: list[str] = []  # lines of the paragraph being read
        self.para_line = 0
        self.notes: list[Note] = []

    def end_para(self) -> None:
        if self.lines:
            self.paras.append((self.para_line or self.turn_line, _join(self.lines)))
            self.lines = []
        self.para_line = 0

    def add(self, line: int, text: str) -> None:
        if not self.lines:
            self.para_line = line
        self.lines.append(text)

    def end_turn(self) -> None:
        self.end_para()
        texts: list[str] = []
        glossary: list[Glossary] = []
        offset = 0
        line = self.turn_line
        for para_line, para in self.paras:
            cleaned = clean_inline(para)
            if not cleaned.text:
                continue
            if is_sound_cue(cleaned.text):
                self._push_text(texts, glossary, line)
                texts, glossary, offset, line = [], [], 0, 0
                self.turns.append(
                    Turn(self.speaker or self.narrator, cleaned.text, para_line, kind="sound")
                )
                continue
            line = line or para_line
            if texts:
                offset += 1
            glossary += [
                Glossary(g.term, g.note, g.start + offset, g.end + offset) for g in cleaned.glossary
            ]
            texts.append(cleaned.text)
            offset += len(cleaned.text)
        self._push_text(texts, glossary, line)
        self.paras = []

    def _push_text(self, texts: list[str], glossary: list[Glossary], line: int) -> None:
        if texts:
            self.turns.append(
                Turn(self.speaker or self.narrator, "\n".join(texts), line, tuple(glossary))
            )

    def start_turn(self, speaker: str | None, line: int) -> None:
        self.end_turn()
        self.speaker, self.turn_line = speaker, line

    def heading(self, line: int, title: str) -> None:
        self.end_turn()
        self.end_section()
        self.title, self.title_line = title, line
        self.speaker, self.turn_line = None, 0

    def end_section(self) -> None:
        self.end_turn()
        if self.turns:
            self.sections.append(Section(self.title, tuple(self.turns), self.title_line))
        elif self.title is not None:
            self.notes.append(
                Note(self.title_line, f"heading {self.title!r} has no text under it; no chapter")
            )
        self.turns = []


def _walk(blocks: list[_Block], detection: dialects.Detection, narrator: str) -> _Builder:
    build = _Builder(narrator)
    for block in blocks:
        if block.kind == "heading":
            number, raw = block.lines[0]
            title = clean_inline(raw).text
            if title:
                build.heading(number, title)
            continue
        build.end_para()
        for number, text in block.lines:
            label = (
                dialects.find_label(text, detection.style, detection)
                if block.kind == "para"
                else None
            )
            if label is not None:
                speaker = detection.declared.get(label.name, label.name)
                build.start_turn(speaker, number)
                if label.text:
                    build.add(number, label.text)
                continue
            if labels.is_timestamp_only(text):
                continue
            stamp, rest, strong = labels.split_timestamp(text)
            if stamp and (strong or detection.timestamped):
                text = rest.strip()
            if build.speaker is None and build.turn_line == 0:
                build.turn_line = number
            build.add(number, text)
        build.end_para()
    build.end_section()
    return build


def parse_text(
    text: str, *, path: str = "<string>", dialect: str | None = None, strict: bool = False
) -> Transcript:
    """Parse transcript text (no I/O).

    Args:
        text: the whole file as text.
        path: shown in notes and errors.
        dialect: force a dialect (``colon``, ``bold``, ``bracket``, ``screenplay``,
            ``prose``, ``timestamped``, ``timestamped-<style>``); None detects it.
        strict: turn warnings into errors.

    Returns:
        The transcript: front matter, sections of turns, dialect, language, notes.

    Raises:
        TranscriptError: malformed or non-mapping front matter, an empty body,
            nothing to read, or (strict) any warning.
        ConfigError: ``dialect`` is not a known dialect.
    """
    force, timestamped = dialects.parse_option(dialect)
    lines = split_lines(text)
    meta, start = read_front_matter(lines, path)
    if not any(line.strip() for line in lines[start:]):
        what = "only front matter and no transcript" if start else "the file is empty"
        raise TranscriptError(path, 0, what, hint="add the transcript text under the front matter")
    notes: list[Note] = []
    blocks = _blocks(lines, start, notes)
    candidates = [pair for b in blocks if b.kind == "para" for pair in b.lines]
    detection = dialects.detect(
        candidates, declared=declared_speakers(meta), force=force, timestamped=timestamped
    )
    language = _language(meta, blocks)
    build = _walk(blocks, detection, NARRATOR.get(language, NARRATOR["en"]))
    notes += build.notes
    notes += [
        Note(line, f"speaker {name!r} has only one turn; check that it is a speaker label")
        for line, name in detection.once
    ]
    notes += [
        Note(
            line,
            f"{name!r} looks like a speaker label but the file's pattern does not "
            f"support it; read as text (use --dialect to force)",
        )
        for line, name in detection.rejected
    ]
    notes += [
        Note(line, f"{name!r} looks like a speaker label but {why}; read as text of the turn above")
        for line, name, why in detection.suspects
    ]
    if not build.sections:
        raise TranscriptError(
            path,
            0,
            "nothing to read: no speaker turns and no prose",
            hint="add text under the front matter and headings",
        )
    notes.sort(key=lambda note: note.line)
    if strict and notes:
        raise TranscriptError(
            path,
            notes[0].line,
            notes[0].message,
            hint="fix the line, or run without --strict to accept it",
        )
    return Transcript(
        path=path,
        meta=meta,
        sections=tuple(build.sections),
        dialect=detection.name,
        language=language,
        notes=tuple(notes),
    )


def _language(meta: Mapping[str, Any], blocks: list[_Block]) -> str:
    given = given_language(meta)
    if given is not None:
        return given
    sample: list[str] = []
    size = 0
    for block in blocks:
        for _, line in block.lines:
            sample.append(line)
            size += len(line)
        if size > 200_000:  # enough to decide; keeps a 10 MB file cheap
            break
    return detect_language("\n".join(sample))
