"""The edge engine, driven through the real edge_tts client against a loopback fake service.

The fake (tests/fake_edge.py) speaks the service's websocket protocol, serves
real MP3 whose length follows the text, and injects faults on request. Every
check here measures what came back: decoded samples, boundaries, the
requests and connections the fake saw, wall time.
"""

from __future__ import annotations

import asyncio
import time
import wave
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import edge_tts
import edge_tts.communicate
import edge_tts.voices
import numpy as np
import pytest
from conftest import casting, make_script, persona
from edge_tts.data_classes import TTSConfig
from fake_edge import LEAD_MS, FakeEdge, duration_for, mp3_for, tokens
from hypothesis import given
from hypothesis import strategies as st

from tts_export import engines
from tts_export.casting import load_profiles
from tts_export.engines import list_voices
from tts_export.engines.base import Engine
from tts_export.engines.edge import voices as edge_voices
from tts_export.engines.edge.checks import SAMPLE_RATE, check_clip, plausible_min_ms
from tts_export.engines.edge.engine import EdgeEngine
from tts_export.engines.edge.options import MAX_SSML_BYTES, VOICE_PATTERN
from tts_export.errors import ConfigError, EngineError, EngineUnavailable, VoiceError
from tts_export.models import (
    Casting,
    EngineVoice,
    Realization,
    Synthesis,
)
from tts_export.synth.cache import ClipCache

ZH = "你好，欢迎收听本期节目。"
XIAOXIAO = Realization("edge", "zh-CN-XiaoxiaoNeural")
DECODE_EXTRA_MS = 64  # MP3 without a Xing header decodes about 64 ms long (docs/DESIGN.md)


@pytest.fixture(scope="module")
def service() -> Iterator[FakeEdge]:
    fake = FakeEdge().start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(service: FakeEdge) -> FakeEdge:
    service.reset()
    return service


def make(fake: FakeEdge, **options: float) -> EdgeEngine:
    opts: dict[str, float] = {"backoff_s": 0.01, "deadline_s": 5.0, "attempts": 4}
    opts.update(options)
    return EdgeEngine(url=fake.url, **opts)  # type: ignore[arg-type]


def say(engine: EdgeEngine, text: str = ZH, realization: Realization = XIAOXIAO) -> Synthesis:
    return asyncio.run(engine.synthesize(text, realization))


def expected_ms(text: str) -> int:
    return LEAD_MS + duration_for(text) + DECODE_EXTRA_MS


def rms(syn: Synthesis) -> float:
    x = np.frombuffer(syn.pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(x**2)))


# -- success ------------------------------------------------------------------


def test_registered_and_satisfies_protocol(fake: FakeEdge) -> None:
    made = engines.create("edge", jobs=3, url=fake.url)
    assert isinstance(made, EdgeEngine) and isinstance(made, Engine)
    assert made.max_jobs == 3 and made.sample_rate == 24000
    assert edge_tts.__version__ in made.version


def test_success_gives_pcm_and_word_boundaries_in_ms(fake: FakeEdge) -> None:
    text = "你好，世界。Hello world & friends."
    syn = say(make(fake), text, Realization("edge", "zh-CN-XiaoxiaoNeural", speed=1.1, pitch=5))
    assert syn.sample_rate == SAMPLE_RATE and syn.attempts == 1
    assert abs(syn.duration_ms - expected_ms(text)) <= 30
    assert rms(syn) > 1000  # the fake's tone, not silence
    words = tokens(text)
    assert [b.text for b in syn.boundaries] == words
    # The fake places word i at LEAD + 200 ms per Han character / 300 ms per word before it.
    at = LEAD_MS
    for b, word in zip(syn.boundaries, words, strict=True):
        step = 200 if len(word) == 1 and word >= "\u3400" else 300
        assert (b.start_ms, b.end_ms) == (at, at + step)
        at += step
    assert all(0 <= b.start_ms < b.end_ms <= syn.duration_ms for b in syn.boundaries)
    (request,) = fake.requests
    assert request.voice == "Microsoft Server Speech Text to Speech Voice (zh-CN, XiaoxiaoNeural)"
    assert (request.rate, request.pitch, request.text) == ("+10%", "+5Hz", text)


