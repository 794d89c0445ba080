"""tts-export: transcripts in; narrated multi-voice audio, captions, chapters and transcripts out."""

__version__ = "0.1.0"
