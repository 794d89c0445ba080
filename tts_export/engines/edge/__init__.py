"""Microsoft Edge online neural voices through edge-tts."""
