"""The command line: a thin layer over the public API (``tts_export.api``).

Progress, warnings and errors go to stderr; results (the files written, a
report, ``--json``) go to stdout. User text is always printed literally.
"""

from __future__ import annotations

import sys

import typer.core

from tts_export.cli import cache, commands, page, qa, render  # noqa: F401  (they register their commands)
from tts_export.cli.app import app


def main() -> None:
    """Console-script entry point."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")  # a cp1252 console shows '?' instead of a traceback
    # typer writes each argument's Python type ("<list[str]>") after its metavar in help;
    # the metavars already say what to give.
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    app()
