"""Clip cache: keys change with every input, entries round-trip, damage is a miss."""

from __future__ import annotations

import json
import wave
from pathlib import Path

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
    assert hit.boundaries == (Boundary(0, 100, "x"),) and hit.fallback
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
