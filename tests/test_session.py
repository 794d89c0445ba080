"""Sessions: engines opened once for many renders, closed with the session, never leaked.

The engines counted are the real espeak engine, built by the real registry:
the test only wraps ``engines.create`` to record each construction and each
``aclose``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import tts_export
from tts_export import engines
from tts_export.engines.base import Engine
from tts_export.errors import ConfigError, VoiceError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "render"
ZH, EN = FIXTURES / "short_zh.md", FIXTURES / "short_en.md"


class Counts:
    def __init__(self) -> None:
        self.created: list[str] = []
        self.closed: list[str] = []

    @property
    def open(self) -> int:
        return len(self.created) - len(self.closed)


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    seen = Counts()
    real_create = engines.create

    def create(name: str, **options: object) -> Engine:
        engine = real_create(name, **options)
        seen.created.append(name)
        close = engine.aclose

        async def aclose() -> None:
            seen.closed.append(name)
            await close()

        engine.aclose = aclose  # type: ignore[method-assign]
        return engine

    monkeypatch.setattr(engines, "create", create)
    yield seen


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def _options(tmp_path: Path, out: str) -> dict[str, object]:
    return {"engine": "espeak", "out_dir": tmp_path / out, "cache_dir": tmp_path / f"{out}-cache"}


def test_two_renders_share_one_engine_and_closing_the_session_closes_it(
    counts: Counts, tmp_path: Path
) -> None:
    with tts_export.Session(**_options(tmp_path, "session")) as session:  # type: ignore[arg-type]
        assert not session.loaded and counts.created == []  # nothing opened before a render
        first = session.render(ZH)
        second = session.render(EN)
        assert counts.created == ["espeak"]  # espeak's fallback is "none": one engine
        assert counts.closed == [] and session.loaded  # kept loaded between renders
        assert first.synthesized > 0 and second.synthesized > 0
    assert counts.closed == ["espeak"] and not session.loaded
    with pytest.raises(ConfigError, match="closed"):
        session.render(ZH)
    assert counts.created == ["espeak"]

    # the same files, byte for byte, as two one-shot renders (each opens and closes its own)
    one_shot = [tts_export.render(p, **_options(tmp_path, "one-shot")) for p in (ZH, EN)]
    assert counts.created == ["espeak"] * 3 and counts.open == 0
    assert _digests(tmp_path / "session") == _digests(tmp_path / "one-shot")
    assert [r.duration_ms for r in one_shot] == [first.duration_ms, second.duration_ms]


def _bad_voice(tmp_path: Path) -> Path:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "bad.toml").write_text(
        '[[profile]]\nid = "mute"\ngender = "male"\nlanguage = "zh"\n'
        'espeak = { voice = "zz-nowhere" }\n',
        encoding="utf-8",
    )
    return folder


def test_a_render_that_fails_leaks_no_engine(counts: Counts, tmp_path: Path) -> None:
    folder = _bad_voice(tmp_path)
    bad = {"voice_dirs": (folder,), "voices": {"闲哥": "mute"}}
    with tts_export.Session(**_options(tmp_path, "s")) as session:  # type: ignore[arg-type]
        # the voice is refused by the open engine, inside the synthesis
        with pytest.raises(VoiceError, match="zz-nowhere"):
            session.render(ZH, **bad)  # type: ignore[call-overload]
        assert counts.created == ["espeak"] and counts.closed == []  # the session's, held
        done = session.render(ZH)  # the held engine still works
        assert done.synthesized > 0 and counts.created == ["espeak"]
    assert counts.open == 0

    with pytest.raises(VoiceError):
        tts_export.render(ZH, **_options(tmp_path, "one"), **bad)  # type: ignore[call-overload]
    assert counts.created == ["espeak", "espeak"] and counts.open == 0


def test_a_render_with_other_engine_settings_opens_and_closes_its_own(
    counts: Counts, tmp_path: Path
) -> None:
    with tts_export.Session(**_options(tmp_path, "s")) as session:  # type: ignore[arg-type]
        session.render(ZH)
        session.render(EN, jobs=2)  # other engine settings: its own engine, for this call only
        assert counts.created == ["espeak", "espeak"] and counts.closed == ["espeak"]
        session.render(EN, out_dir=tmp_path / "elsewhere")  # not an engine setting: shared
        assert len(counts.created) == 2
    assert counts.open == 0


def test_a_batch_in_a_session_uses_the_session_engine(counts: Counts, tmp_path: Path) -> None:
    with tts_export.Session(**_options(tmp_path, "s")) as session:  # type: ignore[arg-type]
        result = session.render([FIXTURES])
        single = session.render(ZH, out_dir=tmp_path / "single")
        assert [f.status for f in result.items] == ["ok"] * len(list(FIXTURES.glob("*.md")))
        assert counts.created == ["espeak"] and counts.closed == []
    assert counts.open == 0
    assert single.cached == single.utterances  # the batch cached it: one cache, one engine
    batch = tts_export.render([FIXTURES], **_options(tmp_path, "once"))  # type: ignore[call-overload]
    assert [f.status for f in batch.items] == [f.status for f in result.items]
    assert counts.open == 0


def test_session_options_are_validated_up_front_and_overridden_per_call(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown option"):
        tts_export.Session(engine="espeak", colour="red")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="engine"):
        tts_export.Session(engine="nope")
    with tts_export.Session(**_options(tmp_path, "s")) as session:  # type: ignore[arg-type]
        with pytest.raises(ConfigError, match="unknown option"):
            session.render(ZH, colour="red")  # type: ignore[call-overload]
        done = session.render(ZH, audio_format="wav")
    assert Path(done.files["audio"]).suffix == ".wav"


def test_repair_and_session_are_exported_at_the_root() -> None:
    from tts_export import Session, repair

    assert callable(repair) and repair.__module__ == "tts_export.api"
    assert Session.__module__ == "tts_export.session"
    assert "repair" in tts_export.__all__ and "Session" in tts_export.__all__


def test_inspect_closes_what_it_builds_and_starts_no_ray(
    counts: Counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tts_export.engines.ray import engine as ray_engine

    def no_actors(*args: object, **kwargs: object) -> None:
        raise AssertionError("inspect started Ray actors for an estimate")

    monkeypatch.setattr(ray_engine.RayEngine, "__init__", no_actors)
    report = tts_export.inspect(ZH, engine="espeak", executor="ray")
    assert report.estimated_ms["espeak"] > 0
    assert counts.created and counts.open == 0  # every engine built for an estimate is closed