def test_prosody_strings_follow_speed_and_pitch(fake: FakeEdge) -> None:
    engine = make(fake)
    say(engine, ZH, Realization("edge", "zh-CN-liaoning-XiaobeiNeural", speed=0.85, pitch=-12))
    (request,) = fake.requests
    assert (request.rate, request.pitch) == ("-15%", "-12Hz")
    assert request.voice.endswith("(zh-CN-liaoning, XiaobeiNeural)")


# -- faults and retries -------------------------------------------------------


def test_first_403_is_absorbed_by_the_library_second_by_a_retry(fake: FakeEdge) -> None:
    engine = make(fake)
    fake.script("403")
    assert say(engine).attempts == 1 and fake.handshakes == 2  # edge-tts's clock-skew retry
    fake.reset()
    fake.script("403", "403")
    syn = say(engine)
    assert syn.attempts == 2 and fake.handshakes == 3
    assert abs(syn.duration_ms - expected_ms(ZH)) <= 30


def test_raw_client_returns_truncated_audio_without_error(fake: FakeEdge) -> None:
    """Why the clip check exists: the library itself does not notice."""
    edge_tts.communicate.WSS_URL = fake.url  # type: ignore[attr-defined]
    fake.script("truncate")

    async def raw() -> int:
        n = 0
        async for chunk in edge_tts.Communicate(ZH, XIAOXIAO.voice).stream():
            n += len(chunk.get("data", b""))
        return n

    received = asyncio.run(raw())
    assert 0 < received < 0.5 * len(mp3_for(LEAD_MS + duration_for(ZH)))


def test_truncated_clip_is_detected_and_retried(fake: FakeEdge) -> None:
    fake.script("truncate")
    syn = say(make(fake))
    assert syn.attempts == 2 and len(fake.requests) == 2
    assert abs(syn.duration_ms - expected_ms(ZH)) <= 30


def test_stall_ends_at_the_deadline_and_is_retried(fake: FakeEdge) -> None:
    fake.script("stall")
    start = time.monotonic()
    syn = say(make(fake, deadline_s=1.0))
    elapsed = time.monotonic() - start
    # The first attempt waited out its deadline (not an early error), then a retry succeeded;
    # only a lower bound: an upper one would fail on a loaded machine.
    assert syn.attempts == 2 and elapsed >= 1.0
    assert abs(syn.duration_ms - expected_ms(ZH)) <= 30


def test_unanswered_handshake_ends_at_the_deadline(fake: FakeEdge) -> None:
    fake.script("hang")
    start = time.monotonic()
    syn = say(make(fake, deadline_s=1.0))
    assert syn.attempts == 2 and fake.handshakes == 2
    assert time.monotonic() - start >= 1.0  # the deadline was waited out, not cut short


def test_no_audio_websocket_error_drop_and_silence_are_retried(fake: FakeEdge) -> None:
    fake.script("noaudio", "wserror", "drop", "silent", "500")
    syn = say(make(fake, attempts=6))
    assert syn.attempts == 6
    assert [r.fault for r in fake.requests] == ["noaudio", "wserror", "drop", "silent", ""]
    assert rms(syn) > 1000


def test_permanent_failure_is_bounded_and_slows_the_engine(fake: FakeEdge) -> None:
    fake.fail_texts["坏"] = "noaudio"
    engine = make(fake, attempts=3)
    with pytest.raises(EngineError) as info:
        say(engine, "这句话是坏的。")
    err = info.value
    assert err.attempts == 3 and err.retryable and err.engine == "edge"
    assert "gave up after 3 attempts" in err.detail and "no audio" in err.detail
    assert err.hint and len(fake.requests) == 3
    # Three failures in the recent window: every request now waits, longer as failures grow.
    first = engine.slowdown_s
    assert first > 0
    with pytest.raises(EngineError):
        say(engine, "这句话是坏的。")
    assert engine.slowdown_s >= 4 * first
    start = time.monotonic()
    assert say(engine).attempts == 1
    assert time.monotonic() - start >= engine.slowdown_s * 0.9  # paid the shared delay


