"""Shared helpers: run the real CLI in a subprocess and read what it wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pysubs2
import pytest

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


def render_short_zh(out: Path, cache: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``render`` the short Chinese fixture with espeak into ``out``, quietly, plus ``extra``."""
    return run_cli(
        "render", str(FIXTURES / "render" / "short_zh.md"), "--engine", "espeak",
        "--out", str(out), "--cache-dir", str(cache), "--quiet", *extra,
    )  # fmt: skip


def read_manifest(out: Path, stem: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"{stem}.manifest.json").read_text(encoding="utf-8"))
    return data


def load_subs(path: Path) -> pysubs2.SSAFile:
    return pysubs2.load(str(path), encoding="utf-8")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
