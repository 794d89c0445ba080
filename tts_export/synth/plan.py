"""Planning: utterances and their personas in, engine calls (``Job``s) in script order out.

Only the text decides the plan (``group_cost`` is an estimate from the text),
so the keys of cached clips are found without any engine work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tts_export.engines.base import Engine, GroupingEngine
from tts_export.errors import VoiceError
from tts_export.models import Casting, Realization, Utterance
from tts_export.synth.cache import clip_key


@dataclass(frozen=True)
class Unit:
    """One cache entry: a (voice, text) pair and every utterance that shares it."""

    key: str
    text: str
    utterances: tuple[Utterance, ...]


@dataclass(frozen=True)
class Job:
    """One engine call: a single unit, or consecutive sentences of one turn."""

    units: tuple[Unit, ...]
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


def plan(
    utterances: Sequence[Utterance], casting: Casting, engine: Engine, post: str, group: bool
) -> list[Job]:
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
    jobs: list[Job] = []
    units: dict[str, Unit] = {}
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
            units[keys[0]] = Unit(unit.key, unit.text, (*unit.utterances, run[0]))
            continue
        job_units = []
        for key, u in zip(keys, run, strict=True):
            units[key] = Unit(key, u.spoken, (u,))
            job_units.append(key)
        jobs.append(Job(tuple(units[k] for k in job_units), realization))
    # Units gathered more utterances after their job was made: rebuild from the table.
    return [Job(tuple(units[x.key] for x in job.units), job.realization) for job in jobs]
