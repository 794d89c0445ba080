"""The orchestrator: the only module that knows the order of the stages.

parse → script → cast → synthesize → assemble → export (audio, captions,
transcripts, manifest). Takes a validated ``RenderConfig`` and a ``Source``;
the public functions in ``api`` build both.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from tts_export.audio.cover import Cover, load_cover
from tts_export.audio.music import Music, add_music, load_music
from tts_export.audio.progress import OnStep
from tts_export.audio.timeline import assemble, pause_before
from tts_export.casting import cast_voices, load_profiles, with_casting_notes
from tts_export.config import RenderConfig, layer, settle
from tts_export.errors import VoiceError
from tts_export.lexicon import Lexicon, lexicon_usage, read_lexicons
from tts_export.models import Casting, Clip, Note, Script, Transcript
from tts_export.output.export import export
from tts_export.output.report import build_report
from tts_export.output.results import FileResult, Render, Report
from tts_export.qa.repairs import Repair, applicable, overrides, read_repairs, repairs_path
from tts_export.script import build_script
from tts_export.synth import Progress
from tts_export.synth.loop import EngineChoice, EngineSet, Synthesizer, Work
from tts_export.transcript import parse_text, read_transcript
from tts_export.transcript.front_matter import speaker_genders
from tts_export.transcript.source import Source as Source


class Listener(Protocol):
    """Receives progress; the CLI renders it, library code never prints.

    Optional, found with ``getattr`` (older listeners keep working): ``warning(source,
    note)``, each parse warning once read, before synthesis (``Render.warnings`` still
    lists them); ``export_progress(step)``, the audio export's ``audio.progress.Step``.
    """

    def stage(self, name: str) -> None:
        """A stage begins ("reading", "synthesizing", "encoding audio", "writing captions")."""

    def progress(self, update: Progress) -> None:
        """Synthesis moved on by one clip (in a batch: counts are of the whole batch)."""


class BatchListener(Listener, Protocol):
    """A listener that also hears when each file of a batch is finished (optional)."""

    def file_done(self, result: FileResult, done: int, total: int) -> None:
        """``result`` is the ``done``-th of ``total`` files to finish."""


def warn(listener: Listener | None, prepared: Prepared) -> None:
    """Tell a listener that has ``warning`` each warning of the prepared file, now."""
    on_warning: Callable[[str, Note], None] | None = getattr(listener, "warning", None)
    if on_warning is not None:
        for note in prepared.transcript.notes:
            on_warning(prepared.source.label, note)


class _Silent:
    def stage(self, name: str) -> None:
        pass

    def progress(self, update: Progress) -> None:
        pass


def read(source: Source, config: RenderConfig) -> Transcript:
    """Parse stage.

    Raises:
        TranscriptError: the transcript cannot be read or understood.
    """
    if source.text is not None:
        return parse_text(
            source.text, path=source.label, dialect=config.dialect, strict=config.strict
        )
    assert source.path is not None
    return read_transcript(source.path, dialect=config.dialect, strict=config.strict)


def prepare(
    source: Source, base: RenderConfig, options: Mapping[str, Any]
) -> tuple[Transcript, Script, RenderConfig]:
    """Read and segment a transcript; settle its config (``config.settle``: front matter, options).

    Raises:
        TranscriptError: the transcript cannot be read.
        ConfigError: a setting is invalid.
        VoiceError: a voice-profile file is bad.
    """
    transcript = read(source, layer(base, options))
    config = settle(base, transcript.meta, options, source=source.label, folder=source.folder)
    transcript = with_casting_notes(transcript, config.voice_dirs)
    glossary: Literal["drop", "keep"] = "keep" if config.glossary == "keep" else "drop"
    script = build_script(
        transcript, glossary=glossary, lexicon=lexicon_of(transcript, source, config),
        engine=config.engine, normalize=config.normalize,
    )  # fmt: skip
    _check_cast_speakers(options.get("voices", {}), script)
    return transcript, script, config


def lexicon_of(transcript: Transcript, source: Source, config: RenderConfig) -> Lexicon:
    """The pronunciation lexicon: bundled, then the user's files, then ``pronounce:``.

    Raises:
        ConfigError: a lexicon file is missing or malformed.
        TranscriptError: the front matter's ``pronounce:`` is malformed.
    """
    return read_lexicons(config.lexicon, meta=transcript.meta, transcript_path=source.label)


def _check_cast_speakers(chosen: Mapping[str, str], script: Script) -> None:
    """A speaker cast by name (``--voice``) must speak in the transcript.

    Raises:
        VoiceError: naming the unknown speaker, with the closest names.
    """
    speakers = list(dict.fromkeys(u.speaker for u in script.utterances if u.kind == "speech"))
    for speaker, profile in chosen.items():
        if speaker not in speakers:
            close = difflib.get_close_matches(speaker, speakers, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else ""
            hint += f" speakers in this transcript: {', '.join(speakers) or '(none)'}"
            raise VoiceError(
                profile,
                "is cast for a speaker who is not in the transcript",
                speaker=speaker,
                hint=hint.strip(),
            )


def _cover(transcript: Transcript, source: Source, config: RenderConfig) -> Cover | None:
    """The front matter's cover art, checked and read before any synthesis.

    Raises:
        ConfigError: missing, outside the transcript's folder, not an image, too large.
    """
    value = transcript.meta.get("cover")
    if value is None:
        return None
    return load_cover(value, source.folder, allow_outside=config.allow_outside_files)


def cast(script: Script, config: RenderConfig) -> Casting:
    """Choose a persona per speaker for ``config.engine``.

    Raises:
        VoiceError: a choice is invalid or personas run out.
    """
    speakers = tuple(dict.fromkeys(u.speaker for u in script.utterances if u.kind == "speech"))
    return cast_voices(
        speakers,
        language=script.transcript.language,
        engine=config.engine,
        profiles=load_profiles(config.voice_dirs),
        chosen=config.voices,
        genders=speaker_genders(script.transcript.meta),
    )


def engine_choice(config: RenderConfig) -> EngineChoice:
    """Which engines ``config`` renders with: files (and renders) that agree share them."""
    return EngineChoice(config.engine, config.fallback, config.jobs, config.executor,
                        config.ray_address, config.workers, config.worker_threads)  # fmt: skip


def inspect(source: Source, base: RenderConfig, options: Mapping[str, Any]) -> Report:
    """What a render would do, without synthesizing.

    Raises:
        TtsExportError: the transcript or a setting is invalid.
    """
    transcript, script, config = prepare(source, base, options)
    casting = cast(script, config)
    usage = lexicon_usage(
        script.utterances, lexicon_of(transcript, source, config), engine=config.engine
    )
    estimates: dict[str, int] = {}
    spoken = [u for u in script.utterances if u.kind == "speech"]
    gaps = sum(
        pause_before(a, b, config.pauses) for a, b in zip([None, *spoken], spoken, strict=False)
    )
    for name, speech_ms in EngineChoice.estimates([u.spoken for u in spoken]).items():
        estimates[name] = gaps + config.pauses.tail + speech_ms
    voices = {speaker: profile.id for speaker, profile in casting.profiles.items()}
    return build_report(script, voices=voices, estimated_ms=estimates, lexicon=usage.to_json())


@dataclass(frozen=True)
class Prepared:
    """A transcript read, segmented, cast and checked: everything before synthesis."""

    source: Source
    transcript: Transcript
    script: Script
    config: RenderConfig
    casting: Casting
    cover: Cover | None
    music: Music | None = None
    repairs: tuple[Repair, ...] = ()  # QA repairs kept beside the outputs (STEM.repairs.json)

    @property
    def work(self) -> Work:
        """What the synth stage renders: the script, its casting and the repairs' voices."""
        return self.script, self.casting, overrides(self.repairs, self.casting)


