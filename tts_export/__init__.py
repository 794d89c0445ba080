"""tts-export: transcripts in; multi-voice audio, captions, chapters and transcripts out."""

__version__ = "0.1.0"
