"""Caption formats: a format name in; its text builder, file suffix and output kind out.

The one registry of what ``--captions-formats`` accepts (pysubs2's format
registry is the model): config validation reads ``names()``, and
``write_subtitles``, ``write_transcripts`` and ``write_captions`` write the
files the user asked for by looking each name up here. Subtitle formats are
built from the sorted cues alone; transcript formats also read the parsed
transcript and the timeline. A WebVTT chapters track (``CHAPTERS_VTT``) is
written with the subtitles whenever there is a chapter (the JSON chapters
follow the same rule); it is not a format the user picks. Files are written
atomically (a temporary name in the same folder, then a rename), so a crash
never leaves half a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tts_export.audio.chapters import writes_chapter_files
from tts_export.captions.subtitles import (
    DEFAULT_VTT_LABELS,
    ass_text,
    chapters_vtt_text,
    check_vtt_labels,
    srt_text,
    vtt_text,
)
from tts_export.captions.transcripts import (
    TurnBlock,
    html_text,
    plain_text,
    podcast_json_text,
    turn_blocks,
)
from tts_export.common.files import write_text_atomic
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Chapter, Cue, Timeline, Transcript


@dataclass(frozen=True)
class SubtitleSource:
    """What a subtitle builder reads.

    Attributes:
        cues: the captions, sorted by start, then end.
        chapters: the programme's chapters.
        language: BCP-47 tag: label style, fonts, the VTT ``Language`` note.
        stem: the output file stem (the ASS title).
        vtt_labels: how WebVTT names speakers ("voice", "text" or "both").
    """

    cues: tuple[Cue, ...]
    chapters: tuple[Chapter, ...]
    language: str
    stem: str
    vtt_labels: str = DEFAULT_VTT_LABELS


@dataclass(frozen=True)
class TranscriptSource:
    """What a transcript builder reads.

    Attributes:
        cues: the captions; the built-in transcripts read the timeline instead,
            so that they keep the display text's punctuation.
        transcript: the parsed transcript (front matter, glossary notes).
        timeline: the placed utterances and chapters.
        stem: the output file stem (the title when the transcript has none).
    """

    cues: tuple[Cue, ...]
    transcript: Transcript
    timeline: Timeline
    stem: str

    @cached_property
    def blocks(self) -> list[TurnBlock]:
        """The turns as placed, built once for the plain-text and HTML transcripts."""
        return turn_blocks(self.timeline, self.transcript)


@dataclass(frozen=True)
class SubtitleFormat:
    """A subtitle format: built from the sorted cues (and chapters) alone.

    Attributes:
        name: the format name as ``--captions-formats`` takes it.
        suffix: appended to the stem to name the file.
        kind: the key of the written path in the result (and the manifest).
        build: the file's text from its source.
    """

    name: str
    suffix: str
    kind: str
    build: Callable[[SubtitleSource], str]


@dataclass(frozen=True)
class TranscriptFormat:
    """A transcript format: built from the cues, the parsed transcript and the timeline.

    Attributes:
        name: the format name as ``--captions-formats`` takes it.
        suffix: appended to the stem to name the file.
        kind: the key of the written path in the result (and the manifest).
        build: the file's text from its source.
    """

    name: str
    suffix: str
    kind: str
    build: Callable[[TranscriptSource], str]


CaptionFormat = SubtitleFormat | TranscriptFormat

_FORMATS: tuple[CaptionFormat, ...] = (
    SubtitleFormat("srt", ".srt", "srt", lambda s: srt_text(s.cues, s.language)),
    SubtitleFormat(
        "vtt", ".vtt", "vtt", lambda s: vtt_text(s.cues, s.language, labels=s.vtt_labels)
    ),
    SubtitleFormat("ass", ".ass", "ass", lambda s: ass_text(s.cues, s.language, title=s.stem)),
    TranscriptFormat(
        "json", ".transcript.json", "transcript_json", lambda s: podcast_json_text(s.timeline)
    ),
    TranscriptFormat(
        "txt",
        ".transcript.txt",
        "txt",
        lambda s: plain_text(s.transcript, s.blocks, s.timeline, stem=s.stem),
    ),
    TranscriptFormat(
        "html",
        ".transcript.html",
        "html",
        lambda s: html_text(s.transcript, s.blocks, s.timeline, stem=s.stem),
    ),
)
_BY_NAME: dict[str, CaptionFormat] = {f.name: f for f in _FORMATS}

CHAPTERS_VTT = SubtitleFormat(
    "chapters", ".chapters.vtt", "chapters_vtt", lambda s: chapters_vtt_text(s.chapters, s.language)
)
"""The WebVTT chapters track, written with the subtitles whenever there is a chapter."""


def names() -> tuple[str, ...]:
    """The caption format names in registry order: srt, vtt, ass, json, txt, html."""
    return tuple(_BY_NAME)


def get(name: str) -> CaptionFormat:
    """The registry entry of one format.

    Args:
        name: a format name (exact, lower case).

    Returns:
        Its text builder, file suffix and output kind.

    Raises:
        ConfigError: the format is unknown.
    """
    found = _BY_NAME.get(name)
    if found is None:
        raise ConfigError(
            "captions-formats", name, "unknown format", hint="choose among " + ", ".join(names())
        )
    return found


def check_formats(formats: Sequence[str]) -> None:
    """Refuse a caption format the registry does not hold.

    Raises:
        ConfigError: a format is unknown.
    """
    for fmt in formats:
        get(fmt)


def write_subtitles(
    cues: Sequence[Cue],
    *,
    out_dir: Path,
    stem: str,
    formats: Sequence[str],
    chapters: Sequence[Chapter],
    language: str,
    vtt_labels: str = DEFAULT_VTT_LABELS,
) -> dict[str, Path]:
    """Write the subtitle formats asked for, plus a chapters track when there are chapters.

    Args:
        cues: the captions (any order; they are sorted by start, then end).
        out_dir: an existing folder.
        stem: file name stem (``<stem>.srt`` ...).
        formats: the user's list; subtitle formats ("srt", "vtt", "ass") are
            written here, in registry order; transcript formats are left to
            ``write_transcripts``.
        chapters: the programme's chapters; ``<stem>.chapters.vtt`` is written
            when there is any (as ``<stem>.chapters.json`` is: see
            ``audio.chapters.writes_chapter_files``).
        language: "zh" or "en" (BCP-47 primary subtag): label style, fonts and
            the VTT ``Language`` note.
        vtt_labels: how the WebVTT file names speakers: "voice" (``<v Name>``
            only), "text" (the visible label where the speaker changes, no
            ``<v>``) or "both" (the default).

    Returns:
        The paths written, keyed "srt", "vtt", "ass" and "chapters_vtt".

    Raises:
        ConfigError: a format is unknown, or ``vtt_labels`` is not a choice.
        OutputError: a cue has impossible times, or a file cannot be written.
    """
    check_formats(formats)
    check_vtt_labels(vtt_labels)
    source = SubtitleSource(
        tuple(sorted(cues, key=lambda c: (c.start_ms, c.end_ms))),
        tuple(chapters),
        language,
        stem,
        vtt_labels,
    )
    written: dict[str, Path] = {}
    for fmt in _FORMATS:
        if isinstance(fmt, SubtitleFormat) and fmt.name in formats:
            path = out_dir / f"{stem}{fmt.suffix}"
            if not written:
                _check_times(source.cues, path)
            written[fmt.kind] = write_text_atomic(path, fmt.build(source))
    if writes_chapter_files(chapters):
        path = out_dir / f"{stem}{CHAPTERS_VTT.suffix}"
        written[CHAPTERS_VTT.kind] = write_text_atomic(path, CHAPTERS_VTT.build(source))
    return written


def write_transcripts(
    cues: Sequence[Cue],
    transcript: Transcript,
    *,
    out_dir: Path,
    stem: str,
    formats: Sequence[str],
    timeline: Timeline,
) -> dict[str, Path]:
    """Write the transcript formats asked for ("json", "txt", "html"); others are skipped.

    Args:
        cues: the captions (the built-in transcript formats do not read them:
            they keep the display text, punctuation and speakers apart).
        transcript: the parsed transcript (front matter, glossary notes).
        out_dir: an existing folder.
        stem: file name stem.
        formats: the user's list from ``--captions-formats``.
        timeline: the placed utterances and chapters.

    Returns:
        The paths written, keyed "transcript_json", "txt" and "html".

    Raises:
        ConfigError: a format is unknown.
        OutputError: a file cannot be written.
    """
    check_formats(formats)
    source = TranscriptSource(tuple(cues), transcript, timeline, stem)
    written: dict[str, Path] = {}
    for fmt in _FORMATS:
        if isinstance(fmt, TranscriptFormat) and fmt.name in formats:
            path = out_dir / f"{stem}{fmt.suffix}"
            written[fmt.kind] = write_text_atomic(path, fmt.build(source))
    return written


def write_captions(
    cues: Sequence[Cue],
    transcript: Transcript,
    *,
    out_dir: Path,
    stem: str,
    formats: Sequence[str],
    timeline: Timeline,
    vtt_labels: str = DEFAULT_VTT_LABELS,
) -> dict[str, Path]:
    """Write every caption and transcript format asked for, and the chapters track.

    Args:
        cues: the captions (any order).
        transcript: the parsed transcript (language, front matter, glossary notes).
        out_dir: an existing folder.
        stem: file name stem.
        formats: the user's list from ``--captions-formats``.
        timeline: the placed utterances and chapters.
        vtt_labels: how the WebVTT file names speakers ("voice", "text", "both").

    Returns:
        The paths written by kind: subtitles first, then "chapters_vtt", then
        transcripts, as ``write_subtitles`` and ``write_transcripts`` give them.

    Raises:
        ConfigError: a format is unknown, or ``vtt_labels`` is not a choice.
        OutputError: a cue has impossible times, or a file cannot be written.
    """
    written = write_subtitles(
        cues,
        out_dir=out_dir,
        stem=stem,
        formats=formats,
        chapters=timeline.chapters,
        language=transcript.language,
        vtt_labels=vtt_labels,
    )
    written.update(
        write_transcripts(
            cues, transcript, out_dir=out_dir, stem=stem, formats=formats, timeline=timeline
        )
    )
    return written


def _check_times(cues: Sequence[Cue], path: Path) -> None:
    """Refuse cues that no player can show.

    Raises:
        OutputError: a cue starts before 0 or does not end after it starts.
    """
    for cue in cues:
        if cue.start_ms < 0 or cue.end_ms <= cue.start_ms:
            raise OutputError(
                str(path),
                f"cue {cue.utterance_id or '?'} ({cue.speaker}) has impossible times "
                f"{cue.start_ms}-{cue.end_ms} ms",
                hint="this is a bug in cue building; please report it with the transcript",
            )
