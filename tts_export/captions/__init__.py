"""Captions and transcripts: a Timeline in; cues, subtitle files, transcripts and checks out."""
