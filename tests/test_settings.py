"""Settings: every declared setting reaches a render from every source, by one precedence rule.

Nothing here names a setting by hand where the declarations can say it: the
parametrized tests walk ``SETTINGS`` and use each declaration's ``example``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_type_hints

import pytest
import typer.main

from tts_export import pipeline
from tts_export.cli.app import app
from tts_export.cli.options import settings_given
from tts_export.config import (
    FILE_KEYS,
    PROJECT_ONLY_KEYS,
    SETTINGS,
    RenderConfig,
    RenderOptions,
    Setting,
    layer,
    load_config,
    settle,
)
from tts_export.errors import ConfigError

HERE = Path(".")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


def _cli_args(decl: Setting) -> list[str]:
    """The example as a user types it on the command line."""
    example = decl.example
    if decl.kind == "flag":
        assert example == decl.set_to
        return [decl.flag]
    if decl.kind == "toggle":
        on, off = decl.flags[0].split("/")
        return [on if example else off]
    if decl.kind == "repeat":
        assert isinstance(example, list | Mapping)
        items = (
            [f"{k}={v}" for k, v in example.items()] if isinstance(example, Mapping) else example
        )
        return [arg for item in items for arg in (decl.flag, str(item))]
    return [decl.flag, ",".join(example) if isinstance(example, list) else str(example)]


def _from_cli(command: str, args: list[str]) -> dict[str, Any]:
    """API options from a command line, parsed by the real click command."""
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    with click_command.make_context(command, ["t.md", *args]) as ctx:
        params = ctx.params
    return settings_given({n: params[n] for n, d in SETTINGS.items() if command in d.commands})


def _front_matter(settings: Mapping[str, object]) -> Mapping[str, Any]:
    """The meta of a transcript whose front matter holds ``settings``, read by the real parser."""
    text = f"---\ntts-export: {json.dumps(settings)}\n---\nHost: Hello there.\n"
    return pipeline.read(pipeline.Source(stem="t", text=text), RenderConfig()).meta


def _settle(meta: Mapping[str, Any], options: Mapping[str, Any]) -> RenderConfig:
    return settle(load_config(), meta, options, source="t.md", folder=HERE)


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_setting_is_reachable_from_every_source_alike(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decl = SETTINGS[name]
    monkeypatch.chdir(tmp_path)
    by_api = _settle({}, {name: decl.example})
    assert getattr(by_api, name) != decl.default, "the example must differ from the default"
    by_cli = _settle({}, _from_cli("render", _cli_args(decl)))
    Path("tts-export.toml").write_text(f"{decl.key} = {_toml(decl.example)}\n", "utf-8")
    by_file = _settle({}, {})
    assert by_cli == by_api == by_file
    Path("tts-export.toml").unlink()
    if decl.where == "project":
        with pytest.raises(ConfigError, match="may not be set by a transcript") as caught:
            _settle(_front_matter({decl.key: decl.example}), {})
        assert decl.flag in caught.value.hint
    else:
        assert _settle(_front_matter({decl.key: decl.example}), {}) == by_api
    for command in ("render", "inspect"):
        if command in decl.commands:
            assert _from_cli(command, _cli_args(decl)) == _from_cli("render", _cli_args(decl))


def test_render_options_are_the_declared_settings() -> None:
    assert list(get_type_hints(RenderOptions)) == list(SETTINGS)
    assert {*FILE_KEYS.values(), *PROJECT_ONLY_KEYS.values()} == set(SETTINGS)
    assert PROJECT_ONLY_KEYS.keys() >= {"allow_outside_files", "lexicon"}


def test_help_shows_each_declared_default_and_flag() -> None:
    click_command = typer.main.get_command(app).commands["render"]  # type: ignore[attr-defined]
    helps = {p.name: (p.help, (*p.opts, *p.secondary_opts)) for p in click_command.params}
    for name, decl in SETTINGS.items():
        help_text, opts = helps[name]
        assert help_text == decl.help_text() and decl.flag in opts
        assert decl.shown_default() in help_text


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_later_source_replaces_voice_dirs_on_the_cli_and_the_api_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "tts-export.toml", 'voice_dirs = ["from-file"]\nlexicon = ["file.toml"]\n')
    source = pipeline.Source(stem="t", path=_write(
        tmp_path / "t.md", "---\ntts-export:\n  voice_dirs: [from-front-matter]\n---\nHost: Hi.\n"
    ))  # fmt: skip
    _write(tmp_path / "file.toml", "[terms]\n")
    _write(tmp_path / "cli.toml", "[terms]\n")

    def settled(options: Mapping[str, Any]) -> RenderConfig:
        return pipeline.prepare(source, load_config(), options)[2]

    assert settled({}).voice_dirs == (tmp_path / "from-front-matter",)
    assert settled({}).lexicon == (Path("file.toml"),)
    cli = settled(_from_cli("render", ["--voices-dir", "mine", "--lexicon", "cli.toml"]))
    api = settled({"voice_dirs": ["mine"], "lexicon": ["cli.toml"]})
    assert cli == api
    assert cli.voice_dirs == (Path("mine"),) and cli.lexicon == (Path("cli.toml"),)
    only_dirs = settled(_from_cli("render", ["--voices-dir", "mine"]))
    assert only_dirs.lexicon == (Path("file.toml"),)  # an option not given changes nothing


def test_voices_merge_per_speaker_and_pauses_per_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "tts-export.toml", '[pauses]\nsection = 2000\n[voices]\nA = "en-female-1"\n')
    meta = _front_matter({"voices": {"B": "en-male-1"}, "pauses": {"head": 100}})
    config = _settle(meta, _from_cli("render", ["--voice", "A=en-male-2", "--pause", "tail=5"]))
    assert config.voices == {"A": "en-male-2", "B": "en-male-1"}
    assert (config.pauses.section, config.pauses.head, config.pauses.tail) == (2000, 100, 5)
    assert config.pauses.sentence == RenderConfig().pauses.sentence
    assert _settle({}, {"pauses": RenderConfig().pauses}).pauses == RenderConfig().pauses


@pytest.mark.parametrize(
    ("file", "args", "loudness"),
    [("", ["--stereo"], -16.0), ("loudness = -20\n", ["--stereo"], -20.0),
     ("channels = 2\n", [], -16.0), ("channels = 2\n", ["--loudness", "off"], None),
     ("", ["--stereo", "--loudness", "-23"], -23.0)],
)  # fmt: skip
def test_stereo_without_a_loudness_of_its_own_targets_minus_16(
    file: str, args: list[str], loudness: float | None, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "tts-export.toml", file)
    config = _settle({}, _from_cli("render", args))
    assert (config.channels, config.loudness) == (2, loudness)


@pytest.mark.parametrize(
    ("args", "match"),
    [(["--voice", "Host"], "SPEAKER=PROFILE"), (["--pause", "section=long"], "NAME=MS"),
     (["--pause", "nap=5"], "unknown pause"), (["--loudness", "loud"], "'off'")],
)  # fmt: skip
def test_bad_cli_text_names_its_flag(args: list[str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        layer(RenderConfig(), _from_cli("render", args))
