"""The page's data: a render's manifest in; the sentences, turns and chapters it shows out.

A page is built from the manifest alone (no synthesis, no transcript): the
utterances with their times, turns and sections, the chapters, the speakers
and the names of the files beside it (``Manifest.read`` has checked them all:
ids are plain identifiers, file names plain names). A manifest from an older render,
without ``language``, ``sections`` or ``turns``, still gives a page: the
language is detected from the text and turns are told apart by their source
line; only the glossary notes are then missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tts_export.common.lang import detect_language
from tts_export.errors import TtsExportError
from tts_export.output.manifest import Manifest, UtteranceRecord

_RERENDER = "render it again with `tts-export render`, which writes the manifest"


class PageError(TtsExportError):
    """A listening page cannot be made from what was given.

    Attributes:
        path: the manifest, folder or stem given.
    """

    def __init__(self, path: str, problem: str, *, hint: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {problem}", hint=hint)


@dataclass(frozen=True)
class Sentence:
    """One utterance on the page: a control that seeks the audio to ``start_ms``."""

    id: str
    start_ms: int
    end_ms: int
    text: str
    kind: str


@dataclass(frozen=True)
class PageTurn:
    """One speaker's turn: its sentences in order and its glossary notes (term, note)."""

    index: int
    section_index: int
    section: str | None
    speaker: str
    sentences: tuple[Sentence, ...]
    glossary: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PageChapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class PageData:
    """Everything the page shows, checked.

    Attributes:
        stem: the render's file stem.
        title: the programme's title (the stem when there is none).
        language: BCP-47 tag of the transcript.
        meta: the front matter (empty for an older manifest).
        duration_ms: the audio's length.
        files: output kind -> file name, for the files beside the page.
        speakers: speakers in order of first appearance on the programme.
        turns: the turns in programme order.
        chapters: the chapters in order (at least one: the whole programme).
    """

    stem: str
    title: str
    language: str
    meta: Mapping[str, Any]
    duration_ms: int
    files: Mapping[str, str]
    speakers: tuple[str, ...]
    turns: tuple[PageTurn, ...]
    chapters: tuple[PageChapter, ...]

    @property
    def sentences(self) -> list[Sentence]:
        return [s for turn in self.turns for s in turn.sentences]


def page_data(manifest: Manifest, *, stem: str, where: str = "manifest") -> PageData:
    """Turn a render's manifest (read and checked by ``Manifest.read``) into the page's data.

    Args:
        manifest: a render's manifest.
        stem: the render's file stem.
        where: how to name the manifest in an error.

    Raises:
        PageError: the manifest has no utterances to show.
    """
    if not manifest.utterances:
        raise PageError(where, "'utterances' is missing or empty", hint=_RERENDER)
    files = dict(manifest.files)
    files.setdefault("audio", manifest.audio)
    utterances = sorted(manifest.utterances, key=lambda u: (u.start_ms, max(u.end_ms, u.start_ms)))
    language = manifest.language or detect_language("".join(u.display for u in utterances))
    title = manifest.title or manifest.meta.get("title") or stem
    return PageData(
        stem=stem,
        title=" ".join(str(title).split()),
        language=language,
        meta=manifest.meta,
        duration_ms=manifest.duration_ms,
        files=files,
        speakers=tuple(dict.fromkeys(u.speaker for u in utterances)),
        turns=_turns(utterances, manifest),
        chapters=_chapters(manifest),
    )


def _turns(utterances: Sequence[UtteranceRecord], manifest: Manifest) -> tuple[PageTurn, ...]:
    """Consecutive utterances of one turn (by ``turn_index``, or by source line)."""
    notes = {t.index: tuple((g.term, g.note) for g in t.glossary) for t in manifest.turns or ()}
    titles = {s.index: s.title for s in manifest.sections or ()}
    turns: list[PageTurn] = []
    last: object = object()
    for u in utterances:
        key = u.turn_index if u.turn_index is not None else (u.line, u.speaker)
        sentence = Sentence(u.id, u.start_ms, max(u.end_ms, u.start_ms), u.display, u.kind)
        if turns and key == last:
            previous = turns[-1]
            turns[-1] = replace(previous, sentences=(*previous.sentences, sentence))
            continue
        last = key
        section_index = u.section_index if u.section_index is not None else -1
        turns.append(
            PageTurn(
                index=u.turn_index if u.turn_index is not None else len(turns),
                section_index=section_index,
                section=titles.get(section_index, u.section),
                speaker=u.speaker,
                sentences=(sentence,),
                glossary=notes.get(u.turn_index, ()) if u.turn_index is not None else (),
            )
        )
    return tuple(turns)


def _chapters(manifest: Manifest) -> tuple[PageChapter, ...]:
    made = [
        PageChapter(c.title, c.start_ms, max(c.end_ms, c.start_ms + 1)) for c in manifest.chapters
    ]
    chapters = sorted(made, key=lambda c: c.start_ms)
    return tuple(chapters) or (PageChapter("", 0, max(manifest.duration_ms, 1)),)
