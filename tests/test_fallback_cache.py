"""A clip the fallback made and cached is a plain clip of a later render with that engine.

Real engines: edge-tts's client against the loopback fake service (tests/fake_edge.py),
which fails every request for one sentence, with espeak as the fallback; then a plain
``--engine espeak`` render of the same text reuses that clip from the cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import read_manifest, render_api
from fake_edge import FakeEdge

TALK = """Host: Welcome to the show. Today we talk about captions.

Guest: Thanks for having me. The zebra sentence fails online.

Host: Thank you for coming.

Guest: It was a pleasure.
"""


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEdge]:
    fake = FakeEdge().start()
    fake.fail_texts["zebra"] = "noaudio"
    monkeypatch.setenv("TTS_EXPORT_EDGE_URL", fake.url)
    yield fake
    fake.stop()


def test_a_cached_fallback_clip_is_not_a_fallback_of_a_plain_espeak_render(
    service: FakeEdge, tmp_path: Path
) -> None:
    source = tmp_path / "talk.md"
    source.write_text(TALK, encoding="utf-8")
    cache = tmp_path / "cache"
    online = render_api(source, tmp_path / "edge", cache, engine="edge", fallback="espeak")
    assert len(online.fallbacks) == 1 and "by espeak" in online.fallbacks[0]
    assert read_manifest(tmp_path / "edge", "talk")["stats"]["fallbacks"] == 1

    plain = render_api(source, tmp_path / "espeak", cache, engine="espeak")
    manifest = read_manifest(tmp_path / "espeak", "talk")
    assert plain.cached >= 1  # the fallback's clip, reused from the cache
    assert plain.fallbacks == () and manifest["stats"]["fallbacks"] == 0
    assert not any(u.get("fallback") for u in manifest["utterances"])
