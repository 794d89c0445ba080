"""Sessions: renders that share loaded engines; the one-shot ``render`` is a wrapper over one.

A ``Session`` holds the engines its options choose, opened at the first render
that needs them and closed with the session, so a program that renders many
transcripts one by one (a CMS, a notebook, a server) loads a model once. Every
render takes the same options as ``tts_export.render``, validated the same way,
and gives the same results.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any, Unpack, overload

from tts_export import batch, pipeline
from tts_export.config import RenderConfig, RenderOptions, layer
from tts_export.errors import ConfigError
from tts_export.output.results import Batch, Render
from tts_export.synth.loop import EngineChoice, EngineSet

TranscriptInput = str | os.PathLike[str]
_UNSAFE_STEM = re.compile(r"[/\\\x00-\x1f]")
_STEM_HINT = 'give a plain file name without extension, e.g. name="episode-1"'
_SOURCE_HINT = 'pass the file\'s path (str or pathlib.Path), or its text with name="STEM"'
_CONFIG_HINT = "build one with tts_export.load_config() or RenderConfig(...), or leave it out"
_BATCH_HINT = "leave name out: each transcript's outputs are named after its file"


def _source(transcript: TranscriptInput, name: str | None) -> pipeline.Source:
    """Where the transcript comes from: a path-like is a file; a str is Markdown text when
    ``name`` is given or it spans several lines, and a path otherwise.

    Raises:
        ConfigError: ``name`` cannot be a file stem, or text was given without one.
    """
    if name is not None and (
        not isinstance(name, str)
        or not name.strip()
        or _UNSAFE_STEM.search(name)
        or name.startswith(".")
    ):
        raise ConfigError(
            "name",
            name,
            "must be a file stem: no slashes, no leading dot, not empty",
            hint=_STEM_HINT,
        )
    if isinstance(transcript, str) and (name is not None or "\n" in transcript):
        if name is None:
            raise ConfigError(
                "name",
                None,
                "is needed when the transcript is given as text",
                hint='pass name="my-episode": outputs are called after it',
            )
        return pipeline.Source(stem=name, text=transcript)
    if not isinstance(transcript, str | os.PathLike):
        raise ConfigError(
            "transcript", transcript, "must be a path or a string of Markdown", hint=_SOURCE_HINT
        )
    path = Path(transcript)
    if path.is_dir():
        raise ConfigError(
            "transcript",
            str(path),
            "is a folder",
            hint="pass a list, render([folder]), to render every transcript in it",
        )
    return pipeline.Source(stem=name or path.stem, path=path)


def _base(config: RenderConfig | None, options: Mapping[str, Any]) -> RenderConfig:
    """``config`` (or the defaults), with every option validated against it now.

    Raises:
        ConfigError: an unknown option, or a value of the wrong type or range.
    """
    base = RenderConfig() if config is None else config
    if not isinstance(base, RenderConfig):
        raise ConfigError("config", base, "must be a RenderConfig", hint=_CONFIG_HINT)
    layer(base, options)  # checks names, types and ranges before any work
    return base



class Session:
    """Renders that keep their engines loaded between them (``with Session(...) as s:``).

    The options given here are the base of every render; the options of one
    ``render`` call override them for that call (a mapping such as ``voices``
    is replaced, not merged). The session holds one set of engines: those its
    own options choose (engine, fallback, jobs, executor, ray_address, workers,
    worker_threads), opened at the first render that uses them. A render whose
    engine settings differ (given to the call, or by the transcript's front
    matter) opens its own engines and closes them when it ends; the session's
    stay loaded. Closing the session closes its engines; a closed session
    renders nothing. One thread at a time.
    """

    def __init__(
        self,
        *,
        config: RenderConfig | None = None,
        listener: pipeline.Listener | None = None,
        **options: Unpack[RenderOptions],
    ) -> None:
        """Check the settings now; open nothing yet.

        Raises:
            ConfigError: an unknown option, or a value of the wrong type or range.
        """
        self._options: dict[str, Any] = dict(options)
        self._config = _base(config, self._options)
        self._listener = listener
        self._choice: EngineChoice = pipeline.engine_choice(replace(self._config, **self._options))
        self._opened: EngineSet | None = None
        self._closed = False

    @property
    def loaded(self) -> bool:
        """Whether the session's engines are open now."""
        return self._opened is not None

    def _engines(self, config: RenderConfig) -> AbstractContextManager[EngineSet]:
        """The session's engines for a render that agrees on them; otherwise its own."""
        if pipeline.engine_choice(config) != self._choice:
            return pipeline.open_engines(config)
        if self._opened is None:
            self._opened = pipeline.open_engines(config)
        return nullcontext(self._opened)

    @overload
    def render(
        self,
        transcript: TranscriptInput,
        *,
        name: str | None = None,
        config: RenderConfig | None = None,
        listener: pipeline.Listener | None = None,
        **options: Unpack[RenderOptions],
    ) -> Render: ...

    @overload
    def render(
        self,
        transcript: list[TranscriptInput] | tuple[TranscriptInput, ...],
        *,
        recursive: bool = False,
        config: RenderConfig | None = None,
        listener: pipeline.Listener | None = None,
        **options: Unpack[RenderOptions],
    ) -> Batch: ...

    @overload
    def render(
        self,
        transcript: TranscriptInput | list[TranscriptInput] | tuple[TranscriptInput, ...],
        *,
        name: str | None = None,
        recursive: bool = False,
        config: RenderConfig | None = None,
        listener: pipeline.Listener | None = None,
        **options: Unpack[RenderOptions],
    ) -> Render | Batch: ...

    def render(
        self,
        transcript: TranscriptInput | list[TranscriptInput] | tuple[TranscriptInput, ...],
        *,
        name: str | None = None,
        recursive: bool = False,
        config: RenderConfig | None = None,
        listener: pipeline.Listener | None = None,
        **options: Unpack[RenderOptions],
    ) -> Render | Batch:
        """Render a transcript (or a batch) as ``tts_export.render`` does, on the session's
        engines. ``config`` and ``listener`` replace the session's for this call; ``options``
        override the session's.

        Raises:
            ConfigError: an option is invalid (before any work), or the session is closed.
            TtsExportError: as ``tts_export.render``.
        """
        if self._closed:
            hint = "open a new Session, or render inside its with-block"
            raise ConfigError("session", "closed", "renders nothing once closed", hint=hint)
        merged = {**self._options, **options}
        base = _base(self._config if config is None else config, merged)
        listen = self._listener if listener is None else listener
        if isinstance(transcript, list | tuple):
            if name is not None:
                raise ConfigError(
                    "name", name, "names one output: not for a batch", hint=_BATCH_HINT
                )
            entries = batch.discover(list(transcript), recursive=recursive)
            return batch.render_batch(entries, base, merged, listen, engines=self._engines)
        source = _source(transcript, name)
        return pipeline.render(source, base, merged, listen, engines=self._engines)

    def close(self) -> None:
        """Close the session's engines (once; closing again does nothing)."""
        self._closed = True
        opened, self._opened = self._opened, None
        if opened is not None:
            opened.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
