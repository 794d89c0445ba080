"""Synthesize stage: a Script and its Casting in, one cached clip per spoken utterance out."""

from tts_export.synth.scheduler import (
    Progress,
    ProgressCallback,
    render_script,
    synthesize_script,
)

__all__ = ["Progress", "ProgressCallback", "render_script", "synthesize_script"]
