"""Intelligibility QA: a finished render in, per-utterance/speaker/overall error rates out.

``run_qa(OUTDIR/STEM, load_recognizer(model))`` transcribes every spoken
utterance with faster-whisper (the optional ``qa`` extra) and scores it
against the text the engine read.
"""

from __future__ import annotations

from tts_export.qa.asr import Recognizer, WhisperRecognizer, load_recognizer
from tts_export.qa.check import QaReport, UtteranceScore, run_qa, score_utterance
from tts_export.qa.score import edit_distance, error_rate, sounds, tokens

__all__ = [
    "QaReport",
    "Recognizer",
    "UtteranceScore",
    "WhisperRecognizer",
    "edit_distance",
    "error_rate",
    "load_recognizer",
    "run_qa",
    "score_utterance",
    "sounds",
    "tokens",
]
