"""Clip cache: keys change with every input, entries round-trip, damage is found, counted and made again."""

from __future__ import annotations

import hashlib
import json
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tts_export.errors import OutputError
from tts_export.models import Boundary, Clip, Realization
from tts_export.synth.cache import ClipCache, clip_key, wav_bytes


def test_key_changes_with_each_input() -> None:
    r = Realization("kokoro", "jf_alpha")
    base = clip_key("kokoro", "1", r, "你好", "m40")
    assert clip_key("kokoro", "2", r, "你好", "m40") != base
    assert clip_key("espeak", "1", r, "你好", "m40") != base
    assert (
        clip_key("kokoro", "1", Realization("kokoro", "jf_alpha", speed=1.1), "你好", "m40") != base
    )
    assert clip_key("kokoro", "1", r, "你好。", "m40") != base
    assert clip_key("kokoro", "1", r, "你好", "m0") != base
    assert clip_key("kokoro", "1", r, "你好", "m40") == base


def test_round_trip_and_damaged_entries_are_misses(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    pcm = bytes(range(256)) * 48  # 6144 samples
    clip = cache.put(
        "ab" * 32,
        utterance_id="u1",
        pcm=pcm,
        sample_rate=24000,
        boundaries=(Boundary(0, 100, "x"),),
        engine="e",
        voice="v",
        attempts=2,
        fallback=True,
    )
    assert clip.duration_ms == 256 * 48 // 2 * 1000 // 24000
    hit = cache.get("ab" * 32, "u2")
    assert hit is not None and hit.cached and hit.utterance_id == "u2"
    assert hit.boundaries == (Boundary(0, 100, "x"),) and hit.engine == "e"
    # Whether it is a fallback is the render's call (the scheduler's), not the entry's.
    assert not hit.fallback
    assert not list(tmp_path.rglob("*.tmp"))
    # A wav cut short (crash mid-copy) no longer matches its record.
    wav = Path(hit.path)
    wav.write_bytes(wav.read_bytes()[:-10])
    assert cache.get("ab" * 32, "u2") is None
    assert cache.get("cd" * 32, "u3") is None


def _put(cache: ClipCache, key: str, pcm: bytes) -> Clip:
    return cache.put(
        key,
        utterance_id="u",
        pcm=pcm,
        sample_rate=22050,
        boundaries=(),
        engine="e",
        voice="v",
        attempts=1,
        fallback=False,
    )


def test_the_wav_holds_the_pcm_and_the_record_its_size(tmp_path: Path) -> None:
    pcm = bytes(range(200)) * 11
    clip = _put(ClipCache(tmp_path), "ef" * 32, pcm)
    with wave.open(clip.path, "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.readframes(wav.getnframes()) == pcm
    assert Path(clip.path).read_bytes() == wav_bytes(pcm, 22050)
    record = json.loads(Path(clip.path).with_suffix(".json").read_text("utf-8"))
    assert record["wav_bytes"] == Path(clip.path).stat().st_size
    assert record["duration_ms"] == clip.duration_ms == 1100 * 1000 // 22050


def test_an_unwritable_cache_is_an_output_error_with_the_cache_hint(tmp_path: Path) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    with pytest.raises(OutputError) as info:
        _put(ClipCache(blocker), "ab" * 32, b"\0\0")
    assert "--cache-dir" in info.value.hint
    # The entry's own name is taken by a folder: the atomic writer's rename fails.
    cache = ClipCache(tmp_path / "cache")
    (tmp_path / "cache" / "cd" / f"{'cd' * 32}.wav").mkdir(parents=True)
    with pytest.raises(OutputError) as info:
        _put(cache, "cd" * 32, b"\0\0")
    assert "clip cache" in str(info.value) and "--cache-dir" in info.value.hint
    assert cache.get("cd" * 32, "u") is None
    assert not list(tmp_path.rglob("*.tmp"))


# --- verification on read: a damaged entry is discarded, counted and made again ---

KEY = "9a" * 32


def _stored(tmp_path: Path) -> tuple[ClipCache, Clip, bytes]:
    cache = ClipCache(tmp_path / "cache")
    rng = np.random.default_rng(3)
    pcm = (np.sin(np.arange(22050) * 0.03) * 9000).astype("<i2").tobytes()
    pcm += rng.integers(-200, 200, 2205, dtype="<i2").tobytes()
    clip = cache.put(
        KEY,
        utterance_id="u",
        pcm=pcm,
        sample_rate=22050,
        boundaries=(Boundary(0, 400, "你好"), Boundary(400, 900, "世界")),
        engine="e",
        voice="v",
        attempts=1,
        fallback=False,
    )
    return cache, clip, pcm


def _record(clip: Clip) -> Path:
    return Path(clip.path).with_suffix(".json")


def _rewrite_record(clip: Clip, change: Callable[[dict[str, Any]], object]) -> None:
    path = _record(clip)
    record = json.loads(path.read_text("utf-8"))
    replaced = change(record)
    path.write_text(json.dumps(record if replaced is None else replaced), "utf-8")


def _samples_flipped(clip: Clip) -> None:
    # Same size, other samples: what a bad disk or a stray write leaves.
    data = bytearray(Path(clip.path).read_bytes())
    noise = np.random.default_rng(9).integers(-30000, 30000, (len(data) - 44) // 2, dtype="<i2")
    data[44:] = noise.tobytes()
    Path(clip.path).write_bytes(bytes(data))


def _header_broken(clip: Clip) -> None:
    data = bytearray(Path(clip.path).read_bytes())
    data[0:4] = b"JUNK"
    Path(clip.path).write_bytes(bytes(data))


def _stereo_header_with_a_matching_digest(clip: Clip) -> None:
    # The digest and size agree with the file, but the file is not what the cache writes.
    data = bytearray(Path(clip.path).read_bytes())
    data[22] = 2  # channels
    Path(clip.path).write_bytes(bytes(data))
    _rewrite_record(clip, lambda r: r.update(sha256=hashlib.sha256(data).hexdigest()))


DAMAGE: dict[str, Callable[[Clip], object]] = {
    "samples changed, size kept": _samples_flipped,
    "broken WAV header": _header_broken,
    "stereo header, digest updated": _stereo_header_with_a_matching_digest,
    "record is a JSON list": lambda c: _rewrite_record(c, lambda r: []),
    "record is not JSON": lambda c: _record(c).write_text("{not json", "utf-8"),
    "record is not UTF-8": lambda c: _record(c).write_bytes(b"\xff\xfe{"),
    "record misses a key": lambda c: _rewrite_record(c, lambda r: r.pop("boundaries")),
    "sample rate is text": lambda c: _rewrite_record(c, lambda r: r.update(sample_rate="x")),
    "duration inflated": lambda c: _rewrite_record(c, lambda r: r.update(duration_ms=10**8)),
    "boundary past the end": lambda c: _rewrite_record(
        c, lambda r: r["boundaries"].append({"start_ms": 900, "end_ms": 10**7, "text": "x"})
    ),
    "boundary of the wrong shape": lambda c: _rewrite_record(
        c, lambda r: r.update(boundaries=[[0, 1, "x"]])
    ),
    "old record without a digest": lambda c: _rewrite_record(c, lambda r: r.pop("sha256")),
    "wav missing": lambda c: Path(c.path).unlink(),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_entry_is_discarded_and_counted(tmp_path: Path, damage: str) -> None:
    cache, clip, pcm = _stored(tmp_path)
    fresh = ClipCache(tmp_path / "cache")
    assert fresh.get(KEY, "u") is not None and fresh.repaired == 0
    DAMAGE[damage](clip)
    assert cache.get(KEY, "u") is None
    assert cache.repaired == 1
    # Discarded: both files are gone, so the next read is a plain miss, not counted again.
    assert not Path(clip.path).exists() and not _record(clip).exists()
    assert cache.get(KEY, "u") is None and cache.repaired == 1
    # Made again, it reads back whole.
    cache.put(
        KEY,
        utterance_id="u",
        pcm=pcm,
        sample_rate=22050,
        boundaries=clip.boundaries,
        engine="e",
        voice="v",
        attempts=1,
        fallback=False,
    )
    hit = cache.get(KEY, "u")
    assert hit is not None and hit.duration_ms == clip.duration_ms == 1100
    assert hit.boundaries == clip.boundaries and cache.repaired == 1


def test_an_absent_entry_is_a_miss_not_a_repair(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    assert cache.get(KEY, "u") is None and cache.repaired == 0


def test_the_record_holds_the_digest_of_the_wav(tmp_path: Path) -> None:
    _, clip, _ = _stored(tmp_path)
    record = json.loads(_record(clip).read_text("utf-8"))
    assert record["sha256"] == hashlib.sha256(Path(clip.path).read_bytes()).hexdigest()


def test_boundaries_are_kept_inside_the_clip_so_the_entry_reads_back(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    clip = cache.put(
        KEY,
        utterance_id="u",
        pcm=bytes(4410),  # 100 ms at 22,050 Hz
        sample_rate=22050,
        boundaries=(Boundary(-5, 30, "a"), Boundary(60, 40, "b"), Boundary(90, 500, "c")),
        engine="e",
        voice="v",
        attempts=1,
        fallback=False,
    )
    expected = (Boundary(0, 30, "a"), Boundary(60, 60, "b"), Boundary(90, 100, "c"))
    assert clip.boundaries == expected
    hit = cache.get(KEY, "u")
    assert hit is not None and hit.boundaries == expected and cache.repaired == 0
