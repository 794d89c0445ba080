"""The parts of a manifest: frozen records, each read from its JSON object and written back as is.

Reading checks every field (its type; that times, counts and indexes are
whole numbers; that file names are plain names beside the manifest); the
first field that is wrong is one ``ManifestError`` naming the file and the
field. Fields added after the first manifest format may be absent, as in a
manifest an older version wrote: an utterance's ``turn_index`` and
``section_index``, ``stats.repaired``, and an output group's ``measured`` and
``cues``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal, NoReturn

from tts_export.errors import ManifestError

HINT = "render it again with `tts-export render`, which writes the manifest"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")  # the page uses ids as HTML ids and URL fragments


class Fields:
    """One JSON object of a manifest being read, with getters that name the field when it is wrong.

    Args:
        data: the JSON value that should be an object.
        file: the manifest's path, for the error.
        where: the object's place in the manifest (``utterances[3]``); "" for the top.
    """

    def __init__(self, data: object, *, file: str, where: str = "") -> None:
        self.file = file
        self.where = where
        if not isinstance(data, Mapping):
            self.fail(f"'{where}' is not an object" if where else "is not a JSON object")
        self.data: Mapping[str, Any] = data

    def fail(self, problem: str) -> NoReturn:
        raise ManifestError(self.file, problem, hint=HINT)

    def label(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def value(self, key: str) -> Any:
        if key not in self.data:
            self.fail(f"'{self.label(key)}' is missing")
        return self.data[key]

    def _wrong(self, key: str, what: str) -> NoReturn:
        self.fail(f"'{self.label(key)}' is not {what}: {self.data.get(key)!r:.60}")

    def text(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str):
            self._wrong(key, "text")
        return value

    def optional_text(self, key: str) -> str | None:
        """Text, or None when the field is null or absent."""
        return None if self.data.get(key) is None else self.text(key)

    def whole(self, key: str) -> int:
        value = self.value(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self._wrong(key, "a whole number, 0 or more")
        return value

    def optional_whole(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.whole(key)

    def number(self, key: str) -> float | None:
        """A number as written (an int stays an int, so it is written back the same), or None."""
        value = self.data.get(key)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            self._wrong(key, "a number")
        return value

    def flag(self, key: str) -> bool:
        value = self.value(key)
        if not isinstance(value, bool):
            self._wrong(key, "true or false")
        return value

    def kind(self, key: str) -> Literal["speech", "sound"]:
        value = self.value(key)
        if value not in ("speech", "sound"):
            self._wrong(key, "'speech' or 'sound'")
        return "sound" if value == "sound" else "speech"

    def file_name(self, key: str) -> str:
        # only plain names: readers open the files beside the manifest and nowhere else
        value = self.value(key)
        if not isinstance(value, str) or not value or Path(value).name != value or value[0] == ".":
            self._wrong(key, "a file name beside the manifest")
        return value

    def identifier(self, key: str) -> str:
        value = self.value(key)
        if not isinstance(value, str) or not _ID.fullmatch(value):
            self._wrong(key, "a plain identifier")
        return value

    def child(self, key: str) -> Fields:
        """The JSON object in ``key``, as ``Fields``."""
        return Fields(self.value(key), file=self.file, where=self.label(key))

    def objects(self, key: str) -> tuple[Fields, ...]:
        """A list of JSON objects, each as ``Fields``."""
        value = self.value(key)
        if not isinstance(value, list):
            self._wrong(key, "a list")
        at = self.label(key)
        return tuple(Fields(v, file=self.file, where=f"{at}[{n}]") for n, v in enumerate(value))

    def optional_objects(self, key: str) -> tuple[Fields, ...] | None:
        return None if self.data.get(key) is None else self.objects(key)

    def table(self, key: str) -> dict[str, Fields]:
        """A JSON object of JSON objects (name -> ``Fields``), in the order written."""
        value = self.value(key)
        if not isinstance(value, Mapping):
            self._wrong(key, "an object")
        at = self.label(key)
        return {str(k): Fields(v, file=self.file, where=f"{at}.{k}") for k, v in value.items()}

    def names(self, key: str) -> dict[str, str]:
        """A JSON object of file names (kind -> name), in the order written."""
        table = self.child(key)
        return {str(k): table.file_name(str(k)) for k in table.data}

    def json_object(self, key: str) -> dict[str, Any]:
        """Any JSON object, kept as it is (the front matter); ``{}`` when absent."""
        value = self.data.get(key, {})
        if not isinstance(value, Mapping):
            self._wrong(key, "an object")
        return dict(value)


def _flat(record: object) -> dict[str, Any]:
    """A record of plain values as a JSON object, its fields in order."""
    return {f.name: getattr(record, f.name) for f in fields(record)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class UtteranceRecord:
    """One placed utterance: what was said, when, by whom and how it was made.

    ``voice``, ``engine`` and ``engine_voice`` are "" for a sound cue (no clip).
    """

    id: str
    kind: Literal["speech", "sound"]
    section: str | None
    speaker: str
    line: int
    turn_index: int | None
    section_index: int | None
    display: str
    spoken: str
    start_ms: int
    end_ms: int
    voice: str
    engine: str
    engine_voice: str
    cached: bool
    attempts: int
    fallback: bool

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> UtteranceRecord:
        return cls(
            id=f.identifier("id"), kind=f.kind("kind"), section=f.optional_text("section"),
            speaker=f.text("speaker"), line=f.whole("line"),
            turn_index=f.optional_whole("turn_index"),
            section_index=f.optional_whole("section_index"), display=f.text("display"),
            spoken=f.text("spoken"), start_ms=f.whole("start_ms"), end_ms=f.whole("end_ms"),
            voice=f.text("voice"), engine=f.text("engine"), engine_voice=f.text("engine_voice"),
            cached=f.flag("cached"), attempts=f.whole("attempts"), fallback=f.flag("fallback"),
        )  # fmt: skip


@dataclass(frozen=True)
class SpeakerRecord:
    """A speaker's persona: its voice profile id, the engine asked for, its gender."""

    voice: str
    engine: str
    gender: str

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> SpeakerRecord:
        return cls(f.text("voice"), f.text("engine"), f.text("gender"))


