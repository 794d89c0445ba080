"""Parse stage: transcript text (front matter + a speaker-label dialect) in, ``Transcript`` out."""

from tts_export.transcript.parse import parse_text, read_transcript

__all__ = ["parse_text", "read_transcript"]
