"""Kokoro cue sync: a cue that starts inside a sentence starts where the speech does.

Real multi-clause Chinese sentences are rendered with kokoro, laid out and
captioned with a narrow line so every sentence splits into several cues.
Each cue that does not open its sentence is measured against the audio: the
speech onset is the first sustained speech energy at or after the cue's start
(a cue that starts inside a comma pause is early by the rest of the pause).
The goal (issue 12) is a 95th percentile of at most 100 ms.

``onset_errors`` is shared with ``bench/bench_cue_sync.py``, which measures
the seed's first section the same way.
"""

from __future__ import annotations

import wave
from collections.abc import Mapping, Sequence

import numpy as np
import pytest

from tts_export.audio.timeline import assemble
from tts_export.captions.cues import build_cues
from tts_export.captions.profiles import get_profile
from tts_export.engines.kokoro.engine import KokoroEngine
from tts_export.models import (
    Casting,
    Clip,
    Cue,
    Pauses,
    Realization,
    Script,
    Timeline,
    Transcript,
    Utterance,
    VoiceProfile,
)
from tts_export.synth import synthesize_script
from tts_export.synth.cache import ClipCache

pytestmark = pytest.mark.slow  # every test measures a real Kokoro render

WINDOW_MS = 10
SPEECH_DB = 40  # a window within 40 dB of the clip's loud windows is speech
SUSTAIN = 3  # windows in a row that make an onset (30 ms)

# Two turns of two sentences (rendered in one model call each) and two single
# sentences: commas, enumerations, a Latin name and a number inside.
TURNS = (
    (
        "我试用了一下，感觉非常强大，它的物理效果很真实，但是成本也很高。",
        "如果你是做短视频的创作者，那么这个工具会改变你的工作方式。",
    ),
    (
        "OpenAI这次的策略很清楚，先做社交，再做电商，最后把整个生态闭环起来。",
        "说实话，我一开始并不看好，后来用了几天，发现它确实有点东西。",
    ),
    ("谷歌、亚马逊和微软都在看着，因为这件事关系到未来十年的格局。",),
    ("算力成本到底有多高？我们算了一下，大概是每分钟视频两块钱。",),
)


def clip_db(clip: Clip) -> np.ndarray:
    """Level of each 10 ms window of a clip, in dB relative to its loud windows."""
    with wave.open(clip.path, "rb") as wav:
        x = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").astype(np.float64)
        win = wav.getframerate() * WINDOW_MS // 1000
    n = x.size // win
    rms = np.sqrt(np.mean(x[: n * win].reshape(n, win) ** 2, axis=1)) + 1e-9
    db = 20 * np.log10(rms)
    return np.asarray(db - np.percentile(db, 99), dtype=np.float64)


def onset_error(db: np.ndarray, start_ms: int) -> int:
    """ms from ``start_ms`` (in the clip) to the first sustained speech at or after it."""
    speech = db > -SPEECH_DB
    first = start_ms // WINDOW_MS
    for i in range(first, speech.size - SUSTAIN + 1):
        if speech[i : i + SUSTAIN].all():
            return max(0, i * WINDOW_MS - start_ms)
    return max(0, speech.size * WINDOW_MS - start_ms)


def inner_cues(timeline: Timeline, cues: Sequence[Cue]) -> list[tuple[Cue, Clip, int]]:
    """Each cue that starts inside its sentence, with its clip and its start in the clip."""
    placements = {p.utterance.id: p for p in timeline.placements if p.clip is not None}
    seen: set[str] = set()
    out = []
    for cue in cues:
        placement = placements.get(cue.utterance_id)
        if placement is None or placement.clip is None:
            continue
        if cue.utterance_id in seen:
            out.append((cue, placement.clip, cue.start_ms - placement.start_ms))
        seen.add(cue.utterance_id)
    return out


def onset_errors(timeline: Timeline, cues: Sequence[Cue]) -> list[int]:
    """|cue start - speech onset| in ms for every cue that starts inside its sentence."""
    levels: dict[str, np.ndarray] = {}
    errors = []
    for _, clip, start in inner_cues(timeline, cues):
        db = levels.setdefault(clip.path, clip_db(clip))
        errors.append(onset_error(db, start))
    return errors


def p95(values: Sequence[int]) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), 95))


def _script() -> Script:
    utterances = []
    for turn, sentences in enumerate(TURNS):
        for n, text in enumerate(sentences):
            utterances.append(
                Utterance(f"t{turn}u{n}", "同步", "主持人", text, text, turn + 1, turn, 0)
            )
    return Script(Transcript("sync.md", {}, ()), tuple(utterances))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Timeline, Mapping[str, Clip]]:
    script = _script()
    voice = Realization("kokoro", "jf_gongitsune")
    casting = Casting({"主持人": VoiceProfile("zh-f", "female", "zh", "", (voice,))})
    clips = synthesize_script(
        script,
        casting,
        engine=KokoroEngine(),
        fallback=None,
        cache=ClipCache(tmp_path_factory.mktemp("cache")),
    )
    return assemble(script, clips, pauses=Pauses(), intro_title="开场"), clips


def test_cues_inside_sentences_start_at_the_speech(
    rendered: tuple[Timeline, Mapping[str, Clip]],
) -> None:
    timeline, _ = rendered
    profile = get_profile("netflix", language="zh", max_chars=8, max_lines=1)
    cues = build_cues(timeline, language="zh", profile=profile)
    inner = inner_cues(timeline, cues)
    assert len(inner) >= 15  # the narrow line really splits the sentences
    errors = onset_errors(timeline, cues)
    assert p95(errors) <= 100, sorted(errors)
    assert max(errors) <= 200, sorted(errors)


def test_a_cue_starts_with_its_first_word(rendered: tuple[Timeline, Mapping[str, Clip]]) -> None:
    # Not late either: each inner cue starts within 30 ms of the first word it shows.
    timeline, _ = rendered
    profile = get_profile("netflix", language="zh", max_chars=8, max_lines=1)
    cues = build_cues(timeline, language="zh", profile=profile)
    for cue, clip, start in inner_cues(timeline, cues):
        first = next(ch for ch in "".join(cue.lines) if "\u4e00" <= ch <= "\u9fff" or ch.isalnum())
        words = [b for b in clip.boundaries if first in b.text and abs(b.start_ms - start) <= 400]
        assert words, (cue, clip.boundaries)
        assert min(abs(b.start_ms - start) for b in words) <= 30, (cue, words, start)


def test_every_clip_has_word_boundaries(rendered: tuple[Timeline, Mapping[str, Clip]]) -> None:
    _, clips = rendered
    for u in _script().utterances:
        covered: set[int] = set()
        cursor = 0
        for b in clips[u.id].boundaries:
            found = u.spoken.find(b.text, cursor)
            assert found >= 0, (b.text, u.spoken)
            cursor = found + len(b.text)
            covered.update(range(found, cursor))
        han = {i for i, ch in enumerate(u.spoken) if "\u4e00" <= ch <= "\u9fff"}
        assert han <= covered, u.spoken
