"""Synthesize: a Script and its Casting in, one cached ``Clip`` per spoken utterance out.

Owns the only event loop of a render. Work runs in script order, at most
``jobs`` engine calls at once; identical (voice, text) pairs are rendered
once. An utterance the engine gives up on is rendered by the fallback engine
in the same persona; one that no engine can render is reported at the end,
after everything else is cached, so a rerun only retries the failures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .audio import trim_silence
from .cache import ClipCache, clip_key
from .engines.base import Engine
from .errors import EngineError, SynthesisFailed, VoiceError
from .models import Boundary, Casting, Clip, Realization, Script, Synthesis, Utterance


@dataclass(frozen=True)
class Progress:
    """Where synthesis stands, sent to the progress callback after each clip."""

    total: int
    done: int
    cached: int
    fallbacks: int
    failures: int
    utterance_id: str
    engine: str


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _Job:
    key: str
    utterances: tuple[Utterance, ...]
    realization: Realization


def realization_for(casting: Casting, speaker: str, engine: Engine) -> Realization:
    """The speaker's persona as realized by ``engine``.

    Raises:
        VoiceError: the persona has no realization for that engine.
    """
    profile = casting.profiles[speaker]
    realization = profile.realization(engine.name)
    if realization is None:
        raise VoiceError(profile.id, f"has no realization for engine {engine.name!r}",
                         speaker=speaker, hint="add one to the profile's TOML file")
    return realization


def synthesize_script(
    script: Script,
    casting: Casting,
    *,
    engine: Engine,
    fallback: Engine | None,
    cache: ClipCache,
    jobs: int = 0,
    trim_margin_ms: int = 40,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Clip]:
    """Render every spoken utterance, from the cache where possible.

    Returns:
        utterance id → clip, for every utterance of kind "speech".

    Raises:
        VoiceError: a persona's voice is not usable by the engine (checked
            before anything is rendered).
        SynthesisFailed: some utterances could not be rendered by any engine;
            all others are cached.
    """
    speech = [u for u in script.utterances if u.kind == "speech"]
    for speaker in {u.speaker for u in speech}:
        engine.check_voice(realization_for(casting, speaker, engine))
        if fallback is not None and casting.profiles[speaker].realization(fallback.name):
            fallback.check_voice(realization_for(casting, speaker, fallback))
    return asyncio.run(
        _run(speech, casting, engine, fallback, cache, jobs or engine.max_jobs,
             trim_margin_ms, on_progress)
    )


def _plan(
    utterances: Sequence[Utterance], casting: Casting, engine: Engine, post: str
) -> list[_Job]:
    groups: dict[str, list[Utterance]] = {}
    realizations: dict[str, Realization] = {}
    for u in utterances:
        realization = realization_for(casting, u.speaker, engine)
        key = clip_key(engine.name, engine.version, realization, u.spoken, post)
        groups.setdefault(key, []).append(u)
        realizations[key] = realization
    return [_Job(k, tuple(v), realizations[k]) for k, v in groups.items()]


async def _run(
    utterances: Sequence[Utterance],
    casting: Casting,
    engine: Engine,
    fallback: Engine | None,
    cache: ClipCache,
    jobs: int,
    margin_ms: int,
    on_progress: ProgressCallback | None,
) -> dict[str, Clip]:
    post = f"margin={margin_ms}"
    clips: dict[str, Clip] = {}
    failures: list[tuple[str, str, int, str]] = []
    counts = {"done": 0, "cached": 0, "fallbacks": 0}
    limits = {engine.name: asyncio.Semaphore(max(1, jobs))}
    if fallback is not None:
        limits.setdefault(fallback.name, asyncio.Semaphore(max(1, fallback.max_jobs)))

    def report(job: _Job, clip: Clip | None) -> None:
        for u in job.utterances:
            counts["done"] += 1
            if clip is not None:
                clips[u.id] = _for_utterance(clip, u.id)
                counts["cached"] += clip.cached
                counts["fallbacks"] += clip.fallback
        if on_progress is not None:
            on_progress(Progress(
                total=len(utterances), done=counts["done"], cached=counts["cached"],
                fallbacks=counts["fallbacks"], failures=len(failures),
                utterance_id=job.utterances[-1].id,
                engine=clip.engine if clip else engine.name,
            ))

    async def render(job: _Job) -> None:
        u = job.utterances[0]
        hit = cache.get(job.key, u.id)
        if hit is not None:
            report(job, hit)
            return
        try:
            async with limits[engine.name]:
                synthesis = await engine.synthesize(u.spoken, job.realization)
            report(job, _store(cache, job.key, u, synthesis, engine.name, job.realization,
                               margin_ms, fallback=False))
            return
        except EngineError as exc:
            primary_error = exc
        clip = await _fail_over(u, primary_error, casting, fallback, cache, limits, post, margin_ms)
        if clip is None:
            reason = primary_error.detail
            if fallback is not None:
                reason += f"; fallback {fallback.name!r} failed too"
            failures.extend((x.id, x.speaker, x.line, reason) for x in job.utterances)
        report(job, clip)

    async with asyncio.TaskGroup() as group:
        for job in _plan(utterances, casting, engine, post):
            group.create_task(render(job))
    try:
        await engine.aclose()
    finally:
        if fallback is not None and fallback is not engine:
            await fallback.aclose()
    if failures:
        raise SynthesisFailed(sorted(failures))
    return clips


async def _fail_over(
    u: Utterance,
    error: EngineError,
    casting: Casting,
    fallback: Engine | None,
    cache: ClipCache,
    limits: Mapping[str, asyncio.Semaphore],
    post: str,
    margin_ms: int,
) -> Clip | None:
    if fallback is None or casting.profiles[u.speaker].realization(fallback.name) is None:
        return None
    realization = realization_for(casting, u.speaker, fallback)
    key = clip_key(fallback.name, fallback.version, realization, u.spoken, post)
    hit = cache.get(key, u.id)
    if hit is not None:
        return hit
    try:
        async with limits[fallback.name]:
            synthesis = await fallback.synthesize(u.spoken, realization)
    except EngineError:
        return None
    attempts = error.attempts + synthesis.attempts
    return _store(cache, key, u, Synthesis(synthesis.pcm, synthesis.sample_rate,
                                           synthesis.boundaries, attempts),
                  fallback.name, realization, margin_ms, fallback=True)


def _store(
    cache: ClipCache,
    key: str,
    u: Utterance,
    synthesis: Synthesis,
    engine: str,
    realization: Realization,
    margin_ms: int,
    *,
    fallback: bool,
) -> Clip:
    if not synthesis.pcm:
        raise EngineError(engine, "returned no audio", utterance_id=u.id)
    pcm, removed_ms = trim_silence(synthesis.pcm, synthesis.sample_rate, margin_ms=margin_ms)
    if realization.gain_db:
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32)
        samples *= 10 ** (realization.gain_db / 20)
        pcm = np.clip(samples, -32768, 32767).astype(np.int16).tobytes()
    duration = len(pcm) // 2 * 1000 // synthesis.sample_rate
    boundaries = tuple(
        Boundary(max(0, b.start_ms - removed_ms), min(duration, b.end_ms - removed_ms), b.text)
        for b in synthesis.boundaries
        if b.end_ms - removed_ms > 0 and b.start_ms - removed_ms < duration
    )
    return cache.put(
        key, utterance_id=u.id, pcm=pcm, sample_rate=synthesis.sample_rate,
        boundaries=boundaries, engine=engine, voice=realization.voice,
        attempts=synthesis.attempts, fallback=fallback,
    )


def _for_utterance(clip: Clip, utterance_id: str) -> Clip:
    return clip if clip.utterance_id == utterance_id else replace(clip, utterance_id=utterance_id)
