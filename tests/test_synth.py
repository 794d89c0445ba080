"""Synth stage scheduling: caching, dedupe, failover, failure reports, concurrency limit.

These tests use a scripted in-process engine on purpose: they test the
stage's own logic (what is cached, retried, failed over, reported), not
speech. The real engines are proven in test_render_e2e.py and the engine tests.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import casting, make_script, persona

from tts_export.errors import EngineError, OutputError, SynthesisFailed
from tts_export.models import (
    Casting,
    Realization,
    Script,
    Synthesis,
    Transcript,
    Utterance,
)
from tts_export.synth.cache import ClipCache
from tts_export.synth.scheduler import Progress, synthesize_script


class ScriptedEngine:
    """Renders a tone whose length follows the text; fails on texts it is told to."""

    version = "1"
    sample_rate = 24000

    def __init__(self, name: str, *, fail_on: tuple[str, ...] = (), max_jobs: int = 2) -> None:
        self.name = name
        self.max_jobs = max_jobs
        self.fail_on = fail_on
        self.calls: list[str] = []
        self.in_flight = 0
        self.peak = 0

    def check_voice(self, realization: Realization) -> None:
        pass

    async def synthesize(self, text: str, realization: Realization) -> Synthesis:
        self.calls.append(text)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.01)
        self.in_flight -= 1
        if any(marker in text for marker in self.fail_on):
            raise EngineError(self.name, "scripted failure", retryable=True, attempts=3)
        n = 2400 * len(text)
        tone = (np.sin(np.arange(n) * 0.05) * 8000).astype(np.int16)
        pad = np.zeros(4800, np.int16)
        return Synthesis(np.concatenate([pad, tone, pad]).tobytes(), self.sample_rate)

    def estimate_ms(self, text: str) -> int:
        return 100 * len(text)

    async def aclose(self) -> None:
        pass


def _casting() -> Casting:
    """A and B, each rendered by the "main" engine with the "backup" engine behind it."""
    return casting(
        A=persona("pa", Realization("main", "pa"), Realization("backup", "pa")),
        B=persona("pb", Realization("main", "pb"), Realization("backup", "pb")),
    )


def test_trims_caches_and_dedupes(tmp_path: Path) -> None:
    engine = ScriptedEngine("main")
    script = make_script(
        ["一二三", "四五", "一二三", "四五", "四五"]
    )  # A B A B A: u2 = u0, u3 = u1
    seen: list[Progress] = []
    clips = synthesize_script(
        script,
        _casting(),
        engine=engine,
        fallback=None,
        cache=ClipCache(tmp_path),
        on_progress=seen.append,
    )
    # Same voice and text are rendered once; u4 is A's "四五", not B's.
    assert sorted(engine.calls) == ["一二三", "四五", "四五"]
    assert clips["u0"].path == clips["u2"].path and clips["u2"].utterance_id == "u2"
    assert clips["u1"].path == clips["u3"].path != clips["u4"].path
    # 200 ms of padding each side was trimmed to the 40 ms margin.
    assert abs(clips["u0"].duration_ms - (300 + 80)) <= 15
    assert seen[-1].done == 5 and seen[-1].total == 5
    again = ScriptedEngine("main")
    clips2 = synthesize_script(
        script, _casting(), engine=again, fallback=None, cache=ClipCache(tmp_path)
    )
    assert again.calls == [] and all(c.cached for c in clips2.values())


def test_failover_keeps_persona_and_marks_clip(tmp_path: Path) -> None:
    main, backup = ScriptedEngine("main", fail_on=("坏",)), ScriptedEngine("backup")
    clips = synthesize_script(
        make_script(["好的", "坏的", "也好"]),
        _casting(),
        engine=main,
        fallback=backup,
        cache=ClipCache(tmp_path),
    )
    assert clips["u1"].fallback and clips["u1"].engine == "backup" and clips["u1"].voice == "pb"
    assert clips["u1"].attempts == 4  # 3 by the main engine, 1 by the fallback
    assert not clips["u0"].fallback and clips["u0"].engine == "main"
    assert backup.calls == ["坏的"]


def test_a_cached_fallback_clip_is_no_fallback_for_its_own_engine(tmp_path: Path) -> None:
    """Whether a clip is a fallback belongs to the render, not to the cache entry."""
    script = make_script(["好的", "坏的"])
    main, backup = ScriptedEngine("main", fail_on=("坏",)), ScriptedEngine("backup")
    first = synthesize_script(
        script, _casting(), engine=main, fallback=backup, cache=ClipCache(tmp_path)
    )
    assert first["u1"].fallback and first["u1"].engine == "backup"
    seen: list[Progress] = []
    plain = ScriptedEngine("backup")
    again = synthesize_script(
        script, _casting(), engine=plain, fallback=None, cache=ClipCache(tmp_path),
        on_progress=seen.append,
    )  # fmt: skip
    assert again["u1"].cached and again["u1"].engine == "backup"  # the same entry, reused
    assert not again["u1"].fallback and seen[-1].fallbacks == 0
    # ...and the first render, repeated from the cache, still calls it a fallback.
    repeat = synthesize_script(
        script, _casting(), engine=ScriptedEngine("main", fail_on=("坏",)),
        fallback=ScriptedEngine("backup"), cache=ClipCache(tmp_path),
    )  # fmt: skip
    assert repeat["u1"].fallback and repeat["u1"].cached and not repeat["u0"].fallback


def test_failures_are_reported_after_everything_else_is_cached(tmp_path: Path) -> None:
    main = ScriptedEngine("main", fail_on=("坏",))
    with pytest.raises(SynthesisFailed) as info:
        synthesize_script(
            make_script(["好的", "坏的", "也好"]),
            _casting(),
            engine=main,
            fallback=None,
            cache=ClipCache(tmp_path),
        )
    assert [f[0] for f in info.value.failures] == ["u1"]
    assert "line 2" in str(info.value) and "scripted failure" in str(info.value)
    rerun = ScriptedEngine("main")
    clips = synthesize_script(
        make_script(["好的", "坏的", "也好"]),
        _casting(),
        engine=rerun,
        fallback=None,
        cache=ClipCache(tmp_path),
    )
    assert rerun.calls == ["坏的"] and clips["u0"].cached and not clips["u1"].cached


def test_concurrency_is_limited_by_jobs(tmp_path: Path) -> None:
    engine = ScriptedEngine("main", max_jobs=8)
    synthesize_script(
        make_script([f"第{i}句" for i in range(20)]),
        _casting(),
        engine=engine,
        fallback=None,
        cache=ClipCache(tmp_path),
        jobs=3,
    )
    assert engine.peak == 3


class GroupedEngine(ScriptedEngine):
    """Scripted engine that also renders several sentences per call."""

    max_group_tokens = 7

    def __init__(self, name: str, **kw: Any) -> None:
        super().__init__(name, **kw)
        self.groups: list[tuple[str, ...]] = []

    def group_cost(self, text: str) -> int:
        return len(text)

    async def synthesize_group(
        self, texts: Sequence[str], realization: Realization
    ) -> tuple[Synthesis, ...]:
        self.groups.append(tuple(texts))
        if any(m in t for t in texts for m in self.fail_on):
            raise EngineError(self.name, "group failed")
        return tuple([await ScriptedEngine.synthesize(self, t, realization) for t in texts])


def _turns(turns: list[list[str]]) -> Script:
    utts = []
    for t, sentences in enumerate(turns):
        for n, text in enumerate(sentences):
            utts.append(
                Utterance(
                    id=f"t{t}u{n}",
                    section=None,
                    speaker="AB"[t % 2],
                    display=text,
                    spoken=text,
                    line=t + 1,
                    turn_index=t,
                    section_index=0,
                )
            )
    return Script(Transcript("t.md", {}, ()), tuple(utts))


def test_grouping_stays_inside_a_turn_and_within_budget(tmp_path: Path) -> None:
    engine = GroupedEngine("main")
    turns = [["一二三", "四五六", "七八九", "十"], ["甲乙", "丙丁"]]
    clips = synthesize_script(
        _turns(turns), _casting(), engine=engine, fallback=None, cache=ClipCache(tmp_path)
    )
    assert engine.groups == [("一二三", "四五六"), ("七八九", "十"), ("甲乙", "丙丁")]
    assert len({c.path for c in clips.values()}) == 6
    # Edit one sentence: only its group is rendered again.
    engine2 = GroupedEngine("main")
    turns[0][3] = "十一"
    synthesize_script(
        _turns(turns), _casting(), engine=engine2, fallback=None, cache=ClipCache(tmp_path)
    )
    assert engine2.groups == [("七八九", "十一")] and engine2.calls == ["七八九", "十一"]
    # Without grouping every sentence is its own call (the naive loop).
    engine3 = GroupedEngine("main")
    synthesize_script(
        _turns(turns),
        _casting(),
        engine=engine3,
        fallback=None,
        cache=ClipCache(tmp_path / "n"),
        group=False,
    )
    assert engine3.groups == [] and len(engine3.calls) == 6


def test_a_failing_group_is_isolated_sentence_by_sentence(tmp_path: Path) -> None:
    engine, backup = GroupedEngine("main", fail_on=("坏",)), ScriptedEngine("backup")
    clips = synthesize_script(
        _turns([["好的", "坏的"]]),
        _casting(),
        engine=engine,
        fallback=backup,
        cache=ClipCache(tmp_path),
    )
    assert engine.groups == [("好的", "坏的")]
    assert not clips["t0u0"].fallback and clips["t0u1"].fallback and backup.calls == ["坏的"]


def test_a_damaged_cache_entry_is_made_again_and_reported(tmp_path: Path) -> None:
    script = make_script(["一二三", "四五", "六七八九"])
    first = synthesize_script(
        script, _casting(), engine=ScriptedEngine("main"), fallback=None, cache=ClipCache(tmp_path)
    )
    wav = Path(first["u1"].path)
    original = wav.read_bytes()
    damaged = bytearray(original)
    middle = len(damaged) // 2
    damaged[middle : middle + 400] = bytes(400)  # speech zeroed, size unchanged
    assert damaged != original
    wav.write_bytes(bytes(damaged))
    engine, cache = ScriptedEngine("main"), ClipCache(tmp_path)
    seen: list[Progress] = []
    clips = synthesize_script(
        script, _casting(), engine=engine, fallback=None, cache=cache, on_progress=seen.append
    )
    assert engine.calls == ["四五"]  # only the damaged one
    assert not clips["u1"].cached and clips["u0"].cached and clips["u2"].cached
    assert wav.read_bytes() == original
    assert cache.repaired == 1 and seen[-1].repaired == 1 and seen[-1].done == 3
    # Whole again: a third run reads everything from the cache and repairs nothing.
    again = ClipCache(tmp_path)
    synthesize_script(script, _casting(), engine=engine, fallback=None, cache=again)
    assert again.repaired == 0 and engine.calls == ["四五"]


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_an_unwritable_cache_is_one_clear_error(tmp_path: Path) -> None:
    # A cache folder whose parent is a regular file: writes fail, even for root.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    engine = ScriptedEngine("main", max_jobs=4)
    with pytest.raises(OutputError) as info:
        synthesize_script(
            make_script([f"第{i}句话" for i in range(8)]),
            _casting(),
            engine=engine,
            fallback=None,
            cache=ClipCache(blocker / "cache"),
        )
    error = info.value
    assert str(blocker) in error.path and "clip cache" in error.message
    assert "--cache-dir" in error.hint
    assert _leftovers(tmp_path) == []


_FULL_DISK = """
import json, resource, sys
from pathlib import Path
from tts_export.engines.espeak.engine import EspeakEngine
from tts_export.errors import OutputError
from tts_export.models import Casting, Realization, Script, Transcript, Utterance, VoiceProfile
from tts_export.synth import synthesize_script
from tts_export.synth.cache import ClipCache

texts = ["今天天气很好，我们出去走走吧。"] * 2 + [f"这是第{i}句比较长的话，用来写满磁盘。" for i in range(6)]
utterances = tuple(
    Utterance(f"u{i}", None, "A", t, t, i + 1, i, 0) for i, t in enumerate(texts)
)
casting = Casting({"A": VoiceProfile("a", "female", "zh", "", (Realization("espeak", "cmn"),))})
resource.setrlimit(resource.RLIMIT_FSIZE, (60000, 60000))  # every file stops at 60 kB: a full disk
try:
    synthesize_script(
        Script(Transcript("t.md", {}, ()), utterances), casting, engine=EspeakEngine(),
        fallback=None, cache=ClipCache(Path(sys.argv[1])), jobs=3,
    )
except OutputError as exc:
    print(json.dumps({"type": "OutputError", "path": exc.path, "message": exc.message, "hint": exc.hint}))
"""


def test_a_full_disk_during_synthesis_is_one_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "ExceptionGroup" not in done.stderr
    report = json.loads(done.stdout)
    assert report["type"] == "OutputError" and str(tmp_path / "cache") in report["path"]
    assert "File too large" in report["message"] and "--cache-dir" in report["hint"]
    assert _leftovers(tmp_path) == []
