"""Synthesize several scripts in one pass: (Script, Casting) pairs in, clips per script out.

A batch's sentences are scheduled together, so the engine's workers never
idle at a file boundary, and one engine (one model load) serves every pass:
the scheduler never closes the engines it is handed. Each script's utterance
ids, speakers and turns are kept apart (prefixed with the script's index), so
nothing is grouped or deduplicated across files except identical (voice,
text) pairs, which the cache shares anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from tts_export.engines.base import Engine
from tts_export.errors import SynthesisFailed
from tts_export.models import Casting, Clip, Realization, Script, Utterance, VoiceProfile
from tts_export.synth.cache import ClipCache
from tts_export.synth.scheduler import ProgressCallback, render_script

Failure = tuple[str, str, int, str]


async def synthesize_many(
    pairs: Sequence[tuple[Script, Casting]],
    *,
    engine: Engine,
    fallback: Engine | None,
    cache: ClipCache,
    jobs: int = 0,
    trim_margin_ms: int = 40,
    group: bool = True,
    on_progress: ProgressCallback | None = None,
    overrides: Sequence[Mapping[str, Realization]] = (),
) -> tuple[dict[int, dict[str, Clip]], dict[int, SynthesisFailed]]:
    """Render every script's spoken utterances; a script that fails does not stop the others.

    ``overrides``, one mapping per script (or none), are its utterances rendered in
    another realization (``render_script``). Runs on the caller's event loop.

    Returns:
        Per script index, its clips (utterance id → clip); and per script index
        that could not be completed, why. Everything synthesized is cached.

    Raises:
        VoiceError: a persona's voice is not usable by the engine.
        OutputError: the cache cannot be written.
    """
    failed: dict[int, SynthesisFailed] = {}
    todo = list(range(len(pairs)))
    while todo:
        script, casting = _merge([pairs[i] for i in todo], todo)
        try:
            merged = await render_script(
                script,
                casting,
                engine=engine,
                fallback=fallback,
                cache=cache,
                jobs=jobs,
                trim_margin_ms=trim_margin_ms,
                group=group,
                on_progress=on_progress,
                overrides={
                    f"{i}/{uid}": r
                    for i in todo
                    if i < len(overrides)
                    for uid, r in overrides[i].items()
                },
            )
        except SynthesisFailed as exc:
            for index, failures in _split(exc.failures).items():
                failed[index] = SynthesisFailed(failures)
            todo = [i for i in todo if i not in failed]  # the rest is cached now: a fast pass
            continue
        clips: dict[int, dict[str, Clip]] = {i: {} for i in todo}
        for key, clip in merged.items():
            prefix, _, uid = key.partition("/")
            clips[int(prefix)][uid] = replace(clip, utterance_id=uid)
        return clips, failed
    return {}, failed


def _merge(
    pairs: Sequence[tuple[Script, Casting]], indexes: Sequence[int]
) -> tuple[Script, Casting]:
    """One script of several: ids and speakers prefixed by the script's index, turns kept apart."""
    utterances: list[Utterance] = []
    profiles: dict[str, VoiceProfile] = {}
    offset = 0
    for index, (script, casting) in zip(indexes, pairs, strict=True):
        turns = 0
        for u in script.utterances:
            utterances.append(
                replace(
                    u,
                    id=f"{index}/{u.id}",
                    speaker=f"{index}/{u.speaker}",
                    turn_index=u.turn_index + offset,
                )
            )
            turns = max(turns, u.turn_index + 1)
        offset += turns
        profiles.update({f"{index}/{s}": p for s, p in casting.profiles.items()})
    return Script(pairs[0][0].transcript, tuple(utterances)), Casting(profiles)


def _split(failures: Sequence[Failure]) -> dict[int, list[Failure]]:
    """Failures of the merged script, per script, with their own ids and speakers."""
    by_script: dict[int, list[Failure]] = {}
    for uid, speaker, line, reason in failures:
        prefix, _, bare = uid.partition("/")
        by_script.setdefault(int(prefix), []).append(
            (bare, speaker.partition("/")[2], line, reason)
        )
    return by_script
