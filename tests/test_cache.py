"""Clip cache: keys change with every input, entries round-trip, damage is a miss."""

from __future__ import annotations

from pathlib import Path

from tts_export.models import Boundary, Realization
from tts_export.synth.cache import ClipCache, clip_key


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
