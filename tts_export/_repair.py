"""QA repair: a finished render and its transcript in; misunderstood utterances re-voiced out.

For each utterance the recogniser got wrong beyond ``max_cer``, a few
alternatives of the same persona are synthesized with the real engine and
recognised: the sentence rendered on its own, a slower rate (0.9x, 0.8x), and
the persona's voice blended with a little of another voice of the same gender.
The nearest one understood within the limit (else the best) is kept when it
beats the original; the choices go into
``STEM.repairs.json`` beside the outputs, which every later render of that stem
reads, and the programme is rendered again, where all but the repaired
sentences are cache hits. The manifest's ``repairs`` field says what changed.
"""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from tts_export import engines, pipeline
from tts_export.audio.ffmpeg import decode_pcm
from tts_export.common.units import ms_to_samples
from tts_export.config import RenderConfig
from tts_export.errors import EngineError
from tts_export.models import Realization
from tts_export.output.export import RECORDED_SETTINGS
from tts_export.output.manifest import Manifest, UtteranceRecord
from tts_export.output.results import Render
from tts_export.qa import QaReport, Recognizer, UtteranceScore, run_qa
from tts_export.qa.asr import SAMPLE_RATE
from tts_export.qa.check import read_render, span, to_samples
from tts_export.qa.repairs import Repair, merged, read_repairs, repairs_path, write_repairs
from tts_export.qa.score import edit_distance, error_rate, tokens
from tts_export.synth.clips import finish
from tts_export.synth.loop import EngineSet

_RATES = (0.9, 0.8)  # slower, never faster: speed is what helps a recogniser most
_BLEND_SHARE = 0.2  # a little of another voice (where the engine blends): still the persona
_BLENDS = 2
Samples = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class Candidate:
    """One alternative rendering of a sentence, in the same persona."""

    change: str
    realization: Realization


@dataclass(frozen=True)
class Repaired:
    """What ``repair`` did.

    Attributes:
        before: the render's QA report before repair.
        tried: utterance id → (change, error rate) of every alternative tried.
        repairs: the repairs made this time (an alternative beat the original).
        render: the render made again with every repair on file.
    """

    before: QaReport
    tried: Mapping[str, tuple[tuple[str, float], ...]]
    repairs: tuple[Repair, ...]
    render: Render

    def to_json(self) -> dict[str, Any]:
        return {
            "before": round(self.before.rate, 4),
            "tried": {k: [[c, round(r, 4)] for c, r in v] for k, v in self.tried.items()},
            "repairs": [r.to_json() for r in self.repairs],
            "render": self.render.to_json(),
        }


def candidates(base: Realization, gender: str, engine: str) -> list[Candidate]:
    """The alternatives worth trying for one persona, nearest first.

    Raises:
        EngineUnavailable: the engine's voice list cannot be read.
    """
    found = [Candidate("rendered on its own", base)]
    found += [
        Candidate(f"speed {base.speed:g} -> {base.speed * k:.2f} ({k:g}x)",
                  replace(base, speed=round(base.speed * k, 3)))
        for k in _RATES
    ]  # fmt: skip
    for voice in engines.nearby(engine, base.voice, gender, count=_BLENDS, share=_BLEND_SHARE):
        found.append(Candidate(f"voice {base.voice} -> {voice}", replace(base, voice=voice)))
    return found


def _heard(
    opened: EngineSet, item: UtteranceRecord, realization: Realization, margin_ms: int,
    recognizer: Recognizer, language: str, programme: Samples,
) -> str:  # fmt: skip
    """Synthesize one sentence as a render would, put it in the programme's place of the
    original (at its level, with the same air around it) and recognise it."""
    synthesis = opened.run(opened.engine.synthesize(item.spoken, realization))
    done = finish(synthesis, margin_ms=margin_ms, gain_db=realization.gain_db)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(done.sample_rate)
        wav.writeframes(done.pcm)
    clip = to_samples(decode_pcm(buffer.getvalue(), sample_rate=SAMPLE_RATE))
    a, b = span(item, len(programme))
    start = min(b, ms_to_samples(item.start_ms, SAMPLE_RATE))
    end = max(start, min(b, ms_to_samples(item.end_ms, SAMPLE_RATE)))
    gain = _rms(programme[start:end]) / max(_rms(clip), 1e-6)
    window = np.concatenate([programme[a:start], clip * np.float32(gain), programme[end:b]])
    return recognizer.transcribe(window.astype(np.float32), language)


def _rms(samples: Samples) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0


