"""The public API: ``render``, ``inspect``, ``check``, ``voices``, ``qa`` and ``repair``.

Every option is keyword-only and validated (type and range) before any work
starts, exactly as ``RenderConfig`` validates it; a bad one raises
``ConfigError`` naming the option. The CLI is a thin layer over these
functions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Unpack, overload

from tts_export import pipeline
from tts_export._repair import Repaired
from tts_export.common.lang import primary_subtag
from tts_export.config import RenderConfig, RenderOptions
from tts_export.errors import ConfigError
from tts_export.output.results import Batch, CheckReport, Finding, Render, Report, Voice
from tts_export.qa.check import QaReport, UtteranceScore
from tts_export.session import Session, _base, _source
from tts_export.session import TranscriptInput as TranscriptInput
from tts_export.synth.housekeeping import CacheUsage

_CACHE_HINT = "name the clip cache's folder (cache_dir in tts-export.toml), not a file in it"


@overload
def render(
    transcript: TranscriptInput,
    *,
    name: str | None = None,
    config: RenderConfig | None = None,
    listener: pipeline.Listener | None = None,
    **options: Unpack[RenderOptions],
) -> Render: ...


@overload
def render(
    transcript: list[TranscriptInput] | tuple[TranscriptInput, ...],
    *,
    recursive: bool = False,
    config: RenderConfig | None = None,
    listener: pipeline.Listener | None = None,
    **options: Unpack[RenderOptions],
) -> Batch: ...


def render(
    transcript: TranscriptInput | list[TranscriptInput] | tuple[TranscriptInput, ...],
    *,
    name: str | None = None,
    recursive: bool = False,
    config: RenderConfig | None = None,
    listener: pipeline.Listener | None = None,
    **options: Unpack[RenderOptions],
) -> Render | Batch:
    """Render a transcript (or a batch) into audio, captions, transcripts and a manifest.

    One-shot: the engines are opened for this call and closed before it returns. To
    render many transcripts on engines kept loaded, use a ``Session``.

    Args:
        transcript: a transcript file, or a string of Markdown (then ``name`` is needed);
            or a list of files, folders and glob patterns: a batch.
        name: the output file stem of a single transcript (default: the file's stem).
        recursive: in a batch, look into the folders' subfolders too.
        config: base settings (default ``RenderConfig()``; ``load_config()`` reads a
            ``tts-export.toml``). The transcript's front matter applies over it.
        listener: receives progress (``Listener``); nothing is printed.
        **options: any ``RenderConfig`` field (``engine="espeak"``, ``out_dir="out"``,
            ``captions_formats=("srt", "vtt", "html")``, ...); these win over front matter.

    Returns:
        A ``Render`` for one transcript. For a list, a ``Batch`` with one result per file
        found, in order: outputs mirror each file's path relative to the folder or glob it
        was found by, and a file that fails is reported there while the others go on.

    Raises:
        ConfigError: an option or setting is invalid (before any work); in a batch, two
            files would write the same outputs.
        TranscriptError: the transcript cannot be read or understood (single file).
        VoiceError: a speaker cannot be cast.
        SynthesisFailed: some sentences could not be synthesized (the rest is cached).
        OutputError: an output could not be written.
    """
    with Session(config=config, **options) as session:  # one-shot: engines closed on return
        return session.render(transcript, name=name, recursive=recursive, listener=listener)


def inspect(
    transcript: TranscriptInput,
    *,
    name: str | None = None,
    config: RenderConfig | None = None,
    **options: Unpack[RenderOptions],
) -> Report:
    """What ``render`` would do, without synthesizing: speakers, voices, sections, warnings.

    Raises:
        ConfigError: an option or setting is invalid.
        TranscriptError: the transcript cannot be read or understood.
        VoiceError: a speaker cannot be cast.
    """
    source = _source(transcript, name)
    return pipeline.inspect(source, _base(config, options), options)


def check(
    subtitles: str | os.PathLike[str],
    *,
    audio: str | os.PathLike[str] | None = None,
    captions: str = "netflix",
    language: str | None = None,
) -> CheckReport:
    """Measure an SRT, WebVTT or ASS file against a caption profile's rules.

    Args:
        subtitles: the caption file.
        audio: the audio it belongs to; cues must end within it.
        captions: the profile: "netflix", "bbc" or "podcast".
        language: "zh" or "en"; None detects it from the text.

    Raises:
        SubtitleError: the file is missing, unreadable or has no cues.
        ConfigError: an unknown profile.
        OutputError: the audio cannot be decoded.
    """
    from tts_export.audio.encode import decode_duration_ms
    from tts_export.captions.check import check_subtitles

    RenderConfig(captions=captions)  # the same check as a render's profile
    audio_ms = decode_duration_ms(Path(audio)) if audio is not None else None
    raw = check_subtitles(Path(subtitles), audio_ms=audio_ms, profile=captions, language=language)
    return CheckReport(
        cues=raw["cues"],
        errors=tuple(Finding(**item) for item in raw["errors"]),
        warnings=tuple(Finding(**item) for item in raw["warnings"]),
        stats=raw["stats"],
    )


def publish(render: str | os.PathLike[str]) -> Path:
    """Write the listening page of a finished render, from its manifest; nothing is synthesized.

    Args:
        render: ``OUTDIR/STEM`` (``out/episode``), the render's ``<stem>.manifest.json``,
            or an output folder holding one render.

    Returns:
        The page: ``<stem>.html`` beside the audio, linking the render's files by relative URL.

    Raises:
        RenderNotFound: no render there (as for ``qa`` and ``repair``).
        ManifestError: its manifest is unreadable or malformed.
        PageError: the manifest has no utterances, or its audio is missing.
        OutputError: the page cannot be written.
    """
    from tts_export.output.publish import write_page

    return write_page(render)


def qa(
    render: str | os.PathLike[str],
    *,
    asr_model: str | os.PathLike[str] = "base",
    threads: int = 0,
    on_utterance: Callable[[UtteranceScore, int, int], None] | None = None,
) -> QaReport:
    """How well a speech recogniser understands a finished render (needs ``tts-export[qa]``).

    Args:
        render: ``OUTDIR/STEM`` of a render, its ``<stem>.manifest.json``, or a folder
            holding one render.
        asr_model: a faster-whisper (CTranslate2) model folder, or a model name such as
            ``"base"`` that faster-whisper downloads (needs the network the first time).
        threads: CPU threads for the recogniser; 0 lets it choose.
        on_utterance: called after each utterance is scored (score, done, total).

    Returns:
        Error rates per utterance, per speaker and overall, with what was heard.

    Raises:
        EngineUnavailable: faster-whisper is not installed, or the model cannot be loaded.
        RenderNotFound: no finished render there (before the model is loaded).
        OutputError: its manifest or audio cannot be read.
    """
    from tts_export.output.manifest import Manifest
    from tts_export.qa import load_recognizer, run_qa

    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise ConfigError(
            "threads",
            threads,
            "must be a whole number, 0 or more",
            hint="e.g. threads=2; 0: all cores",
        )
    found = Manifest.locate(render)  # a missing render fails before the model loads
    recognizer = load_recognizer(asr_model_path(asr_model), threads=threads)
    return run_qa(found, recognizer, on_utterance=on_utterance)


def repair(
    render: str | os.PathLike[str],
    *,
    transcript: TranscriptInput,
    asr_model: str | os.PathLike[str] = "base",
    max_cer: float = 0.05,
    threads: int = 0,
    config: RenderConfig | None = None,
    listener: pipeline.Listener | None = None,
    on_utterance: Callable[[UtteranceScore, int, int], None] | None = None,
    **options: Unpack[RenderOptions],
) -> Repaired:
    """Re-voice the utterances of a render that a recogniser misunderstands, then re-render.

    Each utterance over ``max_cer`` is tried alone, slower and in a nearby blend of
    the same persona's voice; the best is kept when it beats the original, recorded
    in ``STEM.repairs.json`` (read by every later render of that stem) and in the
    manifest's ``repairs``. The engine, the speakers' personas, the output folder and
    the audio format come from the render's manifest; other settings from ``config``
    and ``options``, as for ``render``.

    Args:
        render: ``OUTDIR/STEM`` of a finished render.
        transcript: the transcript it was made from (the manifest does not keep its
            path, and the script and casting are rebuilt from it).
        asr_model: as for ``qa``.
        max_cer: utterances above this error rate are repaired.
        threads: as for ``qa``.
        config: base settings, as for ``render``.
        listener: progress of the render made again.
        on_utterance: progress of the first check.
        **options: ``RenderConfig`` fields, as for ``render``.

    Raises:
        EngineUnavailable: the QA extra or the model is missing.
        RenderNotFound: no finished render there.
        OutputError: its manifest or audio cannot be read.
        TtsExportError: as for ``render``.
    """
    from tts_export import _repair as repairing
    from tts_export.qa import load_recognizer

    if not isinstance(max_cer, int | float) or not 0 <= max_cer <= 1:
        raise ConfigError(
            "max_cer", max_cer, "must be a rate between 0 and 1", hint="e.g. max_cer=0.05 for 5 %"
        )
    stem = repairing.render_stem(render)
    options = {**repairing.settings_of(stem), **options}  # type: ignore[typeddict-item]
    base = _base(config, options)
    if isinstance(transcript, str) and "\n" not in transcript:
        transcript = Path(transcript)  # one line is a path here: the stem names the output
    source = _source(transcript, stem.name)
    recognizer = load_recognizer(asr_model_path(asr_model), threads=threads)
    return repairing.repair(stem, source, base, options, recognizer, max_cer=max_cer,
                            listener=listener, on_utterance=on_utterance)  # fmt: skip


def asr_model_path(model: str | os.PathLike[str]) -> str | Path:
    """A model folder as a Path; a bare name ("base", "small") as the download name."""
    if isinstance(model, os.PathLike) or os.sep in model or "/" in model or Path(model).exists():
        return Path(model)
    return model


def voices(
    engine: str | None = None,
    lang: str | None = None,
    *,
    voice_dirs: tuple[str | os.PathLike[str], ...] | list[str | os.PathLike[str]] = (),
    refresh: bool = False,
) -> list[Voice]:
    """The voice personas (``engine=None``), or one engine's own voices.

    Args:
        engine: None for the personas (bundled and ``voice_dirs``), or an engine name.
        lang: keep only this language ("zh" keeps zh-CN, zh-TW...).
        voice_dirs: extra folders of persona TOML files.
        refresh: edge: fetch the live list instead of the bundled snapshot (needs the internet).

    Raises:
        ConfigError: an unknown engine.
        VoiceError: a persona file is malformed.
        EngineUnavailable: the engine (or its live list) cannot be reached here.
    """
    from tts_export import engines
    from tts_export.casting import load_profiles

    if engine is not None:
        return [
            Voice(id=v.name, engine=v.engine, language=v.locale, gender=v.gender)
            for v in engines.list_voices(engine, lang=lang, refresh=refresh)
        ]
    dirs = RenderConfig(voice_dirs=voice_dirs).voice_dirs  # type: ignore[arg-type]  # checked there
    return [
        Voice(
            id=p.id,
            engine=None,
            language=p.language,
            gender=p.gender,
            description=p.description,
            realizations={r.engine: r.voice for r in p.realizations},
        )
        for p in load_profiles(dirs).values()
        if engines.locale_matches(p.language, primary_subtag(lang) if lang else None)
    ]


def cache(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    older_than: str | int | None = None,
    max_size: str | int | None = None,
) -> CacheUsage:
    """The clip cache's size; with ``older_than`` or ``max_size``, pruned first.

    Args:
        cache_dir: the cache folder (default: ``RenderConfig().cache_dir``).
        older_than: remove entries unused for this long: seconds, or text such as "30d",
            "12h", "2w".
        max_size: then remove the least recently used entries until the cache holds at most
            this much: bytes, or text such as "500M", "2G" (powers of 1024).

    Returns:
        What the cache holds (after pruning) and what was removed. Removed clips are
        simply synthesized again by the next render that needs them.

    Raises:
        ConfigError: a value is not a folder, an age or a size.
    """
    from tts_export.synth.housekeeping import parse_age, parse_size, prune, usage

    default = RenderConfig().cache_dir
    root = default if cache_dir is None else RenderConfig(cache_dir=cache_dir).cache_dir  # type: ignore[arg-type]  # checked there
    if root.exists() and not root.is_dir():
        raise ConfigError("cache_dir", str(root), "is not a folder", hint=_CACHE_HINT)
    age = _amount("older_than", older_than, parse_age)
    size = _amount("max_size", max_size, parse_size)
    if age is None and size is None:
        return usage(root)
    return prune(root, older_than_s=age, max_bytes=size)


def _amount(name: str, value: str | int | None, parse: Callable[[str], int]) -> int | None:
    """A non-negative whole number as it is, text through ``parse``, None as None.

    Raises:
        ConfigError: anything else.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        return parse(value)
    raise ConfigError(
        name,
        value,
        "must be a whole number of 0 or more, or text such as 30d/1G",
        hint="e.g. 30d, 12h, 500M or 2G",
    )
