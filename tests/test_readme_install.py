"""The README's first two commands, run as a newcomer would: a copy of the repository, a new
virtual environment on the system's Python (externally managed on Debian and Ubuntu, PEP 668),
then the first render. Minutes of pip: marked slow."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")

pytestmark = pytest.mark.slow


def _first_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Install and render the example\n.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None, "the README's install section has no sh block"
    lines = [line.split("#")[0].strip() for line in block[1].splitlines()]
    return [line for line in lines if line]


def _externally_managed(python: Path) -> bool:
    stdlib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return (Path(stdlib) / "EXTERNALLY-MANAGED").is_file()


def test_readme_install_is_two_commands_to_a_first_render(tmp_path: Path) -> None:
    commands = _first_block()
    assert len(commands) == 2, commands
    assert commands[1].startswith("tts-export render seeds/")
    python = SYSTEM_PYTHON if SYSTEM_PYTHON.exists() else Path(sys.executable)
    if not _externally_managed(python):
        pytest.skip(f"{python} is not externally managed (PEP 668): not the newcomer's system")
    bare = subprocess.run(
        [str(python), "-m", "pip", "install", "--dry-run", "-e", str(ROOT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bare.returncode != 0 and "externally-managed" in bare.stderr  # why the venv is needed
    copy = tmp_path / "tts-export"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode().split("\0")
    for name in filter(None, tracked):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    bin_dir = Path(sysconfig.get_path("scripts")).resolve()  # this venv's: not the newcomer's
    path = os.pathsep.join(
        p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p).resolve() != bin_dir
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{python.parent}{os.pathsep}{path}"
    script = " && ".join(commands).replace("python3 ", f"{python} ", 1)
    done = subprocess.run(
        ["bash", "-c", script], cwd=copy, env=env, capture_output=True, text=True,
        timeout=1800, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    stem = Path(commands[1].split()[2]).stem
    written = {Path(line).name for line in done.stdout.split()}
    assert {f"{stem}.mp3", f"{stem}.srt", f"{stem}.vtt", f"{stem}.manifest.json"} <= written
    assert (copy / "out" / f"{stem}.mp3").stat().st_size > 1_000_000
