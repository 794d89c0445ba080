"""The typer application and its global options (``--version``)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tts_export.cli.console import write

app = typer.Typer(
    help="Turn a written conversation into narrated multi-voice audio with timed captions, "
    "chapters and a transcript.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from tts_export import __version__

        write(sys.stdout, f"tts-export {__version__}\n")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn a written conversation into narrated multi-voice audio with timed captions."""
