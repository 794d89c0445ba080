"""Generated hostile transcripts (``fuzzgen``) → ``inspect`` and ``render``: clear errors, never a traceback.

Three layers, each on fixed cases so that a failure names a case to rebuild
with ``fuzzgen.make_case(SEED, index)``:

- 150 cases through ``tts_export.inspect`` in a worker process (the public API,
  in-process there): only ``TtsExportError`` may escape, and a report must be
  strict JSON that encodes as UTF-8, as ``inspect --json`` prints it;
- 20 cases through ``tts-export inspect --json`` and 3 through ``tts-export
  render --engine espeak``: exit 0 or 1, no traceback, one JSON object on stdout.

Every run has a deadline and a memory cap, so a hang or a runaway read fails
its case instead of stalling the suite. The bigger run is ``bench/fuzz_cli.py``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from multiprocessing.pool import Pool
from pathlib import Path

import pytest
from fuzzgen import Case, make_case, write_case

SEED = 2
MEMORY_LIMIT = 4 << 30
IN_PROCESS, CLI_INSPECT, CLI_RENDER = 150, 20, 3
INSPECT_TIMEOUT, RENDER_TIMEOUT = 60.0, 300.0
TRACEBACK = "Traceback (most recent call last)"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def api_options(case: Case) -> dict[str, object]:
    """The case's command-line choices as keyword options of ``tts_export.inspect``."""
    options: dict[str, object] = {}
    for key, value in case.options:
        if key == "voice":
            name, _, profile = value.partition("=")
            options["voices"] = {name: profile}
        else:
            options[key] = True if key == "strict" else value
    return options


def inspect_in_worker(index: int, folder: str) -> tuple[str, str]:
    """Run in the worker: ("report" | "error" | "crash", detail) for case ``index``.

    The settings file is found as the CLI finds it, in the working folder.
    """
    from tts_export import TtsExportError, inspect, load_config

    case = make_case(SEED, index)
    path = write_case(case, Path(folder))
    os.chdir(path.parent)
    try:
        report = inspect(path, config=load_config(), **api_options(case))  # type: ignore[arg-type]
        json.dumps(report.to_json(), allow_nan=False, ensure_ascii=False).encode("utf-8")
    except TtsExportError as exc:
        return "error", str(exc)
    except BaseException:  # anything else is the bug this test reports
        return "crash", traceback.format_exc()
    return "report", ""


class Worker:
    """One spawned process that runs cases; replaced when a case outlives its deadline."""

    def __init__(self) -> None:
        self.pool = self._start()

    @staticmethod
    def _start() -> Pool:
        return multiprocessing.get_context("spawn").Pool(1, initializer=_limit_memory)

    def run(self, index: int, folder: Path, timeout: float) -> tuple[str, str]:
        pending = self.pool.apply_async(inspect_in_worker, (index, str(folder)))
        try:
            return pending.get(timeout)
        except multiprocessing.TimeoutError:
            self.pool.terminate()
            self.pool = self._start()
            return "hang", f"no answer after {timeout:.0f} s"
        except Exception as exc:  # the worker died (memory limit, crash in C)
            self.pool.terminate()
            self.pool = self._start()
            return "crash", f"worker died: {exc!r}"


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.pool.terminate()


@pytest.mark.parametrize("index", range(IN_PROCESS), ids=lambda i: f"case-{i}")
def test_inspect_api_raises_only_its_own_errors(worker: Worker, tmp_path: Path, index: int) -> None:
    status, detail = worker.run(index, tmp_path, INSPECT_TIMEOUT)
    description = make_case(SEED, index).description
    assert status in ("report", "error"), f"{status}: {description}\n{detail}"
    if status == "error":
        assert detail.strip() and TRACEBACK not in detail, description


def _cli(case: Case, args: list[str], cwd: Path, timeout: float) -> tuple[int | None, str, str]:
    """``python -m tts_export ARGS`` in ``cwd``; exit code None when killed at the deadline."""
    encoding = case.stdout_encoding
    proc = subprocess.Popen(
        [sys.executable, "-m", "tts_export", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": encoding},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_limit_memory,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out.decode(encoding, "replace"), err.decode(encoding, "replace")
    return proc.returncode, out.decode(encoding, "replace"), err.decode(encoding, "replace")


def _check_run(case: Case, code: int | None, err: str) -> None:
    where = f"{case.description}\n{err[-3000:]}"
    assert code is not None, f"hang: {where}"
    assert TRACEBACK not in err, where
    assert code in (0, 1), f"exit {code}: {where}"
    if code == 1:
        assert "error:" in err, where


def _strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("index", range(1000, 1000 + CLI_INSPECT), ids=lambda i: f"case-{i}")
def test_cli_inspect_json_exits_cleanly(tmp_path: Path, index: int) -> None:
    case = make_case(SEED, index)
    path = write_case(case, tmp_path)
    code, out, err = _cli(
        case, ["inspect", "--json", *case.cli_args(), "--", path.name], path.parent, INSPECT_TIMEOUT
    )
    _check_run(case, code, err)
    if code == 0:
        assert isinstance(_strict_json(out), dict), case.description


@pytest.mark.parametrize("index", range(100_000, 100_000 + CLI_RENDER), ids=lambda i: f"case-{i}")
def test_cli_render_espeak_exits_cleanly(tmp_path: Path, index: int) -> None:
    case = make_case(SEED, index, small=True)
    path = write_case(case, tmp_path)
    out_dir = tmp_path / "out"
    args = ["render", "--engine", "espeak", "--captions-formats", "srt,vtt,json,txt,html"]
    args += [*case.cli_args(), "--cache-dir", str(tmp_path / "cache"), "-o", str(out_dir)]
    code, out, err = _cli(case, [*args, "--", path.name], path.parent, RENDER_TIMEOUT)
    _check_run(case, code, err)
    written = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
    if code == 0:
        listed = [Path(line) for line in out.splitlines() if line.strip()]
        assert listed and all(p.is_file() for p in listed), f"{case.description}\n{out}"
        assert any(name.endswith(".manifest.json") for name in written), case.description
    else:
        assert written == [], f"a failed render left {written}: {case.description}"
