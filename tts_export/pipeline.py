"""The orchestrator: the only module that knows the order of the stages.

parse → script → cast → synthesize → assemble → export (audio, captions,
transcripts, manifest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from tts_export.audio.encode import write_audio, write_chapters_json
from tts_export.audio.timeline import assemble, pause_before
from tts_export.captions.cues import build_cues
from tts_export.captions.profiles import get_profile
from tts_export.captions.subtitles import write_subtitles
from tts_export.captions.transcripts import write_transcripts
from tts_export.casting import cast_voices, load_profiles
from tts_export.config import RenderConfig, merge
from tts_export.engines.base import Engine
from tts_export.errors import ConfigError, EngineUnavailable
from tts_export.files import write_json
from tts_export.manifest import build_manifest
from tts_export.models import Casting, Note, Script, Transcript
from tts_export.report import build_report
from tts_export.script import build_script
from tts_export.synth.cache import ClipCache
from tts_export.synth.scheduler import Progress, synthesize_script
from tts_export.transcript.parse import read_transcript

from . import engines


class Listener(Protocol):
    """Receives progress; the CLI renders it, library code never prints."""

    def stage(self, name: str) -> None: ...

    def progress(self, update: Progress) -> None: ...


class _Silent:
    def stage(self, name: str) -> None:
        pass

    def progress(self, update: Progress) -> None:
        pass


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote and measured."""

    files: Mapping[str, str]
    duration_ms: int
    stats: Mapping[str, int]
    notes: tuple[Note, ...]
    fallbacks: tuple[str, ...]  # "utterance id (speaker, line N)" rendered by the fallback
    loudness: Mapping[str, float | None]


def prepare(
    path: Path, base: RenderConfig, overrides: Mapping[str, Any]
) -> tuple[Transcript, Script, RenderConfig]:
    """Read and segment a transcript; settle the config (front matter, then overrides).

    Raises:
        TranscriptError: the transcript cannot be read.
        ConfigError: a setting is invalid.
    """
    dialect = overrides.get("dialect", base.dialect)
    strict = bool(overrides.get("strict", base.strict))
    transcript = read_transcript(path, dialect=dialect, strict=strict)
    config = base
    settings = transcript.meta.get("tts-export") or transcript.meta.get("tts_export") or {}
    if not isinstance(settings, Mapping):
        raise ConfigError(f"{path}: front matter tts-export", settings, "must be a mapping")
    voices = transcript.meta.get("voices")
    if voices is not None:
        settings = {**settings, "voices": voices}
    if settings:
        config = merge(config, settings, source=f"{path} front matter")
    if "voices" in overrides:
        overrides = {**overrides, "voices": {**config.voices, **overrides["voices"]}}
    config = replace(config, **overrides)
    return (
        transcript,
        build_script(transcript, glossary="keep" if config.glossary == "keep" else "drop"),
        config,
    )


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
    )


def _engine(name: str, config: RenderConfig) -> Engine:
    """The engine ``name``; ``--jobs`` sizes the chosen engine, never a fallback."""
    if config.jobs and name == config.engine and name in ("edge", "kokoro"):
        return engines.create(name, jobs=config.jobs)  # kokoro's threads follow: cores / jobs
    return engines.create(name)


# The fallback "auto" picks: an offline neural voice for the online engine, the
# instant offline one for the neural one.
_AUTO_FALLBACK = {"edge": "kokoro", "kokoro": "espeak"}


def _fallback(config: RenderConfig) -> Engine | None:
    name = config.fallback
    if name == "auto":
        name = _AUTO_FALLBACK.get(config.engine, "none")
    if name in ("none", config.engine):
        return None
    try:
        return _engine(name, config)
    except EngineUnavailable:
        return None  # no fallback here; failures are then reported as failures