def test_client_error_status_is_not_retried(fake: FakeEdge) -> None:
    fake.script("404", "404")
    with pytest.raises(EngineError) as info:
        say(make(fake))
    assert not info.value.retryable and info.value.attempts == 1
    assert "HTTP 404" in info.value.detail and fake.handshakes == 1


def test_unknown_voice_gets_a_hint_naming_it(fake: FakeEdge) -> None:
    fake.script("noaudio", "noaudio")
    with pytest.raises(EngineError) as info:
        say(make(fake, attempts=2), ZH, Realization("edge", "zh-CN-NoSuchPersonNeural"))
    assert "zh-CN-NoSuchPersonNeural" in info.value.hint and "--refresh" in info.value.hint


# -- refused before any request -----------------------------------------------


@pytest.mark.parametrize(
    "voice",
    ["zh-CN-Xiaoxiao'><evil", "Xiaoxiao", "zh-cn-XiaoxiaoNeural", "zh-CN-Xiao xiaoNeural", ""],
)
def test_bad_voice_name_rejected_before_any_connection(fake: FakeEdge, voice: str) -> None:
    engine = make(fake)
    bad = Realization("edge", voice)
    with pytest.raises(VoiceError):
        engine.check_voice(bad)
    with pytest.raises(VoiceError):
        say(engine, ZH, bad)
    assert fake.handshakes == 0


@given(st.one_of(st.text(max_size=40), st.from_regex(VOICE_PATTERN, fullmatch=True)))
def test_any_accepted_voice_makes_well_formed_ssml(voice: str) -> None:
    """The library puts the voice into SSML unescaped: only safe names may pass."""
    realization = Realization("edge", voice)
    if not VOICE_PATTERN.fullmatch(voice):
        with pytest.raises(VoiceError):
            EdgeEngine().check_voice(realization)
        return
    EdgeEngine().check_voice(realization)
    config = TTSConfig(voice, "+0%", "+0%", "+0Hz", "WordBoundary")
    root = ElementTree.fromstring(edge_tts.communicate.mkssml(config, "x"))
    (element,) = [e for e in root.iter() if e.tag.endswith("voice")]
    assert element.get("name", "").endswith("Neural)")


def test_bundled_personas_have_valid_edge_voices() -> None:
    engine = EdgeEngine()
    edge = [p.realization("edge") for p in load_profiles().values()]
    assert edge and all(r is not None for r in edge)
    for realization in edge:
        assert realization is not None
        engine.check_voice(realization)


def test_speed_and_pitch_out_of_range_rejected(fake: FakeEdge) -> None:
    engine = make(fake)
    for bad in (
        Realization("edge", XIAOXIAO.voice, speed=3.0),
        Realization("edge", XIAOXIAO.voice, pitch=400),
    ):
        with pytest.raises(VoiceError):
            engine.check_voice(bad)
    assert fake.handshakes == 0


@pytest.mark.parametrize("text", ["", "   ", "……", "——！"])
def test_text_without_words_refused_without_a_request(fake: FakeEdge, text: str) -> None:
    with pytest.raises(EngineError) as info:
        say(make(fake), text)
    assert not info.value.retryable and fake.handshakes == 0


