"""Synthesize: a Script and its Casting in, one cached ``Clip`` per spoken utterance out.

Owns the only event loop of a render. Work runs in script order, at most
``jobs`` engine calls at once; identical (voice, text) pairs are rendered
once. An utterance the engine gives up on is rendered by the fallback engine
in the same persona; one that no engine can render is reported at the end,
after everything else is cached, so a rerun only retries the failures. A
cache entry that fails verification is made again and counted
(``Progress.repaired``, ``ClipCache.repaired``). A failure that is not the
engine's (the cache cannot be written) stops the stage with that one error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from tts_export.engines.base import Engine, GroupingEngine
from tts_export.errors import EngineError, SynthesisFailed, TtsExportError, VoiceError
from tts_export.models import Casting, Clip, Realization, Script, Synthesis, Utterance
from tts_export.synth.cache import ClipCache, clip_key
from tts_export.synth.clips import finish


@dataclass(frozen=True)
class Progress:
    """Where synthesis stands, sent to the progress callback after each clip.

    ``repaired`` counts cache entries found damaged so far (each made again).
    """

    total: int
    done: int
    cached: int
    fallbacks: int
    failures: int
    utterance_id: str
    engine: str
    repaired: int = 0


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class _Unit:
    """One cache entry: a (voice, text) pair and every utterance that shares it."""

    key: str
    text: str
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True)
class _Job:
    """One engine call: a single unit, or consecutive sentences of one turn."""

    units: tuple[_Unit, ...]
    realization: Realization


def realization_for(casting: Casting, speaker: str, engine: Engine) -> Realization:
    """The speaker's persona as realized by ``engine``.

    Raises:
        VoiceError: the persona has no realization for that engine.
    """
    profile = casting.profiles[speaker]
    realization = profile.realization(engine.name)
    if realization is None:
        raise VoiceError(
            profile.id,
            f"has no realization for engine {engine.name!r}",
            speaker=speaker,
            hint="add one to the profile's TOML file",
        )
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
    group: bool = True,
    on_progress: ProgressCallback | None = None,
    overrides: Mapping[str, Realization] | None = None,
) -> dict[str, Clip]:
    """Render every spoken utterance, from the cache where possible.

    ``overrides`` (utterance id → realization, e.g. a QA repair) renders those
    utterances alone in that realization, after planning, so every other
    sentence keeps its group and cache key (an override for another engine is
    ignored).

    With ``group`` and an engine that can (``GroupingEngine``), consecutive
    sentences of one turn are rendered in one call; each still gets its own
    clip and cache entry, keyed by its group so that an edit re-renders only
    the group it is in.

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
    chosen = {k: r for k, r in (overrides or {}).items() if r.engine == engine.name}
    for realization in chosen.values():
        engine.check_voice(realization)
    return asyncio.run(
        _run(
            speech,
            casting,
            engine,
            fallback,
            cache,
            jobs or engine.max_jobs,
            trim_margin_ms,
            group and isinstance(engine, GroupingEngine),
            on_progress,
            chosen,
        )
    )


def _plan(
    utterances: Sequence[Utterance], casting: Casting, engine: Engine, post: str, group: bool
) -> list[_Job]:
    """Cut the work into engine calls, in script order.

    Only the text decides the plan (``group_cost`` is an estimate from the
    text), so the keys of cached clips are found without any engine work.
    """
    runs: list[list[Utterance]] = []
    budget = engine.max_group_tokens if group and isinstance(engine, GroupingEngine) else 0
    used = 0
    for u in utterances:
        cost = engine.group_cost(u.spoken) if budget and isinstance(engine, GroupingEngine) else 0
        previous = runs[-1][-1] if runs else None
        if (
            budget
            and previous is not None
            and previous.turn_index == u.turn_index
            and used + cost <= budget
        ):
            runs[-1].append(u)
            used += cost
        else:
            runs.append([u])
            used = cost
    jobs: list[_Job] = []
    units: dict[str, _Unit] = {}
    for run in runs:
        realization = realization_for(casting, run[0].speaker, engine)
        signature = (
            ""
            if len(run) == 1
            else "|group="
            + clip_key(
                engine.name, engine.version, realization, "\n".join(u.spoken for u in run), post
            )
        )
        keys = [
            clip_key(
                engine.name,
                engine.version,
                realization,
                u.spoken,
                post + (f"{signature}:{i}" if signature else ""),
            )
            for i, u in enumerate(run)
        ]
        if len(run) == 1 and keys[0] in units:  # same voice and text as earlier: render once
            unit = units[keys[0]]
            units[keys[0]] = _Unit(unit.key, unit.text, (*unit.utterances, run[0]))
            continue
        job_units = []
        for key, u in zip(keys, run, strict=True):
            units[key] = _Unit(key, u.spoken, (u,))
            job_units.append(key)
        jobs.append(_Job(tuple(units[k] for k in job_units), realization))
    # Units gathered more utterances after their job was made: rebuild from the table.
    return [_Job(tuple(units[x.key] for x in job.units), job.realization) for job in jobs]


