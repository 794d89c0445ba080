"""A batch through a real local Ray cluster writes exactly what the local executor writes."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from conftest import render_args, run_cli
from test_batch import _folder

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="needs Ray: pip install 'tts-export[ray]'"
)


def _summary(tmp_path: Path, src: Path, name: str, *extra: str) -> dict[str, object]:
    """The --json summary of a recursive espeak render of ``src`` (one file in it is broken)."""
    args = render_args(str(src), "--recursive", "--json", *extra,
                       out=tmp_path / name, cache=tmp_path / f"cache-{name}")  # fmt: skip
    proc = run_cli(*args)
    assert proc.returncode == 1, proc.stderr  # the broken file
    assert "Traceback" not in proc.stderr
    summary: dict[str, object] = json.loads(proc.stdout)
    return summary


def test_a_folder_through_ray_matches_the_local_executor_byte_for_byte(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    local = _summary(tmp_path, src, "local")
    ray = _summary(tmp_path, src, "ray", "--executor", "ray", "--workers", "2")
    status = [(i["output"], i["status"]) for i in ray["items"]]  # type: ignore[attr-defined]
    assert status == [(i["output"], i["status"]) for i in local["items"]]  # type: ignore[attr-defined]
    assert ("broken", "failed") in status and status.count(("broken", "failed")) == 1
    files = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*.*"))
    assert len(files) >= 15
    for rel in files:
        assert (tmp_path / "ray" / rel).read_bytes() == (tmp_path / "local" / rel).read_bytes(), rel