def inspect(path: Path, base: RenderConfig, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """What a render would do, without synthesizing (the ``inspect`` report).

    Raises:
        TtsExportError: the transcript or a setting is invalid.
    """
    _, script, config = prepare(path, base, overrides)
    casting = cast(script, config)
    estimates: dict[str, int] = {}
    spoken = [u for u in script.utterances if u.kind == "speech"]
    gaps = sum(
        pause_before(a, b, config.pauses) for a, b in zip([None, *spoken], spoken, strict=False)
    )
    for name in engines.names():
        try:
            engine = _engine(name, config)
        except EngineUnavailable:
            continue
        estimates[name] = (
            gaps + config.pauses.tail + sum(engine.estimate_ms(u.spoken) for u in spoken)
        )
    voices = {speaker: profile.id for speaker, profile in casting.profiles.items()}
    return build_report(script, voices=voices, estimated_ms=estimates)


def render(
    path: Path,
    base: RenderConfig,
    overrides: Mapping[str, Any],
    listener: Listener | None = None,
) -> RenderResult:
    """Render one transcript into audio, captions, transcripts and a manifest.

    Raises:
        TtsExportError: any failure, with what to do about it. Files already
            written stay whole; synthesized clips stay cached for a rerun.
    """
    listen = listener or _Silent()
    listen.stage("reading")
    transcript, script, config = prepare(path, base, overrides)
    casting = cast(script, config)
    engine = _engine(config.engine, config)
    stem = path.stem
    out = config.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("out", str(out), f"cannot create the folder: {exc.strerror}") from None

    listen.stage("synthesizing")
    clips = synthesize_script(
        script,
        casting,
        engine=engine,
        fallback=_fallback(config),
        cache=ClipCache(config.cache_dir),
        jobs=config.jobs,
        trim_margin_ms=config.trim_margin_ms,
        group=config.group,
        on_progress=listen.progress,
    )
    intro = "开场" if transcript.language == "zh" else "Introduction"
    timeline = assemble(script, clips, pauses=config.pauses, intro_title=intro)

    listen.stage("encoding audio")
    cover = transcript.meta.get("cover")
    cover_path = (path.parent / str(cover)) if cover else None
    audio = write_audio(
        timeline,
        out / f"{stem}.{config.audio_format}",
        fmt=config.audio_format,
        bitrate=config.bitrate,
        sample_rate=config.sample_rate,
        channels=config.channels,
        loudness=config.loudness,
        meta=transcript.meta,
        cover=cover_path,
    )
    files: dict[str, str] = {"audio": str(audio.path)}
    if timeline.chapters:
        files["chapters_json"] = str(
            write_chapters_json(timeline.chapters, out / f"{stem}.chapters.json")
        )

    listen.stage("writing captions")
    profile = get_profile(
        config.captions,
        language=transcript.language,
        max_chars=config.max_chars,
        max_lines=config.max_lines,
    )
    cues = build_cues(timeline, language=transcript.language, profile=profile)
    written = write_subtitles(
        cues,
        out_dir=out,
        stem=stem,
        formats=config.captions_formats,
        chapters=timeline.chapters,
        language=transcript.language,
    )
    written.update(
        write_transcripts(
            cues,
            transcript,
            out_dir=out,
            stem=stem,
            formats=config.captions_formats,
            timeline=timeline,
        )
    )
    files.update({kind: str(p) for kind, p in written.items()})

    loudness = {
        "integrated_lufs": audio.integrated_lufs,
        "true_peak_dbtp": audio.true_peak_dbtp,
        "target_lufs": config.loudness,
    }
    manifest = build_manifest(
        timeline,
        casting,
        audio_name=Path(audio.path).name,
        duration_ms=audio.duration_ms,
        engine=config.engine,
        files={k: Path(v).name for k, v in files.items()},
        meta=transcript.meta,
        loudness=loudness,
    )
    files["manifest"] = str(write_json(manifest, out / f"{stem}.manifest.json"))
    fallbacks = tuple(
        f"{p.utterance.id} ({p.utterance.speaker}, line {p.utterance.line}) by {p.clip.engine}"
        for p in timeline.placements
        if p.clip is not None and p.clip.fallback
    )
    return RenderResult(
        files=files,
        duration_ms=audio.duration_ms,
        stats=manifest["stats"],
        notes=transcript.notes,
        fallbacks=fallbacks,
        loudness=loudness,
    )