def best_alternative(
    u: UtteranceScore, item: UtteranceRecord, options: Sequence[Candidate], opened: EngineSet,
    recognizer: Recognizer, margin_ms: int, programme: Samples, max_cer: float,
) -> tuple[Repair | None, tuple[tuple[str, float], ...]]:  # fmt: skip
    """Try the alternatives for one utterance, nearest first, until one is understood within
    ``max_cer``; the best of those tried, when it beats the original (``opened.engine``
    renders them, on the set's loop)."""
    engine = opened.engine
    reference = tokens(u.spoken)
    best: Repair | None = None
    tried = []
    for option in options:
        try:
            heard = _heard(opened, item, option.realization, margin_ms, recognizer, u.language,
                           programme)  # fmt: skip
        except EngineError:
            continue  # an alternative the engine cannot make is no alternative
        edits = edit_distance(reference, tokens(heard))
        tried.append((option.change, error_rate(edits, len(reference))))
        if edits < u.edits and (best is None or error_rate(edits, len(reference)) < best.after):
            best = Repair(
                u.id, u.speaker, u.spoken, engine.name, option.realization.voice,
                option.realization.speed, option.change, u.rate,
                error_rate(edits, len(reference)), u.heard, heard,
            )  # fmt: skip
        if best is not None and best.after <= max_cer:
            break  # the smallest change that is understood well enough
    return best, tuple(tried)


def repair(
    stem: Path,
    source: pipeline.Source,
    base: RenderConfig,
    options: Mapping[str, Any],
    recognizer: Recognizer,
    *,
    max_cer: float,
    listener: pipeline.Listener | None = None,
    on_utterance: Callable[[UtteranceScore, int, int], None] | None = None,
) -> Repaired:
    """Check a render, re-voice what was misunderstood, and render it again from the cache.

    Raises:
        RenderNotFound: no finished render at ``stem``.
        OutputError: its manifest or audio is unusable, or the repairs cannot be written.
        TtsExportError: the transcript, settings or engine fail as in ``render``.
    """
    before = run_qa(stem, recognizer, on_utterance=on_utterance)
    _, manifest, programme = read_render(stem)
    items = {x.id: x for x in manifest.utterances}
    prepared = pipeline.prepare_file(source, base, options)
    config, casting = prepared.config, prepared.casting
    spoken = {u.id: u.spoken for u in prepared.script.utterances}
    bad = [u for u in before.utterances if u.rate > max_cer and spoken.get(u.id) == u.spoken]
    made: dict[str, Repair] = {}
    tried: dict[str, tuple[tuple[str, float], ...]] = {}
    with pipeline.synthesis(config) as synth:  # one set of engines, one loop: tries and render
        for u in bad:
            profile = casting.profiles[u.speaker]
            realization = profile.realization(synth.engines.engine.name)
            if realization is None:
                continue
            options_ = candidates(realization, profile.gender, synth.engines.engine.name)
            found, tried[u.id] = best_alternative(
                u, items[u.id], options_, synth.engines, recognizer, config.trim_margin_ms,
                programme, max_cer,
            )  # fmt: skip
            if found is not None:
                made[u.id] = found
        path = repairs_path(config.out_dir, source.stem)
        if made:
            write_repairs(path, merged(read_repairs(path), made))
        done = pipeline.render(source, base, options, listener,
                               engines=_lent(synth.engines, config))  # fmt: skip
    return Repaired(before, tried, tuple(made.values()), done)


def render_stem(render: str | os.PathLike[str]) -> Path:
    """``OUTDIR/STEM`` of the finished render that ``render`` names (``Manifest.locate``).

    Raises:
        RenderNotFound: no render there.
    """
    path = Manifest.locate(render)
    return path.with_name(Manifest.stem_of(path))


def _lent(opened: EngineSet, config: RenderConfig) -> pipeline.EngineSource:
    """Engines already open for ``config``, lent (not closed) to every synthesis that agrees
    with it on them; one that does not opens its own for its length."""
    choice = pipeline.engine_choice(config)

    def source(wanted: RenderConfig) -> AbstractContextManager[EngineSet]:
        if pipeline.engine_choice(wanted) != choice:
            return pipeline.open_engines(wanted)
        return nullcontext(opened)

    return source


def settings_of(stem: Path) -> dict[str, Any]:
    """What a render's manifest says about how it was made: the options to make it again.

    The engine, the persona of each speaker (so no identity changes), the output
    folder, and the settings that shape its files as the manifest recorded them
    (``output.export.RECORDED_SETTINGS``: caption formats, the page, the audio's
    format and level...), so the render made again writes every output the
    original did. A manifest from before that record gives the audio format only.
    Everything else comes from the settings given.

    Raises:
        RenderNotFound: no render there.
        ManifestError: its manifest is unreadable or malformed.
    """
    path = Manifest.locate(stem)
    manifest = Manifest.read(path)
    recorded = manifest.settings or {}
    return {
        **{k: v for k, v in recorded.items() if k in RECORDED_SETTINGS},
        "engine": manifest.engine,
        "voices": {name: s.voice for name, s in manifest.speakers.items()},
        "out_dir": path.parent,
        "audio_format": Path(manifest.audio).suffix.lstrip("."),
    }
