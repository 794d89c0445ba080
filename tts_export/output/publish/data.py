"""The page's data: a render's manifest in; checked, typed sentences, turns and chapters out.

A page is built from the manifest alone (no synthesis, no transcript): the
utterances with their times, turns and sections, the chapters, the speakers
and the names of the files beside it. A manifest from an older render,
without ``language``, ``sections`` or ``turns``, still gives a page: the
language is detected from the text and turns are told apart by their source
line; only the glossary notes are then missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from tts_export.common.lang import detect_language
from tts_export.errors import TtsExportError

MANIFEST_SUFFIX = ".manifest.json"
_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
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


def locate_manifest(target: Path) -> Path:
    """The manifest a page is made from: a manifest file, ``OUTDIR/STEM``, or a folder with one.

    Raises:
        PageError: nothing (or more than one render) is found there.
    """
    if target.name.endswith(MANIFEST_SUFFIX) and target.is_file():
        return target
    if target.is_dir():
        found = sorted(target.glob(f"*{MANIFEST_SUFFIX}"))
        if len(found) == 1:
            return found[0]
        problem = "holds no render manifest" if not found else "holds more than one render"
        raise PageError(str(target), problem, hint="give OUTDIR/STEM, e.g. out/episode")
    candidate = target.with_name(target.name + MANIFEST_SUFFIX)
    if candidate.is_file():
        return candidate
    raise PageError(
        str(target),
        f"no render found (looked for {candidate.name})",
        hint="give OUTDIR/STEM of a finished render, e.g. out/episode; " + _RERENDER,
    )


def read_manifest(path: Path) -> Mapping[str, Any]:
    """The manifest's JSON object.

    Raises:
        PageError: the file cannot be read or is not a JSON object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PageError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise PageError(str(path), f"is not valid JSON ({exc})", hint=_RERENDER) from None
    if not isinstance(data, Mapping):
        raise PageError(str(path), "is not a render manifest (not a JSON object)", hint=_RERENDER)
    return data


def page_data(manifest: Mapping[str, Any], *, stem: str, where: str = "manifest") -> PageData:
    """Check a manifest and turn it into the page's data.

    Args:
        manifest: a render's manifest (``build_manifest``).
        stem: the render's file stem.
        where: how to name the manifest in an error.

    Raises:
        PageError: a field the page needs is missing or of the wrong type.
    """
    check = _Checker(where)
    raw_utterances = check.items(manifest, "utterances")
    files = {
        str(k): check.file_name(v, f"files.{k}")
        for k, v in check.mapping(manifest, "files").items()
    }
    files.setdefault("audio", check.file_name(manifest.get("audio"), "audio"))
    utterances = sorted(
        (check.utterance(u, n) for n, u in enumerate(raw_utterances)),
        key=lambda u: (u[1].start_ms, u[1].end_ms),
    )
    meta = manifest.get("meta") if isinstance(manifest.get("meta"), Mapping) else {}
    language = manifest.get("language")
    if not isinstance(language, str) or not language:
        language = detect_language("".join(s.text for _, s, _ in utterances))
    duration = check.integer(manifest, "duration_ms")
    title = manifest.get("title") or (meta or {}).get("title") or stem
    return PageData(
        stem=stem,
        title=" ".join(str(title).split()),
        language=language,
        meta=meta or {},
        duration_ms=duration,
        files=files,
        speakers=tuple(dict.fromkeys(info["speaker"] for info, _, _ in utterances)),
        turns=_turns(utterances, manifest),
        chapters=_chapters(check, manifest, duration),
    )