def prepare_file(source: Source, base: RenderConfig, options: Mapping[str, Any]) -> Prepared:
    """Parse, script and cast one transcript, and check its cover: all before any synthesis.

    Raises:
        TtsExportError: the transcript, a setting, a voice or the cover is at fault.
    """
    transcript, script, config = prepare(source, base, options)
    casting = cast(script, config)
    cover = _cover(transcript, source, config)
    repairs = applicable(
        read_repairs(repairs_path(config.out_dir, source.stem)), script, config.engine
    )
    return Prepared(
        source, transcript, script, config, casting, cover, _music(source, config), repairs
    )


def _music(source: Source, config: RenderConfig) -> Music | None:
    """Intro, outro and bed, each checked and measured before any synthesis.

    Raises:
        ConfigError: a file is missing, outside the transcript's folder, unreadable,
            silent, too long or too large.
    """
    files = {
        role: load_music(value, source.folder, role=role, allow_outside=config.allow_outside_files)
        for role, value in (("intro", config.intro), ("outro", config.outro), ("bed", config.bed))
        if value is not None
    }
    if not files:
        return None
    return Music(
        intro=files.get("intro"),
        outro=files.get("outro"),
        bed=files.get("bed"),
        intro_gap_ms=config.intro_gap_ms,
        outro_gap_ms=config.outro_gap_ms,
        bed_level_lu=config.bed_level,
        duck_db=config.duck,
        fade_in_ms=config.bed_fade_in_ms,
        fade_out_ms=config.bed_fade_out_ms,
    )


