"""Export stage: a Timeline in; the audio, captions, transcripts and manifest of one render out.

All files are staged and replaced together (``outputs``); a group whose
inputs are unchanged since the previous render, and whose files are intact,
is left alone (an unchanged rerun does not encode the programme again). A file
the previous render wrote that this one does not (a caption format no longer
asked for) is removed once the new files are in place, unless it was changed
since (then it is no longer this tool's, and stays). The manifest records the
settings that shape the files (``RECORDED_SETTINGS``), so a render can be made
again with every output it had (``qa --repair``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from tts_export.audio.chapters import write_chapters_json, writes_chapter_files
from tts_export.audio.cover import Cover
from tts_export.audio.encode import write_audio
from tts_export.audio.music import Music
from tts_export.audio.progress import OnStep
from tts_export.captions.cues import build_cues
from tts_export.captions.formats import write_captions
from tts_export.captions.profiles import get_profile
from tts_export.common.files import remove_stale_temporaries, write_text_atomic
from tts_export.config import RenderConfig
from tts_export.models import Casting, Timeline, Transcript
from tts_export.output import staging as outputs
from tts_export.output.manifest import Manifest, Measured, OutputRecord, build_manifest
from tts_export.output.publish import PAGE_SUFFIX, page_html
from tts_export.output.results import Loudness
from tts_export.version import __version__

# The settings that decide what files a render writes and what is in them (besides the
# engine and voices, which the manifest records on their own): enough to make it again.
RECORDED_SETTINGS = (
    "captions_formats", "page", "captions", "max_chars", "max_lines", "vtt_labels",
    "audio_format", "bitrate", "sample_rate", "channels", "loudness", "trim_margin_ms",
    "group", "normalize", "glossary", "pauses", "intro", "outro", "bed", "bed_level", "duck",
    "bed_fade_in_ms", "bed_fade_out_ms", "intro_gap_ms", "outro_gap_ms",
)  # fmt: skip


def recorded_settings(config: RenderConfig) -> dict[str, Any]:
    """``RECORDED_SETTINGS`` of ``config`` as JSON values (lists for tuples, a table of pauses)."""
    out: dict[str, Any] = {}
    for name in RECORDED_SETTINGS:
        value = getattr(config, name)
        if name == "pauses":
            value = asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


@dataclass(frozen=True)
class Exported:
    """What the export stage wrote (or left alone), with the audio's measured figures."""

    files: dict[str, Path]
    duration_ms: int
    loudness: Loudness
    unchanged: tuple[str, ...]  # groups left alone: "audio", "captions"
    manifest: Manifest
    cues: int  # captions in the subtitle files


@dataclass(frozen=True)
class _Group:
    """One group of outputs: written into the stage this time, or kept from the previous render."""

    files: dict[str, Path]  # kind -> where the file is now (the stage, or the output folder)
    record: OutputRecord
    kept: bool


def _audio_inputs(
    timeline: Timeline,
    transcript: Transcript,
    config: RenderConfig,
    cover: Cover | None,
    music: Music | None,
) -> str:
    return outputs.digest(
        __version__,
        music.identity() if music else None,
        hashlib.sha256(cover.data).hexdigest() if cover else None,
        outputs.timeline_identity(timeline),
        [config.audio_format, config.bitrate, config.sample_rate, config.channels],
        config.loudness,
        transcript.meta,
        transcript.language,
    )


def _captions_inputs(timeline: Timeline, transcript: Transcript, config: RenderConfig) -> str:
    return outputs.digest(
        __version__,
        outputs.timeline_identity(timeline),
        [p.utterance for p in timeline.placements],
        transcript,
        [config.captions, config.max_chars, config.max_lines, config.captions_formats],
        config.vtt_labels,
    )


def _kept(record: OutputRecord, out_dir: Path) -> _Group:
    files = {kind: out_dir / entry.name for kind, entry in record.files.items()}
    return _Group(files, record, kept=True)


def _audio_group(
    stage: outputs.Stage,
    previous: Manifest | None,
    stem: str,
    timeline: Timeline,
    transcript: Transcript,
    config: RenderConfig,
    cover: Cover | None,
    music: Music | None,
    on_step: OnStep | None = None,
) -> tuple[_Group, Measured]:
    """The audio and chapters JSON, kept when their inputs are unchanged and the files intact."""
    inputs = _audio_inputs(timeline, transcript, config, cover, music)
    kept = outputs.reusable(previous, "audio", inputs, stage.out_dir)
    if kept is not None and kept.measured is not None:
        return _kept(kept, stage.out_dir), kept.measured
    audio = write_audio(
        timeline,
        stage.path(f"{stem}.{config.audio_format}"),
        fmt=config.audio_format,
        bitrate=config.bitrate,
        sample_rate=config.sample_rate,
        channels=config.channels,
        loudness=config.loudness,
        meta=transcript.meta,
        cover=cover,
        language=transcript.language,
        music=music,
        on_step=on_step,
    )
    written = {"audio": Path(audio.path)}
    if writes_chapter_files(timeline.chapters):
        written["chapters_json"] = write_chapters_json(
            timeline.chapters, stage.path(f"{stem}.chapters.json")
        )
    measured = Measured(audio.duration_ms, audio.integrated_lufs, audio.true_peak_dbtp)
    return _Group(written, outputs.record(inputs, written, measured=measured), False), measured


