"""The public API: the README's example runs, options are checked before any work, results are typed."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

import tts_export
from tts_export import (
    CheckReport,
    ConfigError,
    Render,
    RenderConfig,
    Report,
    Voice,
    inspect,
    render,
    voices,
)

SHORT_EN = FIXTURES / "render" / "short_en.md"


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it from Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README has no Python example under 'Use it from Python'"
    return match.group(1)


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(_readme_example(), "README.md", "exec"), scope)
    result = scope["result"]
    assert isinstance(result, Render)
    assert result.files["audio"] == Path("out/two-voices.mp3")
    assert (tmp_path / "out" / "two-voices.mp3").stat().st_size > 10_000
    assert set(result.voices) == {"Host", "Guest"} and len(set(result.voices.values())) == 2
    assert result.utterances == 3 and result.cached + result.synthesized == 3
    captions = scope["captions"]
    assert isinstance(captions, CheckReport) and captions.ok and captions.cues >= 3
    assert isinstance(scope["report"], Report)


def test_public_names_carry_full_type_information(tmp_path: Path) -> None:
    """mypy, as a user runs it, accepts correct calls and rejects a misspelt or mistyped option."""
    from mypy import api as mypy_api

    assert (Path(tts_export.__file__).parent / "py.typed").is_file()
    good = tmp_path / "good.py"
    good.write_text(
        textwrap.dedent(
            """
            from tts_export import render, inspect, check, voices, RenderConfig, Render
            result: Render = render("a.md", engine="espeak", jobs=2, out_dir="out")
            seconds: int = result.duration_ms // 1000
            report = inspect("a.md", config=RenderConfig(engine="espeak"))
            names: list[str] = [s.name for s in report.speakers]
            ok: bool = check("a.srt").ok
            ids: list[str] = [v.id for v in voices("espeak", "en")]
            """
        )
    )
    bad = tmp_path / "bad.py"
    bad.write_text(
        textwrap.dedent(
            """
            from tts_export import render
            render("a.md", engin="espeak")
            render("a.md", jobs="4")
            render("a.md").no_such_field
            """
        )
    )
    out, _, status = mypy_api.run(["--strict", "--no-incremental", str(good)])
    assert status == 0, out
    out, _, status = mypy_api.run(["--strict", "--no-incremental", str(bad)])
    assert status == 1
    assert 'Unexpected keyword argument "engin"' in out
    assert re.search(r"bad\.py:4: error: .*(jobs|overload)", out), out  # jobs="4" refused
    assert '"Render" has no attribute "no_such_field"' in out


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"jobs": "4"}, "jobs"),
        ({"jobs": 1.5}, "jobs"),
        ({"loudness": "loud"}, "loudness"),
        ({"max_chars": "abc"}, "max_chars"),
        ({"bitrate": 96}, "bitrate"),
        ({"dialect": 5}, "dialect"),
        ({"sample_rate": "x"}, "sample_rate"),
        ({"engine": "festival"}, "engine"),
        ({"captions_formats": "srt"}, "captions_formats"),
        ({"cache_dir": 3}, "cache_dir"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_option_is_refused_before_any_work(
    tmp_path: Path, options: dict[str, object], named: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(ConfigError) as info:
        render(SHORT_EN, **{"out_dir": out, "cache_dir": tmp_path / "cache", **options})  # type: ignore[call-overload]
    assert info.value.setting == named
    assert not out.exists() and not (tmp_path / "cache").exists()


def test_text_needs_a_name_and_a_name_must_be_a_stem() -> None:
    text = SHORT_EN.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="name"):
        inspect(text)
    for bad in ("../escape", "a/b", ".hidden", ""):
        with pytest.raises(ConfigError, match="file stem"):
            inspect(text, name=bad)
    report = inspect(text, name="short", engine="espeak")
    assert report.title == "A Short Test Programme"
    assert [s.name for s in report.speakers] == ["Host", "Guest"]
    assert report.to_json()["speakers"][0]["name"] == "Host"


def test_options_win_over_front_matter_and_config(tmp_path: Path) -> None:
    text = "---\ntts-export:\n  engine: edge\n  glossary: keep\n---\nHost: Hello there.\n"
    report = inspect(text, name="t", config=RenderConfig(engine="kokoro"))
    assert set(report.estimated_ms) >= {"espeak"}  # every available engine is estimated
    with pytest.raises(ConfigError) as info:
        inspect("---\ntts-export:\n  jobs: '4'\n---\nHost: Hi.\n", name="t")
    assert "front matter" in info.value.setting and "jobs" in info.value.setting


def test_voices_are_typed_personas_or_engine_voices() -> None:
    personas = voices(lang="zh")
    assert personas and all(isinstance(v, Voice) and v.engine is None for v in personas)
    assert all(v.language == "zh" and "kokoro" in v.realizations for v in personas)
    espeak = voices("espeak", "en")
    assert {"en-us", "en-gb"} <= {v.id for v in espeak}
    assert all(v.engine == "espeak" for v in espeak)


def test_render_result_to_json_is_plain_json(tmp_path: Path) -> None:
    result = render(SHORT_EN, engine="espeak", out_dir=tmp_path / "o", cache_dir=tmp_path / "c")
    data = result.to_json()
    assert data["files"]["audio"] == os.fspath(tmp_path / "o" / "short_en.mp3")
    assert data["loudness"]["target_lufs"] == -19.0
    assert isinstance(data["warnings"], list) and data["stem"] == "short_en"
    again = render(SHORT_EN, engine="espeak", out_dir=tmp_path / "o", cache_dir=tmp_path / "c")
    assert again.cached == again.utterances == result.utterances


def test_readme_lexicon_example_loads_and_applies(tmp_path: Path) -> None:
    from tts_export.lexicon import apply_lexicon, load_lexicon

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Say names right", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "names.toml"
    path.write_text(block, encoding="utf-8")
    lexicon = load_lexicon(path)
    spoken = apply_lexicon(lexicon, "Sora和gpt-5都来了", language="zh", engine="kokoro")
    assert spoken == "索拉和G P T 5都来了"
    assert apply_lexicon(lexicon, "gpt-5", language="zh", engine="espeak") == "gpt-5"
