"""The Ray executor on a real local Ray cluster (127.0.0.1, 2 CPUs): same clips as a local render.

One cluster serves the module; it is started by the first ``RayEngine``
(the library's own local start) and shut down after the last test. Each
render through Ray is compared clip by clip (PCM and boundaries) with the
same script rendered by the plain engine in this process. Without ray
installed, everything but the install hint is skipped.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import wave
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from conftest import casting, make_script, persona

from tts_export.common.lang import has_han
from tts_export.engines.base import Engine, GroupingEngine
from tts_export.engines.ray import RayEngine
from tts_export.engines.ray.cluster import INSTALL_HINT, check_workers
from tts_export.engines.ray.worker import Description
from tts_export.errors import ConfigError, EngineError, EngineUnavailable
from tts_export.models import (
    Boundary,
    Casting,
    Realization,
    Script,
)
from tts_export.synth import synthesize_script
from tts_export.synth.cache import ClipCache
from tts_export.synth.scheduler import Progress

SKIP_REASON = "the Ray executor needs ray: pip install 'tts-export[ray]'"

SENTENCES = (
    "今天我们聊一聊语音合成。",
    "Speech synthesis has come a long way.",
    "为什么这么说呢？",
    "Models are small enough to run on a laptop.",
    "第一，速度快；第二，成本低。",
    "And they run fully offline, which matters for privacy.",
    "谢谢大家收听本期节目。",
    "Doctor Smith arrived at 10:30 in the morning.",
)

Rendered = dict[str, tuple[bytes, int, tuple[Boundary, ...]]]


@pytest.fixture(scope="module")
def ray_module() -> Iterator[ModuleType]:
    """A local Ray started by RayEngine itself (2 workers, so 2 CPUs), shut down after the module."""
    if sys.modules.get("ray") is not None:  # the engine imports it, so Ray listens on loopback
        pytest.skip("ray was imported before this module's cluster was started")
    try:
        engine = RayEngine("espeak", workers=2)
    except EngineUnavailable as error:
        if error.hint != INSTALL_HINT:
            raise
        pytest.skip(SKIP_REASON)
    asyncio.run(engine.aclose())
    import ray

    try:
        yield ray
    finally:
        ray.shutdown()


def _script(texts: tuple[str, ...], *, sentences_per_turn: int = 1) -> tuple[Script, Casting]:
    """Chinese texts spoken by "zh" (espeak or kokoro), the others by "en" (espeak)."""
    script = make_script(
        texts,
        speaker=lambda _i, text: "zh" if has_han(text) else "en",
        per_turn=sentences_per_turn,
        id_digits=2,
    )
    voices = casting(
        zh=persona("zh", Realization("espeak", "cmn+f3"), Realization("kokoro", "jf_gongitsune")),
        en=persona("en", Realization("espeak", "en-us+f2", 0.95, 10), language="en"),
    )
    return script, voices


def _render(
    engine: Engine,
    texts: tuple[str, ...],
    cache: Path,
    *,
    sentences_per_turn: int = 1,
    seen: list[Progress] | None = None,
) -> Rendered:
    script, casting = _script(texts, sentences_per_turn=sentences_per_turn)
    try:
        clips = synthesize_script(
            script,
            casting,
            engine=engine,
            fallback=None,
            cache=ClipCache(cache),
            on_progress=None if seen is None else seen.append,
        )
    finally:
        asyncio.run(engine.aclose())  # the synth stage never closes an engine: its maker does
    out: Rendered = {}
    for uid, clip in clips.items():
        with wave.open(clip.path, "rb") as wav:
            out[uid] = (wav.readframes(wav.getnframes()), clip.duration_ms, clip.boundaries)
    return out


@pytest.fixture(scope="module")
def local_espeak(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    from tts_export.engines.espeak.engine import EspeakEngine

    return _render(EspeakEngine(), SENTENCES * 3, tmp_path_factory.mktemp("local"))


def _differing(a: Rendered, b: Rendered) -> list[str]:
    assert a.keys() == b.keys()
    return [uid for uid in a if a[uid] != b[uid]]


def test_without_ray_creating_the_engine_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets when it is missing
    with pytest.raises(EngineUnavailable) as raised:
        RayEngine("espeak")
    assert raised.value.hint == INSTALL_HINT == "pip install 'tts-export[ray]'"


def test_options_are_checked_before_any_cluster_is_reached() -> None:
    with pytest.raises(ConfigError, match="ray workers"):
        RayEngine("espeak", workers=0)
    with pytest.raises(ConfigError, match="ray in_flight"):
        RayEngine("espeak", in_flight=True)


def test_a_worker_with_another_engine_version_is_refused() -> None:
    found = [Description("espeak", "espeak/1.52/adapter-2", 22050, 11)]
    assert check_workers(found, name="espeak", version="espeak/1.52/adapter-2", sample_rate=22050)
    with pytest.raises(EngineUnavailable, match="same tts-export"):
        check_workers(found, name="espeak", version="espeak/1.52/adapter-3", sample_rate=22050)


def test_a_local_ray_too_small_for_the_workers_is_refused_at_once(ray_module: ModuleType) -> None:
    with pytest.raises(EngineUnavailable, match="has 2 CPUs, the workers need 3"):
        RayEngine("espeak", workers=3)


def test_the_local_cluster_listens_on_loopback_only(ray_module: ModuleType) -> None:
    nodes = [n for n in ray_module.nodes() if n["Alive"]]
    assert [n["NodeManagerAddress"] for n in nodes] == ["127.0.0.1"]
    assert ray_module.get_runtime_context().gcs_address.startswith("127.0.0.1:")
    assert ray_module.cluster_resources()["CPU"] == 2


def test_it_is_the_inner_engine_to_the_scheduler_and_the_cache(ray_module: ModuleType) -> None:
    from tts_export.engines.espeak.engine import EspeakEngine

    engine = RayEngine("espeak", workers=2)
    try:
        local = EspeakEngine()
        assert (engine.name, engine.version, engine.sample_rate) == (
            local.name,
            local.version,
            local.sample_rate,
        )
        assert engine.max_jobs == 4 and not isinstance(engine, GroupingEngine)
        assert isinstance(engine, Engine) and len(set(engine.stats.pids)) == 2
        assert os.getpid() not in engine.stats.pids  # synthesis runs in the actors
        # An engine error crosses the cluster whole: its fields and hint.
        blank = Realization("espeak", "en-us")
        with pytest.raises(EngineError) as raised:
            asyncio.run(engine.synthesize("  ", blank))
        assert raised.value.engine == "espeak" and "speakable" in raised.value.hint
        # Closed (as its maker does after a render), it starts new actors when used again.
        first = engine.stats.pids
        asyncio.run(engine.aclose())
        assert engine.actors == ()
        voice = Realization("espeak", "en-us+f2")
        again = asyncio.run(engine.synthesize("Hello again.", voice))
        assert again == asyncio.run(local.synthesize("Hello again.", voice))
        assert len(engine.actors) == 2 and not set(engine.stats.pids) & set(first)
    finally:
        asyncio.run(engine.aclose())


def test_espeak_through_ray_gives_the_local_clips(
    ray_module: ModuleType, local_espeak: Rendered, tmp_path: Path
) -> None:
    engine = RayEngine("espeak", workers=2)
    through_ray = _render(engine, SENTENCES * 3, tmp_path)
    assert len(through_ray) == len(SENTENCES) * 3
    assert _differing(through_ray, local_espeak) == []
    # Repeated (voice, text) pairs are rendered once, by the driver's plan.
    assert engine.stats.completed == len(SENTENCES) and engine.stats.retries == 0
    # The same cache serves a local render: every clip a hit, nothing rendered again.
    from tts_export.engines.espeak.engine import EspeakEngine

    seen: list[Progress] = []
    again = _render(EspeakEngine(), SENTENCES * 3, tmp_path, seen=seen)
    assert again == through_ray and seen[-1].cached == len(SENTENCES) * 3


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(
    ray_module: ModuleType, tmp_path: Path
) -> None:
    from tts_export.engines.espeak.engine import EspeakEngine

    texts = tuple(f"{text} {n}" for n in range(3) for text in SENTENCES)  # 24 distinct
    local = _render(EspeakEngine(), texts, tmp_path / "local")
    engine = RayEngine("espeak", workers=2)
    seen: list[Progress] = []
    killed: list[int] = []

    def kill_once(progress: Progress) -> None:
        seen.append(progress)
        stats = engine.stats
        if not killed and max(stats.in_flight) > 0:
            busiest = stats.in_flight.index(max(stats.in_flight))
            killed.append(stats.pids[busiest])
            os.kill(stats.pids[busiest], signal.SIGKILL)

    script, casting = _script(texts)
    clips = synthesize_script(
        script,
        casting,
        engine=engine,
        fallback=None,
        cache=ClipCache(tmp_path / "ray"),
        on_progress=kill_once,
    )
    assert killed, "no call was in flight to kill"
    stats = engine.stats
    assert stats.retries >= 1  # the killed worker's calls were sent again
    assert stats.completed == len(texts)  # and each clip's result was taken once
    assert [p.done for p in seen] == list(range(1, len(texts) + 1))
    assert sorted(p.utterance_id for p in seen) == sorted(clips) == sorted(local)
    asyncio.run(engine.aclose())  # its actors hold the CPUs the next engine's need
    through_ray = _render(RayEngine("espeak", workers=2), texts, tmp_path / "ray")
    assert _differing(through_ray, local) == []


_DRIVER = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_ray import SENTENCES, _script
from tts_export.engines.ray import RayEngine
from tts_export.synth import synthesize_script
from tts_export.synth.cache import ClipCache

def die(progress):
    if progress.done == {stop}:
        os.kill(os.getpid(), signal.SIGKILL)

script, casting = _script(SENTENCES)
engine = RayEngine("espeak", address={address!r}, workers=2)
synthesize_script(script, casting, engine=engine, fallback=None,
                  cache=ClipCache(Path({cache!r})), jobs=1, on_progress=die)
"""