def synthesis_key(config: RenderConfig) -> tuple[object, ...]:
    """Files whose configs agree on this can share one engine and one synthesis pass."""
    return (engine_choice(config), config.trim_margin_ms, config.group, config.cache_dir)


def open_engines(config: RenderConfig) -> EngineSet:
    """The engine and fallback for ``config``, on a loop of their own; the caller closes them.

    Raises:
        EngineUnavailable: the engine cannot run here.
    """
    return engine_choice(config).open()


# Where a synthesis gets its engines: ``open_engines`` (opened for it, closed after it), or
# a session's engines, lent (closed when the session is).
EngineSource = Callable[[RenderConfig], AbstractContextManager[EngineSet]]


@contextmanager
def synthesis(config: RenderConfig, engines: EngineSource = open_engines) -> Iterator[Synthesizer]:
    """The one start-synthesize-finish sequence: engines from ``engines`` (closed after, if
    it opened them), a clean cache; every render, batch group and repair goes through it.

    Raises:
        EngineUnavailable: the engine cannot run here.
    """
    with engines(config) as opened:
        jobs = 0 if config.executor == "ray" else config.jobs  # Ray: workers x in-flight
        yield Synthesizer(opened, config.cache_dir, jobs=jobs,
                          trim_margin_ms=config.trim_margin_ms, group=config.group)  # fmt: skip


def finish(
    prepared: Prepared,
    clips: Mapping[str, Clip],
    *,
    repaired: int = 0,
    on_stage: Callable[[str], None] | None = None,
    on_step: OnStep | None = None,
) -> Render:
    """Assemble and export one transcript from its clips.

    ``on_stage`` hears the export's stages, ``on_step`` how far its audio has come.

    Raises:
        TtsExportError: an output cannot be written (the previous files stay as they were).
    """
    transcript, config, casting = prepared.transcript, prepared.config, prepared.casting
    intro = "开场" if transcript.language == "zh" else "Introduction"
    timeline = assemble(prepared.script, clips, pauses=config.pauses, intro_title=intro)
    if prepared.music is not None:
        timeline = add_music(timeline, prepared.music, transcript.language)
    done = export(
        timeline,
        transcript,
        casting,
        config=config,
        stem=prepared.source.stem,
        cover=prepared.cover,
        music=prepared.music,
        repaired=repaired,
        on_stage=on_stage,
        repairs=[r.to_json() for r in prepared.repairs],
        on_step=on_step,
    )
    fallbacks = tuple(
        f"{p.utterance.id} ({p.utterance.speaker}, line {p.utterance.line}) by {p.clip.engine}"
        for p in timeline.placements
        if p.clip is not None and p.clip.fallback
    )
    stats = done.manifest.stats
    return Render(
        source=prepared.source.label,
        stem=prepared.source.stem,
        files=done.files,
        duration_ms=done.duration_ms,
        utterances=stats.utterances,
        cached=stats.cached,
        synthesized=stats.synthesized,
        fallbacks=fallbacks,
        engine=config.engine,
        voices={speaker: profile.id for speaker, profile in casting.profiles.items()},
        loudness=done.loudness,
        warnings=transcript.notes,
        unchanged=done.unchanged,
        repaired=repaired,
        cues=done.cues,
    )


def render(
    source: Source,
    base: RenderConfig,
    options: Mapping[str, Any],
    listener: Listener | None = None,
    *,
    engines: EngineSource = open_engines,
) -> Render:
    """Render one transcript into audio, captions, transcripts and a manifest.

    ``engines`` gives the engines (default: opened for this render, closed after it).

    Raises:
        TtsExportError: any failure, with what to do about it. Files already
            written stay whole; synthesized clips stay cached for a rerun.
    """
    listen = listener or _Silent()
    listen.stage("reading")
    prepared = prepare_file(source, base, options)
    warn(listen, prepared)  # before the work, not only in the result at its end
    with synthesis(prepared.config, engines) as synth:
        listen.stage("synthesizing")
        clips, failed = synth.synthesize([prepared.work], on_progress=listen.progress)
    if failed:
        raise failed[0]
    return finish(prepared, clips[0], repaired=synth.cache.repaired, on_stage=listen.stage,
                  on_step=getattr(listen, "export_progress", None))  # fmt: skip