def test_oversized_sentence_refused_without_retry(fake: FakeEdge) -> None:
    with pytest.raises(EngineError) as info:
        say(make(fake), "长" * (MAX_SSML_BYTES // 3 + 10))
    assert not info.value.retryable and info.value.attempts == 1
    assert "split" in info.value.hint and fake.handshakes == 0


def test_bad_options_and_urls_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError):
        EdgeEngine(jobs=0)
    with pytest.raises(ConfigError):
        EdgeEngine(attempts=1.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        EdgeEngine(threads=2)
    with pytest.raises(ConfigError):
        EdgeEngine(url="http://example.com/no-websocket")
    monkeypatch.setenv("TTS_EXPORT_EDGE_URL", "ws://127.0.0.1:9/no-query")
    with pytest.raises(ConfigError) as info:
        EdgeEngine()
    assert info.value.setting == "TTS_EXPORT_EDGE_URL"


# -- concurrency and endpoint ---------------------------------------------------


def test_jobs_overlap_requests_and_cap_them(fake: FakeEdge) -> None:
    fake.delay_s = 0.4
    engine = make(fake, jobs=4)
    texts = [f"第{i}句话在这里。" for i in range(8)]
    mp3_for(LEAD_MS + duration_for(texts[0]))  # made once, before the clock starts

    async def run_all() -> list[Synthesis]:
        return list(await asyncio.gather(*(engine.synthesize(t, XIAOXIAO) for t in texts)))

    results = asyncio.run(run_all())
    assert fake.max_concurrent == 4  # overlapped, and never more than jobs (speed: bench_edge)
    assert sorted(r.text for r in fake.requests) == sorted(texts)
    assert all(
        abs(r.duration_ms - expected_ms(t)) <= 30 for r, t in zip(results, texts, strict=True)
    )


def test_environment_url_is_used(fake: FakeEdge, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTS_EXPORT_EDGE_URL", fake.url)
    # the engine must override whatever the module global holds
    edge_tts.communicate.WSS_URL = "ws://127.0.0.1:9/elsewhere?x=1"  # type: ignore[attr-defined]
    engine = EdgeEngine(backoff_s=0.01)
    assert engine.url == fake.url
    assert say(engine).attempts == 1 and len(fake.requests) == 1


# -- pure parts -----------------------------------------------------------------


def test_clip_check_rejects_short_silent_and_overrunning_clips() -> None:
    tone = (np.sin(np.arange(24000) * 0.05) * 8000).astype("<i2").tobytes()  # 1 s
    floor = plausible_min_ms("一二三四五六七八九十十一十二", 1.0)
    assert floor > 1000
    with pytest.raises(Exception, match="cut short"):
        check_clip(tone, [], floor)
    with pytest.raises(Exception, match="silent"):
        check_clip(bytes(len(tone)), [], 100)
    with pytest.raises(Exception, match="outside"):
        check_clip(tone, [(0.0, 15_000_000.0, "late")], 100)
    (b,) = check_clip(tone, [(1_234_567.0, 2_000_000.0, "w")], 100)
    assert (b.start_ms, b.end_ms, b.text) == (123, 323, "w")
    assert plausible_min_ms("abc def", 2.0) < plausible_min_ms("abc def", 1.0)


def test_estimate_follows_script() -> None:
    engine = EdgeEngine()
    assert engine.estimate_ms("你好世界") == 4 * 220
    assert engine.estimate_ms("hello") == 5 * 65


# -- voice lists ------------------------------------------------------------------


def test_bundled_edge_list_filters_by_language() -> None:
    zh_cn = list_voices("edge", lang="zh-CN")
    names = {v.name for v in zh_cn}
    assert {"zh-CN-XiaoxiaoNeural", "zh-CN-YunxiNeural", "zh-CN-liaoning-XiaobeiNeural"} <= names
    assert not any(v.locale.startswith("zh-TW") for v in zh_cn)
    zh = {v.locale for v in list_voices("edge", lang="zh")}
    assert {"zh-CN", "zh-TW", "zh-HK"} <= zh
    gb = list_voices("edge", lang="en-gb")
    assert gb and all(v.locale == "en-GB" for v in gb)
    genders = {v.name: v.gender for v in list_voices("edge")}
    assert genders["zh-CN-YunjianNeural"] == "male" and genders["en-US-AriaNeural"] == "female"
    assert all(v.engine == "edge" for v in zh_cn)


def test_bundled_edge_voices_all_pass_the_engine_check() -> None:
    engine = EdgeEngine()
    for voice in list_voices("edge"):
        engine.check_voice(Realization("edge", voice.name))


def test_refresh_offline_says_the_bundled_list_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge_tts.voices, "VOICE_LIST", "http://127.0.0.1:9/voices/list?x=1")
    with pytest.raises(EngineUnavailable) as info:
        list_voices("edge", refresh=True)
    assert "without --refresh" in info.value.hint


def test_damaged_snapshot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge_voices, "BUNDLED_FILE", "no_such_list.json")
    try:
        with pytest.raises(EngineUnavailable) as info:
            list_voices("edge")
        assert "no_such_list.json" in str(info.value) and "--refresh" in info.value.hint
    finally:
        monkeypatch.undo()
    assert list_voices("edge", lang="en-US")


def test_kokoro_voices_get_language_and_gender_from_their_id() -> None:
    try:
        rows = list_voices("kokoro", lang="ja")
    except EngineUnavailable as exc:
        pytest.skip(f"kokoro cannot run here: {exc}")
    by_name = {v.name: v for v in rows}
    assert by_name["jm_kumo"] == EngineVoice("kokoro", "jm_kumo", "male", "ja-JP")
    assert by_name["jf_nezumi"].gender == "female"
    assert all(v.locale == "ja-JP" for v in rows)


def test_espeak_lists_its_languages_and_each_is_a_usable_voice() -> None:
    from tts_export.engines.espeak.engine import EspeakEngine

    voices = list_voices("espeak")
    names = {v.name for v in voices}
    assert {"cmn", "en-us", "en-gb"} <= names
    assert {v.name for v in list_voices("espeak", lang="en")} >= {"en-us", "en-gb"}
    engine = EspeakEngine()
    for name in ("cmn", "en-gb"):
        engine.check_voice(Realization("espeak", name))


def test_unknown_engine_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        list_voices("festival")
    assert "edge" in info.value.hint


# -- the real synth stage with failover ------------------------------------------


def _casting() -> Casting:
    """A and B on Edge, each with an espeak voice to fall back on."""
    return casting(
        A=persona(
            "pa", Realization("edge", "zh-CN-XiaoxiaoNeural"), Realization("espeak", "cmn+f3")
        ),
        B=persona("pb", Realization("edge", "zh-CN-YunxiNeural"), Realization("espeak", "cmn+m3")),
    )


def _wav_ms(path: str) -> int:
    with wave.open(path, "rb") as wav:
        return wav.getnframes() * 1000 // wav.getframerate()


def test_synth_stage_fails_over_only_the_bad_sentence(fake: FakeEdge, tmp_path: Path) -> None:
    from tts_export.synth.scheduler import synthesize_script  # the whole stage: cache, failover

    espeak = pytest.importorskip("tts_export.engines.espeak.engine")
    fake.fail_texts["坏"] = "noaudio"
    texts = ["大家好。", "今天我们聊聊语音合成。", "这句话是坏的。", "谢谢收听。"]
    clips = synthesize_script(
        make_script(texts),
        _casting(),
        engine=make(fake, attempts=3),
        fallback=espeak.EspeakEngine(),
        cache=ClipCache(tmp_path),
        jobs=4,
    )
    assert sorted(clips) == ["u0", "u1", "u2", "u3"]
    bad = clips["u2"]
    assert bad.fallback and bad.engine == "espeak" and bad.voice == "cmn+f3"
    assert bad.attempts == 3 + 1  # three by edge, one by the fallback
    assert sum(r.text == texts[2] for r in fake.requests) == 3
    for uid, text in (("u0", texts[0]), ("u1", texts[1]), ("u3", texts[3])):
        clip = clips[uid]
        assert clip.engine == "edge" and not clip.fallback and clip.attempts == 1
        measured = _wav_ms(clip.path)
        assert measured == clip.duration_ms
        # trimming keeps the fake's tone: about its length, never far less
        assert duration_for(text) - 100 <= measured <= expected_ms(text) + 100
        assert clip.boundaries and clip.boundaries[-1].end_ms <= measured
    # A rerun (service healthy again) asks Edge only for the sentence that failed over.
    fake.reset()
    again = synthesize_script(
        make_script(texts),
        _casting(),
        engine=make(fake),
        fallback=espeak.EspeakEngine(),
        cache=ClipCache(tmp_path),
    )
    assert [r.text for r in fake.requests] == [texts[2]]
    assert again["u2"].engine == "edge" and not again["u2"].fallback
    assert all(again[u].cached for u in ("u0", "u1", "u3"))
