"""``python -m tts_export``: the same as the ``tts-export`` command."""

from tts_export.cli import main

if __name__ == "__main__":
    main()
