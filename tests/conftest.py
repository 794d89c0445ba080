"""Shared helpers: run the real CLI or API, build small scripts and castings, read what was written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pysubs2
import pytest
from synthetic_audio import make_timeline

import tts_export
from tts_export.models import (
    Casting,
    Realization,
    Script,
    Timeline,
    Transcript,
    Utterance,
    VoiceProfile,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m tts_export ARGS`` as a user would."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "tts_export", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        env=env,
        check=False,
    )


def render_args(*args: str, out: Path, cache: Path, engine: str | None = "espeak") -> list[str]:
    """``render ARGS`` into ``out`` with clips cached in ``cache`` (no ``--engine``: Kokoro)."""
    chosen = ["--engine", engine] if engine else []
    return ["render", *chosen, "--out", str(out), "--cache-dir", str(cache), *args]


def render_cli(
    root: Path, *args: str, engine: str | None = "espeak"
) -> subprocess.CompletedProcess[str]:
    """Run ``tts-export render ARGS`` with espeak (by default) into ROOT/out, clips in ROOT/cache."""
    return run_cli(*render_args(*args, out=root / "out", cache=root / "cache", engine=engine))


def render_short_zh(out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``render`` the short Chinese fixture with espeak into ``out``, quietly, plus ``extra``."""
    short_zh = str(FIXTURES / "render" / "short_zh.md")
    return run_cli(*render_args(short_zh, "--quiet", *extra, out=out, cache=cache))


def render_api(source: Path, out: Path, cache: Path, **options: Any) -> tts_export.Render:
    """``tts_export.render`` of one file into ``out`` with clips cached in ``cache``."""
    result: tts_export.Render = tts_export.render(source, out_dir=out, cache_dir=cache, **options)
    return result


def make_script(
    texts: Sequence[str],
    *,
    speaker: Callable[[int, str], str] = lambda i, _text: "AB"[i % 2],
    per_turn: int = 1,
    id_digits: int = 1,
) -> Script:
    """One utterance per text (ids ``u0``, ``u1``...), ``per_turn`` to a turn, no sections."""
    utterances = tuple(
        Utterance(
            id=f"u{i:0{id_digits}d}",
            section=None,
            speaker=speaker(i, text),
            display=text,
            spoken=text,
            line=i // per_turn + 1,
            turn_index=i // per_turn,
            section_index=0,
        )
        for i, text in enumerate(texts)
    )
    return Script(Transcript("t.md", {}, ()), utterances)


def persona(pid: str, *realizations: Realization, language: str = "zh") -> VoiceProfile:
    """A female persona ``pid`` with these realizations, in that order of preference."""
    return VoiceProfile(pid, "female", language, "", realizations)


def casting(**speakers: VoiceProfile) -> Casting:
    """Speaker name -> persona."""
    return Casting(speakers)


def read_manifest(out: Path, stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"{stem}.manifest.json").read_text(encoding="utf-8"))
    return data


def load_subs(path: Path) -> pysubs2.SSAFile:
    return pysubs2.load(str(path), encoding="utf-8")


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Timeline:
    """Two speakers 18 dB apart, plosive peaks, one clip at 22050 Hz, one sound-cue slot."""
    folder = tmp_path_factory.mktemp("clips")
    return make_timeline(
        folder, [("主持人", -18.0), ("嘉宾", -36.0)], rates={5: 22050}, sound_at=6, bursts=2
    )
