"""Temporaries of killed runs are removed on the next run; a live run's files and files
that are not ours are never touched. Dead pids come from real child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import wave
from pathlib import Path

import pytest
from synthetic_audio import RATE, speech, write_wav

from tts_export.audio import write_audio
from tts_export.common.files import (
    process_alive,
    remove_stale_temporaries,
    temporary_folder,
    temporary_name,
    temporary_owner,
)
from tts_export.models import Clip, Placement, Timeline, Utterance

TOKEN = "0a1b2c3d"


def dead_pid() -> int:
    """The pid of a child process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not process_alive(child.pid)
    return child.pid


def _touch(path: Path) -> Path:
    path.write_bytes(b"partial")
    return path


def test_liveness_follows_kill_zero() -> None:
    assert process_alive(os.getpid())
    assert not process_alive(dead_pid())
    assert process_alive(1)  # init: kill() answers 0 to root, EPERM to others
    assert process_alive(0) and process_alive(-1)  # process groups: never taken as dead


def test_a_process_we_may_not_signal_counts_as_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    """kill(pid, 0) on another user's process fails with EPERM (not seen when run as root)."""

    def refuse(pid: int, sig: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", refuse)
    assert process_alive(4321)


def test_owner_is_read_from_every_form_we_write(tmp_path: Path) -> None:
    made = temporary_name(tmp_path / "ep.mp3")
    assert temporary_owner(made.name) == os.getpid()
    with temporary_folder(tmp_path, "tts-meta") as folder:
        assert temporary_owner(folder.name) == os.getpid()
    assert not folder.exists()
    assert temporary_owner(".ep.mp3.4321.12345678.tmp") == 4321  # an all-digit token
    assert temporary_owner(".ep.4321.tmp.mp3") == 4321  # earlier audio form
    assert temporary_owner(".ep.4321.tmp.m4a.probe") == 4321
    assert temporary_owner(f".{'ab' * 32}.wav.4321.tmp") == 4321  # earlier cache form
    for name in ("ep.mp3", ".ep.mp3", "ep.4321.tmp", ".ep.4321.tmp.txt", ".ep.0.tmp", ".tmp"):
        assert temporary_owner(name) is None, name


def test_only_dead_writers_temporaries_are_removed(tmp_path: Path) -> None:
    dead, live = dead_pid(), os.getpid()
    private = _touch(tmp_path.parent / f"{tmp_path.name}-private.txt")
    doomed = [
        _touch(tmp_path / f".ep.mp3.{dead}.{TOKEN}.tmp"),
        _touch(tmp_path / f".ep.{dead}.tmp.mp3"),
        _touch(tmp_path / f".ep.{dead}.tmp.mp3.probe"),
        _touch(tmp_path / f".clip.wav.{dead}.tmp"),
        tmp_path / f".tts-meta.{dead}.{TOKEN}.tmp",
        tmp_path / f".link.{dead}.{TOKEN}.tmp",
        tmp_path / ".tts-meta-k2x9_abc",  # an earlier version's folder, two days old
    ]
    for folder in (doomed[4], doomed[6]):
        folder.mkdir()
        _touch(folder / "meta.txt")
    doomed[5].symlink_to(private)  # removed as a link; its target stays
    two_days_ago = time.time() - 2 * 86400
    os.utime(doomed[6], (two_days_ago, two_days_ago))
    kept = [
        _touch(tmp_path / f".ep.mp3.{live}.{TOKEN}.tmp"),  # a live run (this one)
        _touch(tmp_path / f".ep.mp3.1.{TOKEN}.tmp"),  # a live run of another user (EPERM)
        tmp_path / f".tts-meta.{live}.{TOKEN}.tmp",
        tmp_path / ".tts-meta-fresh123",  # an earlier version's folder, maybe in use
        _touch(tmp_path / "ep.mp3"),
        _touch(tmp_path / f"ep.mp3.{dead}.{TOKEN}.tmp"),  # not hidden: not ours
        _touch(tmp_path / f".ep.mp3.{dead}.{TOKEN}.tmp.bak"),
        _touch(tmp_path / f".notes.{dead}.txt"),
    ]
    kept[2].mkdir()
    kept[3].mkdir()
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(removed) == sorted(doomed)
    assert not any(p.exists() or p.is_symlink() for p in doomed)
    assert all(p.exists() for p in kept) and private.read_bytes() == b"partial"
    assert remove_stale_temporaries(tmp_path / "missing") == ()


def test_cache_shards_are_cleaned_only_when_asked(tmp_path: Path) -> None:
    dead = dead_pid()
    shard = tmp_path / "ab"
    shard.mkdir()
    left = _touch(shard / f".{'ab' * 32}.wav.{dead}.{TOKEN}.tmp")
    live = tmp_path / f".x.{os.getpid()}.{TOKEN}.tmp"
    live.mkdir()
    inside = _touch(live / f".y.{dead}.{TOKEN}.tmp")  # inside a live scratch folder
    assert remove_stale_temporaries(tmp_path) == ()
    assert remove_stale_temporaries(tmp_path, recursive=True) == (left,)
    assert inside.exists()


# A write_audio that hangs mid-encode: its last clip is a FIFO nobody writes to.
_CHILD = """
import sys
from pathlib import Path
from tts_export.audio import write_audio
from tts_export.models import Clip, Placement, Timeline, Utterance

first, fifo, out = (Path(a) for a in sys.argv[1:4])
def place(i, path, start):
    u = Utterance(f"u{i}", None, "A", "x", "x", i + 1, i, 0)
    return Placement(u, Clip(u.id, str(path), 24000, 2000, (), "e", "v", False), start, start + 2000)
timeline = Timeline((place(0, first, 0), place(1, fifo, 3000)), (), 6000, 24000)
write_audio(timeline, out / "ep.mp3", loudness=None)
"""


def _hidden_entries(folder: Path, count: int, child: subprocess.Popen[bytes]) -> list[Path]:
    """The hidden entries of ``folder`` once there are ``count`` (or the child ended)."""
    for _ in range(1200):  # a bound on waiting, not a timing assertion
        found = sorted(p for p in folder.iterdir() if p.name.startswith("."))
        if len(found) >= count or child.poll() is not None:
            return found
        time.sleep(0.05)
    return sorted(folder.iterdir())


def test_a_killed_encode_is_cleaned_by_the_next_one(tmp_path: Path) -> None:
    clip = write_wav(tmp_path / "clip.wav", speech(2.0, -20.0))
    fifo = tmp_path / "stuck.wav"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(clip), str(fifo), str(out)]
    )
    try:
        left = _hidden_entries(out, 2, child)  # the scratch folder and the partial MP3
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert len(left) == 2 and all(temporary_owner(p.name) == child.pid for p in left), left
    concurrent = _touch(out / f".other.mp3.{os.getpid()}.{TOKEN}.tmp")
    with wave.open(str(clip)) as handle:
        ms = handle.getnframes() * 1000 // handle.getframerate()
    u = Utterance("u0", None, "A", "x", "x", 1, 0, 0)
    placed = Placement(u, Clip("u0", str(clip), RATE, ms, (), "e", "v", False), 0, ms)
    write_audio(Timeline((placed,), (), ms + 500, RATE), out / "ep.mp3", loudness=None)
    assert sorted(p.name for p in out.iterdir()) == sorted(["ep.mp3", concurrent.name])