async def _run(
    utterances: Sequence[Utterance],
    casting: Casting,
    engine: Engine,
    fallback: Engine | None,
    cache: ClipCache,
    jobs: int,
    margin_ms: int,
    group: bool,
    on_progress: ProgressCallback | None,
    overrides: Mapping[str, Realization],
) -> dict[str, Clip]:
    post = f"margin={margin_ms}"
    planned = _plan(utterances, casting, engine, post, group)
    alone = {
        u.id: _Unit(clip_key(engine.name, engine.version, r, u.spoken, post + "|override"),
                    u.spoken, (u,))
        for job in planned for unit in job.units for u in unit.utterances
        if (r := overrides.get(u.id)) is not None
    }  # fmt: skip
    planned += [_Job((unit,), overrides[uid]) for uid, unit in alone.items()]
    clips: dict[str, Clip] = {}
    failures: list[tuple[str, str, int, str]] = []
    counts = {"done": 0, "cached": 0, "fallbacks": 0}
    limits = {engine.name: asyncio.Semaphore(max(1, jobs))}
    if fallback is not None:
        limits.setdefault(fallback.name, asyncio.Semaphore(max(1, fallback.max_jobs)))

    def report(unit: _Unit, clip: Clip | None) -> None:
        for u in unit.utterances:
            if u.id in alone and unit.key != alone[u.id].key:
                continue  # its group is still rendered for the neighbours; its clip is its own
            counts["done"] += 1
            if clip is not None:
                clips[u.id] = _for_utterance(clip, u.id)
                counts["cached"] += clip.cached
                counts["fallbacks"] += clip.fallback
        if on_progress is not None:
            on_progress(
                Progress(
                    total=len(utterances),
                    done=counts["done"],
                    cached=counts["cached"],
                    fallbacks=counts["fallbacks"],
                    failures=len(failures),
                    utterance_id=unit.utterances[-1].id,
                    engine=clip.engine if clip else engine.name,
                    repaired=cache.repaired,
                )
            )

    async def render_one(unit: _Unit, realization: Realization) -> None:
        u = unit.utterances[0]
        try:
            async with limits[engine.name]:
                synthesis = await engine.synthesize(unit.text, realization)
            report(
                unit,
                _store(
                    cache,
                    unit.key,
                    u,
                    synthesis,
                    engine.name,
                    realization,
                    margin_ms,
                    fallback=False,
                ),
            )
            return
        except EngineError as exc:
            primary_error = exc
        clip = await _fail_over(u, primary_error, casting, fallback, cache, limits, post, margin_ms)
        if clip is None:
            reason = primary_error.detail
            if fallback is not None:
                reason += f"; fallback {fallback.name!r} failed too"
            failures.extend((x.id, x.speaker, x.line, reason) for x in unit.utterances)
        report(unit, clip)

    async def render(job: _Job) -> None:
        hits = [cache.get(unit.key, unit.utterances[0].id) for unit in job.units]
        if all(hit is not None for hit in hits):
            for unit, hit in zip(job.units, hits, strict=True):
                report(unit, hit)
            return
        if len(job.units) > 1 and isinstance(engine, GroupingEngine):
            # The whole group is rendered again, so a resumed run gives the same audio.
            try:
                async with limits[engine.name]:
                    results = await engine.synthesize_group(
                        [unit.text for unit in job.units], job.realization
                    )
                stored = [
                    _store(
                        cache,
                        unit.key,
                        unit.utterances[0],
                        synthesis,
                        engine.name,
                        job.realization,
                        margin_ms,
                        fallback=False,
                    )
                    for unit, synthesis in zip(job.units, results, strict=True)
                ]
            except EngineError:
                pass  # isolate: each sentence alone, so one bad one cannot sink the rest
            else:
                for unit, clip in zip(job.units, stored, strict=True):
                    report(unit, clip)
                return
        for unit in job.units:
            await render_one(unit, job.realization)

    try:
        async with asyncio.TaskGroup() as tasks:
            for job in planned:
                tasks.create_task(render(job))
    except* TtsExportError as group:
        raise first_error(group) from None
    finally:
        try:
            await engine.aclose()
        finally:
            if fallback is not None and fallback is not engine:
                await fallback.aclose()
    if failures:
        raise SynthesisFailed(sorted(failures))
    return clips


def first_error(group: BaseExceptionGroup[TtsExportError]) -> TtsExportError:
    """The first of the errors the stage's tasks raised (the one that stopped the others)."""
    first = group.exceptions[0]
    return first if isinstance(first, TtsExportError) else first_error(first)


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
    return _store(
        cache,
        key,
        u,
        Synthesis(synthesis.pcm, synthesis.sample_rate, synthesis.boundaries, attempts),
        fallback.name,
        realization,
        margin_ms,
        fallback=True,
    )


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
    done = finish(synthesis, margin_ms=margin_ms, gain_db=realization.gain_db)
    return cache.put(
        key,
        utterance_id=u.id,
        pcm=done.pcm,
        sample_rate=done.sample_rate,
        boundaries=done.boundaries,
        engine=engine,
        voice=realization.voice,
        attempts=synthesis.attempts,
        fallback=fallback,
    )


def _for_utterance(clip: Clip, utterance_id: str) -> Clip:
    return clip if clip.utterance_id == utterance_id else replace(clip, utterance_id=utterance_id)