@dataclass(frozen=True)
class ChapterRecord:
    title: str
    start_ms: int
    end_ms: int

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> ChapterRecord:
        return cls(f.text("title"), f.whole("start_ms"), f.whole("end_ms"))


@dataclass(frozen=True)
class Stats:
    """Counts over the spoken utterances; ``repaired``: damaged cache entries made again."""

    utterances: int
    cached: int
    synthesized: int
    fallbacks: int
    repaired: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = _flat(self)
        if self.repaired is None:
            del data["repaired"]
        return data

    @classmethod
    def from_json(cls, f: Fields) -> Stats:
        return cls(
            f.whole("utterances"), f.whole("cached"), f.whole("synthesized"),
            f.whole("fallbacks"), f.optional_whole("repaired"),
        )  # fmt: skip


@dataclass(frozen=True)
class SectionRecord:
    """A section of the transcript: its index, heading (None before the first) and line."""

    index: int
    title: str | None
    line: int

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> SectionRecord:
        return cls(f.whole("index"), f.optional_text("title"), f.whole("line"))


@dataclass(frozen=True)
class GlossRecord:
    """A glossary note of a turn: the term and the note, without its brackets."""

    term: str
    note: str

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> GlossRecord:
        return cls(f.text("term"), f.text("note"))


@dataclass(frozen=True)
class TurnRecord:
    """A turn of the transcript, numbered as the utterances' ``turn_index`` counts them."""

    index: int
    section_index: int
    speaker: str
    line: int
    kind: Literal["speech", "sound"]
    glossary: tuple[GlossRecord, ...]

    def to_json(self) -> dict[str, Any]:
        return {**_flat(self), "glossary": [g.to_json() for g in self.glossary]}

    @classmethod
    def from_json(cls, f: Fields) -> TurnRecord:
        return cls(
            f.whole("index"), f.whole("section_index"), f.text("speaker"), f.whole("line"),
            f.kind("kind"), tuple(GlossRecord.from_json(g) for g in f.objects("glossary")),
        )  # fmt: skip


@dataclass(frozen=True)
class FileRecord:
    """One output file: its name beside the manifest and the sha256 of its bytes."""

    name: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> FileRecord:
        return cls(f.file_name("name"), f.text("sha256"))


@dataclass(frozen=True)
class Measured:
    """The audio's figures as measured when it was written (kept with the audio group)."""

    duration_ms: int
    integrated_lufs: float | None
    true_peak_dbtp: float | None

    def to_json(self) -> dict[str, Any]:
        return _flat(self)

    @classmethod
    def from_json(cls, f: Fields) -> Measured:
        return cls(f.whole("duration_ms"), f.number("integrated_lufs"), f.number("true_peak_dbtp"))


@dataclass(frozen=True)
class OutputRecord:
    """One group of outputs (``audio``, ``captions``): the digest of its inputs and its files.

    Attributes:
        inputs: the sha256 of everything the group is made from.
        files: output kind -> the file written.
        measured: the audio group's figures (None for captions).
        cues: the captions group's number of cues (None for audio).
    """

    inputs: str
    files: Mapping[str, FileRecord]
    measured: Measured | None = None
    cues: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "inputs": self.inputs,
            "files": {kind: entry.to_json() for kind, entry in self.files.items()},
        }
        if self.measured is not None:
            data["measured"] = self.measured.to_json()
        if self.cues is not None:
            data["cues"] = self.cues
        return data

    @classmethod
    def from_json(cls, f: Fields) -> OutputRecord:
        return cls(
            inputs=f.text("inputs"),
            files={k: FileRecord.from_json(v) for k, v in f.table("files").items()},
            measured=Measured.from_json(f.child("measured")) if "measured" in f.data else None,
            cues=f.optional_whole("cues"),
        )
