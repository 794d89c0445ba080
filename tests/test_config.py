"""Config: precedence and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tts_export.config import RenderConfig, load_project_file, merge
from tts_export.errors import ConfigError
from tts_export.models import Pauses


def test_file_settings_merge_and_validate(tmp_path: Path) -> None:
    path = tmp_path / "tts-export.toml"
    path.write_text(
        'engine = "espeak"\nloudness = "off"\n[pauses]\nsection = 2000\n', encoding="utf-8"
    )
    config = merge(RenderConfig(), load_project_file(path), source=str(path))
    assert config.engine == "espeak"
    assert config.loudness is None
    assert config.pauses.section == 2000
    assert config.pauses.sentence == Pauses().sentence


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"glossary": "maybe"}, "glossary"),
        ({"colour": 1}, "unknown setting"),
        ({"pauses": {"section": -5}}, "pauses.section"),
        ({"pauses": {"nap": 5}}, "nap"),
        ({"format": "aiff"}, "format"),
        ({"jobs": 500}, "jobs"),
    ],
)
def test_bad_settings_are_named(settings: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        merge(RenderConfig(), settings, source="front matter")


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "tts-export.toml"
    path.write_text("engine = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="TOML"):
        load_project_file(path)