def _captions_group(
    stage: outputs.Stage,
    previous: Manifest | None,
    stem: str,
    timeline: Timeline,
    transcript: Transcript,
    config: RenderConfig,
) -> _Group:
    """The subtitles and transcripts, kept when their inputs are unchanged and the files intact."""
    inputs = _captions_inputs(timeline, transcript, config)
    kept = outputs.reusable(previous, "captions", inputs, stage.out_dir)
    if kept is not None:
        return _kept(kept, stage.out_dir)
    profile = get_profile(
        config.captions,
        language=transcript.language,
        max_chars=config.max_chars,
        max_lines=config.max_lines,
    )
    cues = build_cues(timeline, language=transcript.language, profile=profile)
    written = write_captions(
        cues,
        transcript,
        out_dir=stage.folder,
        stem=stem,
        formats=config.captions_formats,
        timeline=timeline,
        vtt_labels=config.vtt_labels,
    )
    return _Group(written, outputs.record(inputs, written, cues=len(cues)), False)


def _remove_stale(previous: Manifest | None, written: set[str], out_dir: Path) -> None:
    """Remove the files the previous render wrote and this one did not, where still as written.

    A file whose bytes differ from the previous manifest's record was changed by someone
    since, so it is left alone (it is not ours to delete).
    """
    records = previous.outputs.values() if previous and previous.outputs else ()
    for entry in (e for record in records for e in record.files.values()):
        path = out_dir / entry.name  # a plain name: Manifest.read checks it
        if entry.name in written or not path.is_file():
            continue
        with contextlib.suppress(OSError):  # unreadable or not removable: it stays
            if outputs.file_digest(path) == entry.sha256:
                path.unlink()


def export(
    timeline: Timeline,
    transcript: Transcript,
    casting: Casting,
    *,
    config: RenderConfig,
    stem: str,
    cover: Cover | None,
    music: Music | None = None,
    repaired: int = 0,
    on_stage: Callable[[str], None] | None = None,
    repairs: Sequence[Mapping[str, Any]] = (),
    on_step: OnStep | None = None,
) -> Exported:
    """Write (or keep) the audio group and the captions group, then the manifest; all together.

    ``on_stage`` hears "encoding audio" and "writing captions"; ``on_step`` how far the
    audio's encode has come (``audio.progress.Step``; nothing when the audio is kept).

    Raises:
        ConfigError: a setting the writers refuse.
        OutputError: a file cannot be written (the previous render's files stay as they were).
        FfmpegError: the encoder failed.
    """
    out = config.out_dir
    manifest_path = Manifest.path_for(out, stem)
    previous = outputs.previous_manifest(manifest_path)
    remove_stale_temporaries(out)
    stage = outputs.open_stage(out, stem)
    committed = False
    try:
        if on_stage is not None:
            on_stage("encoding audio")
        audio, measured = _audio_group(
            stage, previous, stem, timeline, transcript, config, cover, music, on_step
        )
        if on_stage is not None:
            on_stage("writing captions")
        captions = _captions_group(stage, previous, stem, timeline, transcript, config)
        loudness = Loudness(measured.integrated_lufs, measured.true_peak_dbtp, config.loudness)
        files = {**audio.files, **captions.files}
        manifest = build_manifest(
            timeline,
            casting,
            audio_name=files["audio"].name,
            duration_ms=measured.duration_ms,
            engine=config.engine,
            files={k: v.name for k, v in files.items()},
            meta=transcript.meta,
            loudness=loudness,
            transcript=transcript,
            repairs=repairs,
            repaired=repaired,  # damaged cache entries found and made again
            settings=recorded_settings(config),
        )
        if config.page:  # made from the manifest, as `tts-export page` makes it later
            page = stage.path(f"{stem}{PAGE_SUFFIX}")
            files["page"] = write_text_atomic(page, page_html(manifest, stem=stem))
            manifest = replace(manifest, files={**manifest.files, "page": page.name})
        manifest = replace(manifest, outputs={"audio": audio.record, "captions": captions.record})
        manifest.write(stage.path(manifest_path.name))
        outputs.commit(stage)
        committed = True
    finally:
        if not committed:  # whatever stopped it: nothing new appears, the old files stay
            outputs.discard(stage)
    final = {kind: out / path.name for kind, path in files.items()}
    _remove_stale(previous, {p.name for p in final.values()} | {manifest_path.name}, out)
    final["manifest"] = manifest_path
    return Exported(
        files=final,
        duration_ms=measured.duration_ms,
        loudness=loudness,
        unchanged=tuple(g for g, group in (("audio", audio), ("captions", captions)) if group.kept),
        manifest=manifest,
        cues=captions.record.cues or 0,
    )
