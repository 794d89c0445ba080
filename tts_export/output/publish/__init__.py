"""Publish: a render's manifest in; an accessible listening page (``<stem>.html``) beside it out.

The page plays the audio with a caption area, chapters, a speaker timeline
and an interactive transcript (WCAG 2.2 AA), from the files of one render,
by relative URL: the folder can be copied to any static host or opened from
``file://``. ``write_page`` makes it from a finished render's folder;
``page_html`` from a manifest in memory (the export stage).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from tts_export.common.files import write_text_atomic
from tts_export.output.manifest import Manifest
from tts_export.output.publish.data import PageData, PageError, page_data
from tts_export.output.publish.page import build_page

PAGE_SUFFIX = ".html"

__all__ = ["PAGE_SUFFIX", "PageData", "PageError", "page_html", "write_page"]


def page_html(manifest: Manifest, *, stem: str) -> str:
    """The listening page for a render, from its manifest (no file is read).

    Args:
        manifest: the render's manifest (``build_manifest``, ``Manifest.read``); its
            ``files`` name the audio, captions and transcripts beside the page.
        stem: the render's file stem.

    Returns:
        The page's HTML text.

    Raises:
        PageError: the manifest lacks what a page needs.
    """
    return build_page(page_data(manifest, stem=stem))


def write_page(target: str | os.PathLike[str]) -> Path:
    """Write the listening page of a finished render, from its manifest; no synthesis.

    Only the files that are still beside the manifest are linked; the audio
    must be there.

    Args:
        target: ``OUTDIR/STEM`` (as in ``out/episode``), the render's
            ``<stem>.manifest.json``, or an output folder holding one render.

    Returns:
        The page's path: ``<stem>.html`` beside the manifest (its links are relative).

    Raises:
        RenderNotFound: no render there.
        ManifestError: its manifest is unreadable or malformed.
        PageError: the manifest has no utterances, or the audio is not beside it.
        OutputError: the page cannot be written.
    """
    manifest_path = Manifest.locate(target)
    folder = manifest_path.parent
    stem = Manifest.stem_of(manifest_path)
    manifest = Manifest.read(manifest_path)
    data = page_data(manifest, stem=stem, where=str(manifest_path))
    if not (folder / data.files["audio"]).is_file():
        raise PageError(
            str(manifest_path),
            f"its audio {data.files['audio']} is not beside it",
            hint="copy the render's files together, or render again",
        )
    present = {kind: name for kind, name in data.files.items() if (folder / name).is_file()}
    page = build_page(replace(data, files=present))
    return write_text_atomic(folder / f"{stem}{PAGE_SUFFIX}", page)
