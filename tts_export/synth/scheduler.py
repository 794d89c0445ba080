"""Synthesize: a Script and its Casting in, one cached ``Clip`` per spoken utterance out.

Runs on its caller's event loop (a render's ``EngineSet`` owns the only one)
and never closes the engines it is handed. Work runs in script order, at most
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
from tts_export.errors import EngineError, SynthesisFailed, TtsExportError
from tts_export.models import Casting, Clip, Realization, Script, Synthesis, Utterance
from tts_export.synth.cache import ClipCache, clip_key
from tts_export.synth.clips import finish
from tts_export.synth.plan import Job, Unit, plan, realization_for


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
    """``render_script`` for a caller without an event loop (a loop of its own, for this call).

    The engines stay open: whoever made them closes them (``aclose``).

    Raises:
        VoiceError, SynthesisFailed: as ``render_script``.
    """
    return asyncio.run(
        render_script(
            script, casting, engine=engine, fallback=fallback, cache=cache, jobs=jobs,
            trim_margin_ms=trim_margin_ms, group=group, on_progress=on_progress,
            overrides=overrides,
        )
    )  # fmt: skip


async def render_script(
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
    return await _run(
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


class _Pass:
    """One pass over the planned jobs: what is done, what failed, and the engines' limits."""

    def __init__(
        self,
        engine: Engine,
        fallback: Engine | None,
        casting: Casting,
        cache: ClipCache,
        jobs: int,
        margin_ms: int,
        total: int,
        on_progress: ProgressCallback | None,
        alone: Mapping[str, Unit],
    ) -> None:
        self.engine, self.fallback, self.casting, self.cache = engine, fallback, casting, cache
        self.margin_ms, self.total, self.alone = margin_ms, total, alone
        self.on_progress = on_progress
        self.clips: dict[str, Clip] = {}
        self.failures: list[tuple[str, str, int, str]] = []
        self.counts = {"done": 0, "cached": 0, "fallbacks": 0}
        self.limits = {engine.name: asyncio.Semaphore(max(1, jobs))}
        if fallback is not None:
            self.limits.setdefault(fallback.name, asyncio.Semaphore(max(1, fallback.max_jobs)))

    def report(self, unit: Unit, clip: Clip | None) -> None:
        for u in unit.utterances:
            if u.id in self.alone and unit.key != self.alone[u.id].key:
                continue  # its group is still rendered for the neighbours; its clip is its own
            self.counts["done"] += 1
            if clip is not None:
                # A fallback is a fact of this render (the clip's engine is not the one chosen),
                # not of the cache entry: a clip the fallback made once is a plain clip of a
                # later render that chooses that engine.
                clip = replace(clip, fallback=clip.engine != self.engine.name)
                self.clips[u.id] = _for_utterance(clip, u.id)
                self.counts["cached"] += clip.cached
                self.counts["fallbacks"] += clip.fallback
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    total=self.total, done=self.counts["done"], cached=self.counts["cached"],
                    fallbacks=self.counts["fallbacks"], failures=len(self.failures),
                    utterance_id=unit.utterances[-1].id,
                    engine=clip.engine if clip else self.engine.name,
                    repaired=self.cache.repaired,
                )
            )  # fmt: skip

    def store(self, unit: Unit, synthesis: Synthesis, realization: Realization) -> Clip:
        return _store(self.cache, unit.key, unit.utterances[0], synthesis, self.engine.name,
                      realization, self.margin_ms, fallback=False)  # fmt: skip

    async def render_one(self, unit: Unit, realization: Realization) -> None:
        engine = self.engine
        try:
            async with self.limits[engine.name]:
                synthesis = await engine.synthesize(unit.text, realization)
            self.report(unit, self.store(unit, synthesis, realization))
            return
        except EngineError as exc:
            primary_error = exc
        post = f"margin={self.margin_ms}"
        clip = await _fail_over(unit.utterances[0], primary_error, self.casting, self.fallback,
                                self.cache, self.limits, post, self.margin_ms)  # fmt: skip
        if clip is None:
            reason = primary_error.detail
            if self.fallback is not None:
                reason += f"; fallback {self.fallback.name!r} failed too"
            self.failures.extend((x.id, x.speaker, x.line, reason) for x in unit.utterances)
        self.report(unit, clip)

    async def render(self, job: Job) -> None:
        hits = [self.cache.get(unit.key, unit.utterances[0].id) for unit in job.units]
        if all(hit is not None for hit in hits):
            for unit, hit in zip(job.units, hits, strict=True):
                self.report(unit, hit)
            return
        engine = self.engine
        if len(job.units) > 1 and isinstance(engine, GroupingEngine):
            # The whole group is rendered again, so a resumed run gives the same audio.
            try:
                async with self.limits[self.engine.name]:
                    results = await engine.synthesize_group(
                        [unit.text for unit in job.units], job.realization
                    )
                stored = [
                    self.store(unit, synthesis, job.realization)
                    for unit, synthesis in zip(job.units, results, strict=True)
                ]
            except EngineError:
                pass  # isolate: each sentence alone, so one bad one cannot sink the rest
            else:
                for unit, clip in zip(job.units, stored, strict=True):
                    self.report(unit, clip)
                return
        for unit in job.units:
            await self.render_one(unit, job.realization)


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
    """Plan, then render every job on the running loop; the engines stay open (their caller's)."""
    post = f"margin={margin_ms}"
    planned = plan(utterances, casting, engine, post, group)
    alone = {
        u.id: Unit(clip_key(engine.name, engine.version, r, u.spoken, post + "|override"),
                    u.spoken, (u,))
        for job in planned for unit in job.units for u in unit.utterances
        if (r := overrides.get(u.id)) is not None
    }  # fmt: skip
    planned += [Job((unit,), overrides[uid]) for uid, unit in alone.items()]
    run = _Pass(engine, fallback, casting, cache, jobs, margin_ms, len(utterances), on_progress,
                alone)  # fmt: skip
    try:
        async with asyncio.TaskGroup() as tasks:
            for job in planned:
                tasks.create_task(run.render(job))
    except* TtsExportError as group_error:
        raise first_error(group_error) from None
    if run.failures:
        raise SynthesisFailed(sorted(run.failures))
    return run.clips


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
        raise EngineError(
            engine,
            "returned no audio",
            utterance_id=u.id,
            hint="rerun; pass --fallback espeak to render such sentences offline",
        )
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