def test_a_driver_killed_mid_run_resumes_from_its_cache(
    ray_module: ModuleType, local_espeak: Rendered, tmp_path: Path
) -> None:
    # A second driver joins this module's cluster and is killed after 3 clips.
    address = ray_module.get_runtime_context().gcs_address
    code = _DRIVER.format(
        tests=str(Path(__file__).parent), stop=3, address=address, cache=str(tmp_path)
    )
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, timeout=600
    )
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()[-2000:]
    seen: list[Progress] = []
    resumed = _render(RayEngine("espeak", workers=2), SENTENCES, tmp_path, seen=seen)
    assert seen[-1].done == len(SENTENCES) and seen[-1].cached >= 3
    assert _differing(resumed, {uid: local_espeak[uid] for uid in resumed}) == []


@pytest.mark.slow
def test_kokoro_through_ray_gives_the_local_clips(ray_module: ModuleType, tmp_path: Path) -> None:
    from tts_export.engines.kokoro.engine import KokoroEngine

    texts = ("今天我们聊一聊人工智能。", "这是第二句话。")  # one turn: one grouped call
    local = _render(KokoroEngine(), texts, tmp_path / "local", sentences_per_turn=2)
    engine = RayEngine("kokoro", workers=1, threads=1)
    assert isinstance(engine, GroupingEngine)
    assert engine.max_group_tokens == KokoroEngine().max_group_tokens
    through_ray = _render(engine, texts, tmp_path / "ray", sentences_per_turn=2)
    assert engine.stats.completed == 1  # the group went through synthesize_group
    assert _differing(through_ray, local) == []
    assert all(boundaries for _, _, boundaries in through_ray.values())
