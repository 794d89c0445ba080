"""``tts-export page OUTDIR/STEM``: the listening page of a finished render, from its manifest."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tts_export.cli.app import app
from tts_export.cli.console import guarded, to_json, write
from tts_export.output.publish import write_page


@app.command("page")
def page_cmd(
    render: Annotated[
        Path,
        typer.Argument(
            metavar="OUTDIR/STEM",
            help="A finished render: its output folder and stem (out/episode), its "
            "<stem>.manifest.json, or a folder holding one render.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
) -> None:
    """Write <stem>.html beside a render's audio: player, captions, chapters and transcript.

    Nothing is synthesized: the page is made from the render's manifest and links
    its files by relative URL, so the folder can be copied to any static host.
    """

    def run() -> None:
        path = write_page(render)
        write(sys.stdout, to_json({"page": str(path)}) + "\n" if as_json else f"{path}\n")

    guarded(run)
