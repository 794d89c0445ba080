"""``tts-export cache``: the clip cache's real size, and pruning by age and size, least recently
used first, without touching anything that is not a cache entry."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import read_manifest, render_short_zh, run_cli

import tts_export
from tts_export.errors import ConfigError
from tts_export.models import Boundary, Realization
from tts_export.synth.cache import ClipCache, clip_key
from tts_export.synth.housekeeping import parse_age, parse_size


def _fill(root: Path, count: int, *, ms: int = 500) -> list[str]:
    """``count`` real entries written by the cache itself, one second of age apart."""
    cache = ClipCache(root)
    keys = []
    for i in range(count):
        key = clip_key("espeak", "1", Realization(engine="espeak", voice="en"), f"text {i}", "t")
        cache.put(
            key, utterance_id=f"u{i}", pcm=b"\x01\x00" * (16 * ms), sample_rate=16_000,
            boundaries=(Boundary(0, ms, f"text {i}"),), engine="espeak", voice="en",
            attempts=1, fallback=False,
        )  # fmt: skip
        record = root / key[:2] / f"{key}.json"
        stamp = time.time() - 3600 * (count - i)  # entry 0 is the least recently used
        os.utime(record, (stamp, stamp))
        keys.append(key)
    return keys


def _du(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def test_usage_counts_what_is_on_disk(tmp_path: Path) -> None:
    _fill(tmp_path / "c", 3)
    found = tts_export.cache(tmp_path / "c")
    assert found.entries == 3
    assert found.bytes == _du(tmp_path / "c")
    assert found.oldest_used is not None and found.newest_used is not None
    assert found.oldest_used < found.newest_used


def test_max_size_removes_least_recently_used_first(tmp_path: Path) -> None:
    root = tmp_path / "c"
    keys = _fill(root, 4)
    one = _du(root) // 4
    left = tts_export.cache(root, max_size=2 * one)
    assert (left.entries, left.removed_entries) == (2, 2)
    assert left.bytes <= 2 * one and left.removed_bytes == 2 * one
    assert not (root / keys[0][:2] / f"{keys[0]}.json").exists()
    assert not (root / keys[1][:2] / f"{keys[1]}.wav").exists()
    assert (root / keys[3][:2] / f"{keys[3]}.json").exists()


def test_a_hit_makes_an_entry_recently_used(tmp_path: Path) -> None:
    root = tmp_path / "c"
    keys = _fill(root, 3)
    assert ClipCache(root).get(keys[0], "u0") is not None  # the oldest is used again
    left = tts_export.cache(root, older_than="90m")  # entries 1 and 2 are 2 h and 1 h old
    assert left.removed_entries == 1
    assert (root / keys[0][:2] / f"{keys[0]}.json").exists()
    assert not (root / keys[1][:2] / f"{keys[1]}.json").exists()


def test_prune_leaves_what_is_not_an_entry(tmp_path: Path) -> None:
    root = tmp_path / "c"
    _fill(root, 2)
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / ("a" * 64 + ".json")).write_text("{}")
    (root / "aa").mkdir(exist_ok=True)
    (root / "aa" / "notes.txt").write_text("mine")
    (root / "zz").symlink_to(outside)  # a shard-looking link to another folder
    (root / "bb").mkdir(exist_ok=True)
    (root / "bb" / ("a" * 64 + ".json")).write_text("{}")  # an entry name in the wrong shard
    left = tts_export.cache(root, max_size=0)
    assert left.entries == 0
    assert (root / "aa" / "notes.txt").read_text() == "mine"
    assert (outside / ("a" * 64 + ".json")).exists()
    assert (root / "bb" / ("a" * 64 + ".json")).exists()


def test_half_written_entries_go_in_any_prune(tmp_path: Path) -> None:
    root = tmp_path / "c"
    keys = _fill(root, 2)
    (root / keys[0][:2] / f"{keys[0]}.json").unlink()  # a WAV whose record never came
    left = tts_export.cache(root, older_than="52w")
    assert left.entries == 1 and left.removed_entries == 0 and left.removed_bytes > 0
    assert not (root / keys[0][:2] / f"{keys[0]}.wav").exists()


@pytest.mark.parametrize(
    ("text", "value"),
    [("500M", 500 * 1024**2), ("2G", 2 * 1024**3), ("1.5GB", int(1.5 * 1024**3)),
     ("750k", 750 * 1024), ("123", 123), ("10MiB", 10 * 1024**2)],
)  # fmt: skip
def test_sizes(text: str, value: int) -> None:
    assert parse_size(text) == value


@pytest.mark.parametrize(("text", "value"), [("30d", 30 * 86400), ("12h", 43200), ("2w", 1209600),
                                             ("90m", 5400), ("45s", 45)])  # fmt: skip
def test_ages(text: str, value: int) -> None:
    assert parse_age(text) == value


@pytest.mark.parametrize("bad", ["lots", "-5M", "5X", ""])
def test_a_bad_size_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="max-size"):
        parse_size(bad)


def test_cli_on_a_real_render(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert render_short_zh(out, cache).returncode == 0
    utterances = read_manifest(out, "short_zh")["stats"]["utterances"]
    shown = run_cli("cache", "--cache-dir", str(cache), "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["entries"] == utterances and data["bytes"] == _du(cache)
    table = run_cli("cache", "--cache-dir", str(cache))
    assert f"clips                {utterances}" in table.stdout
    pruned = run_cli("cache", "--cache-dir", str(cache), "--max-size", "0")
    assert pruned.returncode == 0 and f"pruned: {utterances} clips" in pruned.stderr
    assert render_short_zh(out, cache).returncode == 0  # everything is made again
    assert read_manifest(out, "short_zh")["stats"]["synthesized"] == utterances


def test_cli_bad_values_are_one_line(tmp_path: Path) -> None:
    bad = run_cli("cache", "--cache-dir", str(tmp_path), "--older-than", "soon")
    assert bad.returncode == 1
    assert "older-than" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "file").write_text("x")
    bad = run_cli("cache", "--cache-dir", str(tmp_path / "file"))
    assert bad.returncode == 1 and "not a folder" in bad.stderr
