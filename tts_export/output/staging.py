"""Outputs of one render: written into a hidden stage, replaced together, left alone when unchanged.

Every file of a render is first written into a hidden folder inside the
output folder; only when all of them are written are they moved into place,
so a render that fails half-way leaves the previous render's files as they
were, never new audio beside old captions. Each group of outputs (the audio,
the captions and transcripts) carries a digest of everything it is made
from; when a rerun's digest matches the previous manifest and the files are
still the ones that manifest describes, the group is left alone instead of
being made again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tts_export.common.files import temporary_name
from tts_export.errors import ManifestError, OutputError, RenderNotFound
from tts_export.models import Timeline
from tts_export.output.manifest import FileRecord, Manifest, Measured, OutputRecord

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Stage:
    """A hidden folder in ``out_dir`` that holds a render's files until they are all written."""

    out_dir: Path
    folder: Path

    def path(self, name: str) -> Path:
        """Where to write the output called ``name`` for now."""
        return self.folder / name


def open_stage(out_dir: Path, stem: str) -> Stage:
    """Make the stage for one render of ``stem``.

    Raises:
        OutputError: the output folder cannot be written.
    """
    folder = temporary_name(out_dir / f"{stem}.render")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        folder.mkdir()
    except OSError as exc:
        raise OutputError(
            str(out_dir),
            f"cannot write the output folder: {exc.strerror or exc}",
            hint="choose another folder with --out, or check its permissions",
        ) from None
    return Stage(out_dir, folder)


def commit(stage: Stage) -> None:
    """Move every staged file into the output folder, then remove the stage.

    Raises:
        OutputError: a file could not be moved.
    """
    try:
        for staged in sorted(stage.folder.iterdir()):
            os.replace(staged, stage.out_dir / staged.name)
        stage.folder.rmdir()
    except OSError as exc:
        raise OutputError(
            str(stage.out_dir),
            f"cannot move the finished files into place: {exc.strerror or exc}",
            hint="check free space and permissions; render again",
        ) from None


def discard(stage: Stage) -> None:
    """Remove a stage and what it holds (the render failed)."""
    shutil.rmtree(stage.folder, ignore_errors=True)


def digest(*parts: object) -> str:
    """A sha256 over JSON-able parts (dict keys sorted): the identity of some inputs."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def timeline_identity(timeline: Timeline) -> list[Any]:
    """What the audio is made of: each placement's clip (by cache key), times and speaker.

    The clip's cache key (its file name) already hashes the engine, its
    version, the voice and the spoken text; the cache folder itself and
    whether a clip came from the cache do not change the programme.
    """
    return [
        timeline.duration_ms,
        timeline.sample_rate,
        [[c.title, c.start_ms, c.end_ms] for c in timeline.chapters],
        [
            [
                p.utterance.id,
                p.utterance.speaker,
                p.start_ms,
                p.end_ms,
                Path(p.clip.path).name if p.clip else None,
                p.clip.duration_ms if p.clip else None,
            ]
            for p in timeline.placements
        ],
    ]


def previous_manifest(path: Path) -> Manifest | None:
    """The manifest a previous render left, or None when there is none or it is unusable."""
    try:
        return Manifest.read(path)
    except (RenderNotFound, ManifestError):
        return None


def reusable(
    previous: Manifest | None, group: str, inputs: str, out_dir: Path
) -> OutputRecord | None:
    """The previous render's record of ``group`` when its inputs match and its files are intact.

    Each file must still exist beside the manifest with the recorded sha256
    (the files are verified, not trusted).
    """
    record = previous.outputs.get(group) if previous and previous.outputs else None
    if record is None or record.inputs != inputs or not record.files:
        return None
    for entry in record.files.values():
        path = out_dir / entry.name  # a plain name: Manifest.read checks it
        if not path.is_file() or file_digest(path) != entry.sha256:
            return None
    return record


def record(
    inputs: str, files: Mapping[str, Path], *, measured: Measured | None = None,
    cues: int | None = None,
) -> OutputRecord:  # fmt: skip
    """A group's record for the manifest: its input digest and each file's name and sha256."""
    written = {kind: FileRecord(path.name, file_digest(path)) for kind, path in files.items()}
    return OutputRecord(inputs, written, measured=measured, cues=cues)
