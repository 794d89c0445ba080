"""The version of tts-export (part of every output digest: a new version remakes outputs)."""

__version__ = "0.1.0"
