"""Intelligibility check: a render's manifest and audio in; error rates and worst utterances out.

Each spoken utterance is cut from the final audio by the manifest's times,
transcribed by a speech recogniser and scored against its spoken text:
per utterance, per speaker and overall (edits summed over tokens, so long
sentences weigh more than short ones).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tts_export.audio.ffmpeg import decode_pcm
from tts_export.common.lang import detect_language
from tts_export.common.units import ms_to_samples, samples_to_ms
from tts_export.errors import OutputError
from tts_export.output.manifest import Manifest, UtteranceRecord
from tts_export.qa.asr import SAMPLE_RATE, Recognizer
from tts_export.qa.score import edit_distance, error_rate, sounds, tokens

PAD_MS = 60  # a little air around each cut, well under the pauses between clips
_HINT = "pass OUTDIR/STEM of a finished render (STEM.manifest.json beside its audio)"


@dataclass(frozen=True)
class UtteranceScore:
    """How well one utterance was understood.

    Attributes:
        id: the utterance id.
        speaker: who says it.
        language: ``"zh"`` (scored per character) or ``"en"`` (per word).
        spoken: what the engine read.
        heard: what the recogniser heard.
        edits: token edits between them.
        length: tokens in ``spoken``.
        sound_edits: edits between their sounds (``score.sounds``): a Chinese
            character heard right but written as a homophone is not one.
    """

    id: str
    speaker: str
    language: str
    spoken: str
    heard: str
    edits: int
    length: int
    sound_edits: int

    @property
    def rate(self) -> float:
        return error_rate(self.edits, self.length)

    @property
    def sound_rate(self) -> float:
        return error_rate(self.sound_edits, self.length)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "speaker": self.speaker,
            "language": self.language,
            "spoken": self.spoken,
            "heard": self.heard,
            "edits": self.edits,
            "length": self.length,
            "rate": round(self.rate, 4),
            "sound_edits": self.sound_edits,
            "sound_rate": round(self.sound_rate, 4),
        }


@dataclass(frozen=True)
class QaReport:
    """The intelligibility of one render.

    Attributes:
        manifest: the manifest checked.
        utterances: every spoken utterance's score, in programme order.
        audio_ms: the length of the audio checked.
    """

    manifest: str
    utterances: tuple[UtteranceScore, ...]
    audio_ms: int

    @property
    def rate(self) -> float:
        """Overall error rate: all edits over all reference tokens."""
        return error_rate(
            sum(u.edits for u in self.utterances), sum(u.length for u in self.utterances)
        )

    @property
    def sound_rate(self) -> float:
        """Overall error rate by sound (homophones written otherwise are not errors)."""
        return error_rate(
            sum(u.sound_edits for u in self.utterances), sum(u.length for u in self.utterances)
        )

    def by_speaker(self, *, by_sound: bool = False) -> dict[str, float]:
        """Speaker → error rate (or rate by sound), in order of first appearance."""
        totals: dict[str, list[int]] = {}
        for u in self.utterances:
            edits, length = totals.setdefault(u.speaker, [0, 0])
            more = u.sound_edits if by_sound else u.edits
            totals[u.speaker] = [edits + more, length + u.length]
        return {speaker: error_rate(e, n) for speaker, (e, n) in totals.items()}

    def worst(self, n: int = 10) -> tuple[UtteranceScore, ...]:
        """The ``n`` utterances with the highest error rate (ties: longer first)."""
        ranked = sorted(self.utterances, key=lambda u: (-u.rate, -u.length))
        return tuple(u for u in ranked[:n] if u.edits)

    def passed(self, max_rate: float) -> bool:
        """True when the overall rate is at most ``max_rate``."""
        return self.rate <= max_rate

    def to_json(self, *, worst: int = 10) -> dict[str, Any]:
        return {
            "manifest": self.manifest,
            "audio_ms": self.audio_ms,
            "rate": round(self.rate, 4),
            "speakers": {k: round(v, 4) for k, v in self.by_speaker().items()},
            "sound_rate": round(self.sound_rate, 4),
            "speakers_by_sound": {
                k: round(v, 4) for k, v in self.by_speaker(by_sound=True).items()
            },
            "worst": [u.to_json() for u in self.worst(worst)],
            "utterances": [u.to_json() for u in self.utterances],
        }


def score_utterance(
    item: UtteranceRecord, samples: np.ndarray[Any, np.dtype[np.float32]], recognizer: Recognizer
) -> UtteranceScore:
    """Cut one utterance out of the programme's samples, transcribe and score it."""
    language = detect_language(item.spoken)
    start, end = span(item, len(samples))
    heard = recognizer.transcribe(samples[start:end], language) if end > start else ""
    reference, hypothesis = tokens(item.spoken), tokens(heard)
    edits = edit_distance(reference, hypothesis)
    by_sound = edit_distance(sounds(item.spoken), sounds(heard))
    return UtteranceScore(
        item.id, item.speaker, language, item.spoken, heard, edits, len(reference), by_sound
    )


def read_render(
    render: str | os.PathLike[str],
) -> tuple[Path, Manifest, np.ndarray[Any, np.dtype[np.float32]]]:
    """A render's manifest path, manifest and audio (16 kHz mono float32 samples).

    Args:
        render: ``OUTDIR/STEM``, its manifest, or a folder holding one render (``Manifest.locate``).

    Raises:
        RenderNotFound: no render there.
        ManifestError: the manifest is unreadable or malformed.
        OutputError: its audio cannot be read.
    """
    path = Manifest.locate(render)
    manifest = Manifest.read(path)
    audio = path.parent / manifest.audio
    if not audio.is_file():
        raise OutputError(str(audio), "the render's audio is missing", hint=_HINT)
    return path, manifest, to_samples(decode_pcm(audio, sample_rate=SAMPLE_RATE))


def to_samples(pcm: bytes) -> np.ndarray[Any, np.dtype[np.float32]]:
    """16-bit little-endian PCM as float32 samples in [-1, 1)."""
    return (np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0).astype(np.float32)


def span(item: UtteranceRecord, total: int) -> tuple[int, int]:
    """An utterance's sample range in the programme, with a little air on each side."""
    start = ms_to_samples(max(0, item.start_ms - PAD_MS), SAMPLE_RATE)
    end = min(total, ms_to_samples(item.end_ms + PAD_MS, SAMPLE_RATE))
    return start, end


def run_qa(
    render: str | os.PathLike[str],
    recognizer: Recognizer,
    *,
    on_utterance: Callable[[UtteranceScore, int, int], None] | None = None,
) -> QaReport:
    """Check how well a render can be understood.

    Args:
        render: ``OUTDIR/STEM`` of a render, its manifest, or a folder holding one render.
        recognizer: the speech recogniser (``load_recognizer``).
        on_utterance: called after each utterance is scored, with how many are done
            and how many there are (progress).

    Returns:
        The report.

    Raises:
        RenderNotFound: no render there.
        ManifestError: the manifest is unreadable or malformed.
        OutputError: its audio cannot be read.
    """
    path, manifest, samples = read_render(render)
    spoken = [u for u in manifest.utterances if u.kind == "speech" and u.spoken]
    scores = []
    for item in spoken:
        score = score_utterance(item, samples, recognizer)
        scores.append(score)
        if on_utterance is not None:
            on_utterance(score, len(scores), len(spoken))
    return QaReport(str(path), tuple(scores), samples_to_ms(len(samples), SAMPLE_RATE))
