"""Options shared by the commands: the settings' options built from their declarations.

``with_settings("render")`` adds one option per setting a command takes
(``tts_export.config.SETTINGS``: flags, metavar, help and default from the
declaration); ``settings_given`` turns what the user typed into API options.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tts_export import api
from tts_export.config import PROJECT_FILE, SETTINGS, RenderConfig, Setting, load_config

F = TypeVar("F", bound=Callable[..., Any])


def load(config_file: Path | None) -> RenderConfig:
    return load_config(config_file)


def transcript_arg(value: str, name: str | None) -> tuple[api.TranscriptInput, str | None]:
    """``-`` reads the transcript from stdin (named ``--name``, default "stdin")."""
    if value == "-":
        return sys.stdin.read(), name or "stdin"
    return Path(value), name


def _parameter(name: str, decl: Setting) -> inspect.Parameter:
    """The typer option of one setting: ``None`` (or false) when not given."""
    annotation: Any
    if decl.kind == "flag":
        annotation, default = bool, False
    elif decl.kind == "toggle":
        annotation, default = bool | None, None
    elif decl.kind == "repeat":
        annotation, default = list[decl.cli] | None, None  # type: ignore[name-defined]
    else:
        annotation, default = decl.cli | None, None
    option = typer.Option(*decl.flags, metavar=decl.metavar, help=decl.help_text())
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default,
        annotation=Annotated[annotation, option],
    )  # fmt: skip


def with_settings(command: str) -> Callable[[F], F]:
    """Give a command taking ``settings`` (the typed values) an option per setting it takes.

    The command's own parameters stay as they are; ``settings`` gets the value of every
    setting option, typed as click converted it (``settings_given`` makes API options).
    """

    def decorate(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "settings"]
        names = [n for n, decl in SETTINGS.items() if command in decl.commands]

        @functools.wraps(func)
        def wrapper(**values: Any) -> Any:
            settings = {name: values.pop(name) for name in names}
            return func(**values, settings=settings)

        params = [*own, *(_parameter(n, SETTINGS[n]) for n in names)]
        wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate


def settings_given(values: Mapping[str, Any]) -> dict[str, Any]:
    """API options from the settings options the user gave, converted as declared.

    Raises:
        ConfigError: a value the declaration's ``parse`` refuses (named by its flag).
    """
    options: dict[str, Any] = {}
    for name, value in values.items():
        decl = SETTINGS[name]
        if value is None or value in ([], ()) or (decl.kind == "flag" and value is False):
            continue  # not given (click gives an unused repeatable option as ())
        if decl.kind == "flag":
            value = decl.set_to
        options[name] = decl.parse(decl.flag, value) if decl.parse else value
    return options


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help=f"Settings file (default: ./{PROJECT_FILE} if present).",
    ),
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name",
        metavar="STEM",
        help="Output file stem (default: the transcript's; 'stdin' for -).",
    ),
]
VoicesDirOpt = Annotated[
    list[Path] | None,
    typer.Option("--voices-dir", metavar="DIR", help=SETTINGS["voice_dirs"].help_text()),
]
