"""The manifest document: ``STEM.manifest.json`` found, read and checked, or written, whole.

``Manifest.locate`` is the one rule for finding a render from what a user
names; ``Manifest.read`` the one reader (every field checked, see
``records``); ``Manifest.write`` writes exactly the JSON that ``to_json``
gives, atomically. Fields added after the first manifest format may be
absent in a manifest an older version wrote: ``meta``, ``language``,
``sections``, ``turns``, ``repairs``, ``outputs`` and ``settings``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tts_export.common.files import write_json
from tts_export.errors import ManifestError, RenderNotFound
from tts_export.output.manifest.records import (
    HINT,
    ChapterRecord,
    Fields,
    OutputRecord,
    SectionRecord,
    SpeakerRecord,
    Stats,
    TurnRecord,
    UtteranceRecord,
)
from tts_export.output.results import Loudness

MANIFEST_SUFFIX = ".manifest.json"
_NOT_FOUND_HINT = (
    "give OUTDIR/STEM of a finished render (e.g. out/episode), its STEM.manifest.json, "
    "or a folder holding one render"
)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


@dataclass(frozen=True)
class Manifest:
    """What one render made: its files, utterances, chapters, speakers and figures.

    Attributes:
        audio: the audio file's name.
        duration_ms: the audio's measured length.
        engine: the engine asked for.
        title: the front matter's title as written there (None without one).
        speakers: speaker -> persona, in order of casting.
        utterances: every placed utterance, in programme order.
        chapters: the chapters in order.
        stats: counts over the spoken utterances.
        loudness: the audio's measured loudness and the target.
        files: output kind -> file name, in the order written (the manifest itself is not listed).
        meta: the front matter (JSON values, kept as they are).
        language: the transcript's BCP-47 tag (None in an older manifest).
        sections: the transcript's sections (None in an older manifest).
        turns: the transcript's turns with their glossary notes (None in an older manifest).
        repairs: the QA repairs applied, as ``qa.repairs.Repair.to_json`` writes them.
        outputs: output group -> its input digest and files (None in an older manifest).
        settings: the render settings that shape its files (``RenderConfig`` field -> JSON
            value), enough to make every output again (None in an older manifest).
    """

    audio: str
    duration_ms: int
    engine: str
    title: object
    speakers: Mapping[str, SpeakerRecord]
    utterances: tuple[UtteranceRecord, ...]
    chapters: tuple[ChapterRecord, ...]
    stats: Stats
    loudness: Loudness
    files: Mapping[str, str]
    meta: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None
    sections: tuple[SectionRecord, ...] | None = None
    turns: tuple[TurnRecord, ...] | None = None
    repairs: tuple[Mapping[str, Any], ...] = ()
    outputs: Mapping[str, OutputRecord] | None = None
    settings: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON values, keys in the order the file has them."""
        data: dict[str, Any] = {
            "audio": self.audio,
            "duration_ms": self.duration_ms,
            "engine": self.engine,
            "title": self.title,
            "speakers": {name: s.to_json() for name, s in self.speakers.items()},
            "utterances": [u.to_json() for u in self.utterances],
            "chapters": [c.to_json() for c in self.chapters],
            "stats": self.stats.to_json(),
            "loudness": {
                "integrated_lufs": self.loudness.integrated_lufs,
                "true_peak_dbtp": self.loudness.true_peak_dbtp,
                "target_lufs": self.loudness.target_lufs,
            },
            "files": dict(self.files),
            "meta": dict(self.meta),
        }
        if self.language is not None:
            data["language"] = self.language
        if self.sections is not None:
            data["sections"] = [s.to_json() for s in self.sections]
        if self.turns is not None:
            data["turns"] = [t.to_json() for t in self.turns]
        if self.repairs:
            data["repairs"] = [dict(r) for r in self.repairs]
        if self.outputs is not None:
            data["outputs"] = {group: r.to_json() for group, r in self.outputs.items()}
        if self.settings is not None:
            data["settings"] = dict(self.settings)
        return data

    @classmethod
    def from_json(cls, data: object, *, file: str = "manifest") -> Manifest:
        """Check a manifest's JSON value and make it a ``Manifest``.

        Args:
            data: the parsed JSON.
            file: how to name the manifest in an error (its path).

        Raises:
            ManifestError: it is not a tts-export manifest, or a field is missing or wrong.
        """
        f = Fields(data, file=file)
        if "audio" not in f.data and "utterances" not in f.data:
            f.fail("is not a tts-export render manifest (it has no 'audio' or 'utterances')")
        loudness = f.child("loudness")
        sections, turns = f.optional_objects("sections"), f.optional_objects("turns")
        outputs = f.table("outputs") if f.data.get("outputs") is not None else None
        return cls(
            audio=f.file_name("audio"),
            duration_ms=f.whole("duration_ms"),
            engine=f.text("engine"),
            title=f.data.get("title"),
            speakers={k: SpeakerRecord.from_json(v) for k, v in f.table("speakers").items()},
            utterances=tuple(UtteranceRecord.from_json(u) for u in f.objects("utterances")),
            chapters=tuple(ChapterRecord.from_json(c) for c in f.objects("chapters")),
            stats=Stats.from_json(f.child("stats")),
            loudness=Loudness(
                loudness.number("integrated_lufs"),
                loudness.number("true_peak_dbtp"),
                loudness.number("target_lufs"),
            ),
            files=f.names("files"),
            meta=f.json_object("meta"),
            language=f.optional_text("language"),
            sections=None if sections is None else tuple(map(SectionRecord.from_json, sections)),
            turns=None if turns is None else tuple(map(TurnRecord.from_json, turns)),
            repairs=tuple(dict(r.data) for r in f.optional_objects("repairs") or ()),
            outputs=None if outputs is None else {
                group: OutputRecord.from_json(r) for group, r in outputs.items()
            },
            settings=f.json_object("settings") if f.data.get("settings") is not None else None,
        )  # fmt: skip

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Manifest:
        """Read and check a manifest file.

        Raises:
            RenderNotFound: there is no file at ``path``.
            ManifestError: it cannot be read, is not JSON, or is not a tts-export manifest.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise RenderNotFound(
                str(path), "no render found: the manifest is missing", hint=_NOT_FOUND_HINT
            ) from None
        except UnicodeDecodeError:
            raise ManifestError(str(path), "is not UTF-8 text", hint=HINT) from None
        except OSError as exc:
            problem = f"cannot read: {exc.strerror or exc}"
            raise ManifestError(str(path), problem, hint="check the file's permissions") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise ManifestError(str(path), f"is not valid JSON ({exc})", hint=HINT) from None
        return cls.from_json(data, file=str(path))

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the manifest as indented UTF-8 JSON, whole or not at all.

        Raises:
            OutputError: the file cannot be written.
        """
        return write_json(self.to_json(), Path(path))

    @staticmethod
    def locate(render: str | os.PathLike[str]) -> Path:
        """The manifest of the render that ``render`` names.

        Accepted, in this order: the manifest itself (``out/episode.manifest.json``);
        ``OUTDIR/STEM`` (``out/episode``, whose manifest is ``out/episode.manifest.json``);
        a folder holding exactly one manifest (``out``).

        Raises:
            RenderNotFound: no render there, or a folder holds more than one.
        """
        target = Path(render)
        if target.name.endswith(MANIFEST_SUFFIX) and target.is_file():
            return target
        beside = target
        if target.name and not target.name.endswith(MANIFEST_SUFFIX):
            beside = target.with_name(target.name + MANIFEST_SUFFIX)
            if beside.is_file():
                return beside
        if target.is_dir():
            found = sorted(target.glob(f"*{MANIFEST_SUFFIX}"))
            if len(found) == 1:
                return found[0]
            if not found:
                problem = f"no render found: the folder holds no *{MANIFEST_SUFFIX}"
                raise RenderNotFound(str(target), problem, hint=_NOT_FOUND_HINT)
            stems = [Manifest.stem_of(p) for p in found]
            raise RenderNotFound(
                str(target), f"holds {len(found)} renders ({', '.join(stems)}), not one",
                hint=f"give OUTDIR/STEM of the one you mean, e.g. {target / stems[0]}",
            )  # fmt: skip
        raise RenderNotFound(
            str(target),
            f"no render found: the manifest is missing (looked for {beside.name})",
            hint=_NOT_FOUND_HINT,
        )

    @staticmethod
    def path_for(out_dir: Path, stem: str) -> Path:
        """Where the manifest of ``stem`` rendered into ``out_dir`` is."""
        return out_dir / f"{stem}{MANIFEST_SUFFIX}"

    @staticmethod
    def stem_of(path: Path) -> str:
        """The render's stem, from its manifest's path."""
        return path.name.removesuffix(MANIFEST_SUFFIX)