def _turns(
    utterances: Sequence[tuple[dict[str, Any], Sentence, Any]], manifest: Mapping[str, Any]
) -> tuple[PageTurn, ...]:
    """Consecutive utterances of one turn (by ``turn_index``, or by source line)."""
    notes: dict[int, tuple[tuple[str, str], ...]] = {}
    titles: dict[int, str | None] = {}
    for item in manifest.get("turns") or ():
        if isinstance(item, Mapping) and isinstance(item.get("index"), int):
            notes[item["index"]] = tuple(
                (str(g.get("term", "")), str(g.get("note", "")))
                for g in item.get("glossary") or ()
                if isinstance(g, Mapping)
            )
    for item in manifest.get("sections") or ():
        if isinstance(item, Mapping) and isinstance(item.get("index"), int):
            titles[item["index"]] = item.get("title")
    turns: list[PageTurn] = []
    last: Any = object()
    for info, sentence, key in utterances:
        if turns and key == last:
            previous = turns[-1]
            turns[-1] = PageTurn(
                previous.index,
                previous.section_index,
                previous.section,
                previous.speaker,
                (*previous.sentences, sentence),
                previous.glossary,
            )
            continue
        last = key
        section_index = info["section_index"]
        turn_index = info["turn_index"]
        turns.append(
            PageTurn(
                index=turn_index if turn_index is not None else len(turns),
                section_index=section_index,
                section=titles.get(section_index, info["section"]),
                speaker=info["speaker"],
                sentences=(sentence,),
                glossary=notes.get(turn_index, ()) if turn_index is not None else (),
            )
        )
    return tuple(turns)


def _chapters(
    check: _Checker, manifest: Mapping[str, Any], duration: int
) -> tuple[PageChapter, ...]:
    chapters = []
    for n, item in enumerate(manifest.get("chapters") or ()):
        where = f"chapters[{n}]"
        if not isinstance(item, Mapping):
            check.fail(f"{where} is not an object")
        start = check.integer(item, "start_ms", where)
        end = check.integer(item, "end_ms", where)
        chapters.append(PageChapter(str(item.get("title") or ""), start, max(end, start + 1)))
    chapters.sort(key=lambda c: c.start_ms)
    return tuple(chapters) or (PageChapter("", 0, max(duration, 1)),)


class _Checker:
    """Reads manifest fields, raising ``PageError`` that names the field."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, problem: str) -> NoReturn:
        raise PageError(self.where, problem, hint=_RERENDER)

    def items(self, data: Mapping[str, Any], key: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.fail(f"'{key}' is missing or empty")
        return list(value)

    def mapping(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.fail(f"'{key}' is not an object")
        return value

    def integer(self, data: Mapping[str, Any], key: str, where: str = "") -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"'{where + '.' if where else ''}{key}' is not a whole number of ms")
        return int(value)

    def file_name(self, value: Any, key: str) -> str:
        # only plain names: the page links to the files beside it and nowhere else
        if not isinstance(value, str) or not value or Path(value).name != value or value[0] == ".":
            self.fail(f"'{key}' is not a file name beside the manifest: {value!r}")
        return str(value)

    def utterance(self, item: Any, n: int) -> tuple[dict[str, Any], Sentence, Any]:
        where = f"utterances[{n}]"
        if not isinstance(item, Mapping):
            self.fail(f"{where} is not an object")
        uid = item.get("id")
        if not isinstance(uid, str) or not _SAFE_ID.fullmatch(uid):
            self.fail(f"{where}.id is not a plain identifier: {uid!r}")
        start = self.integer(item, "start_ms", where)
        end = self.integer(item, "end_ms", where)
        text = item.get("display")
        speaker = item.get("speaker") or ""
        if not isinstance(text, str) or not isinstance(speaker, str):
            self.fail(f"{where}.display or .speaker is not text")
        turn_index = item.get("turn_index")
        section_index = item.get("section_index")
        info = {
            "speaker": speaker,
            "section": item.get("section") if isinstance(item.get("section"), str) else None,
            "turn_index": turn_index if isinstance(turn_index, int) else None,
            "section_index": section_index if isinstance(section_index, int) else -1,
        }
        key = turn_index if isinstance(turn_index, int) else (item.get("line"), speaker)
        sentence = Sentence(uid, start, max(end, start), text, str(item.get("kind") or "speech"))
        return info, sentence, key
