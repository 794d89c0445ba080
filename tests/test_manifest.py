"""The typed manifest: read back equal to what was written, found from every form a user names,
refused whole (one error naming the file and the field) when malformed, and one error class for a
missing render from every command and API function that reads one."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import FIXTURES, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import tts_export
from tts_export import Loudness, Manifest, ManifestError, OutputError, RenderNotFound
from tts_export.api import repair
from tts_export.cli import console
from tts_export.cli.app import app
from tts_export.errors import TtsExportError
from tts_export.output import staging
from tts_export.output.manifest import (
    ChapterRecord,
    FileRecord,
    GlossRecord,
    Measured,
    OutputRecord,
    SectionRecord,
    SpeakerRecord,
    Stats,
    TurnRecord,
    UtteranceRecord,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "short_zh.manifest.json"

text = st.text(max_size=8)
ms = st.integers(0, 10**8)
names = st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,10}", fullmatch=True)  # plain names beside it
figures = st.none() | st.integers(-70, 0) | st.floats(-70, 3, allow_nan=False)
kinds = st.sampled_from(["speech", "sound"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
utterances = st.builds(
    UtteranceRecord,
    id=st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True),
    kind=kinds, section=st.none() | text, speaker=text, line=ms,
    turn_index=st.none() | ms, section_index=st.none() | ms, display=text, spoken=text,
    start_ms=ms, end_ms=ms, voice=text, engine=text, engine_voice=text,
    cached=st.booleans(), attempts=ms, fallback=st.booleans(),
)  # fmt: skip
outputs = st.builds(
    OutputRecord,
    inputs=text,
    files=st.dictionaries(text, st.builds(FileRecord, names, text), max_size=3),
    measured=st.none() | st.builds(Measured, ms, figures, figures),
    cues=st.none() | ms,
)
manifests = st.builds(
    Manifest,
    audio=names, duration_ms=ms, engine=text, title=json_values,
    speakers=st.dictionaries(text, st.builds(SpeakerRecord, text, text, text), max_size=3),
    utterances=st.lists(utterances, max_size=4).map(tuple),
    chapters=st.lists(st.builds(ChapterRecord, text, ms, ms), max_size=3).map(tuple),
    stats=st.builds(Stats, ms, ms, ms, ms, st.none() | ms),
    loudness=st.builds(Loudness, figures, figures, figures),
    files=st.dictionaries(text, names, max_size=4),
    meta=st.dictionaries(text, json_values, max_size=3),
    language=st.none() | text,
    sections=st.none() | st.lists(st.builds(SectionRecord, ms, st.none() | text, ms)).map(tuple),
    turns=st.none() | st.lists(
        st.builds(TurnRecord, ms, ms, text, ms, kinds,
                  st.lists(st.builds(GlossRecord, text, text), max_size=2).map(tuple)),
        max_size=3,
    ).map(tuple),
    repairs=st.lists(st.dictionaries(text, json_values, max_size=3), max_size=2).map(tuple),
    outputs=st.none() | st.dictionaries(text, outputs, max_size=2),
    settings=st.none() | st.dictionaries(text, json_values, max_size=3),
)  # fmt: skip


@settings(deadline=None, max_examples=40)  # a shared machine: generating a manifest is slow
@given(manifests)
def test_a_manifest_reads_back_equal_from_its_json(manifest: Manifest) -> None:
    data = json.loads(json.dumps(manifest.to_json(), ensure_ascii=False))
    assert Manifest.from_json(data) == manifest
    assert Manifest.from_json(data).to_json() == data


def test_write_then_read_is_equal_and_gives_the_same_bytes(tmp_path: Path) -> None:
    manifest = Manifest.read(GOLDEN)
    written = manifest.write(tmp_path / "again.manifest.json")
    assert Manifest.read(written) == manifest
    assert written.read_bytes() == GOLDEN.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # atomic: no temporary


def test_a_real_render_reads_back_as_the_bytes_it_wrote(tmp_path: Path) -> None:
    result = tts_export.render(
        FIXTURES / "render" / "short_en.md", engine="espeak", out_dir=tmp_path / "out",
        cache_dir=tmp_path / "cache", page=True,
    )  # fmt: skip
    path = result.files["manifest"]
    manifest = Manifest.read(path)
    assert manifest.stats.utterances == result.utterances and manifest.outputs is not None
    assert manifest.write(tmp_path / "copy.json").read_bytes() == path.read_bytes()


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    """An output folder holding one render's manifest, ``ep.manifest.json``."""
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(GOLDEN, out / "ep.manifest.json")
    return out


def test_locate_accepts_the_stem_the_manifest_and_a_folder_with_one(rendered: Path) -> None:
    path = rendered / "ep.manifest.json"
    assert Manifest.locate(rendered / "ep") == path
    assert Manifest.locate(str(rendered / "ep")) == path
    assert Manifest.locate(path) == path
    assert Manifest.locate(rendered) == path
    assert Manifest.stem_of(path) == "ep" and Manifest.path_for(rendered, "ep") == path


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("out/nothing", "no render found: the manifest is missing (looked for nothing.manifest"),
        ("out/nothing.manifest.json", "(looked for nothing.manifest.json)"),
        ("empty", "no render found: the folder holds no *.manifest.json"),
        ("out", "holds 2 renders (ep, other), not one"),
    ],
)
def test_locate_says_what_is_not_there(rendered: Path, given: str, message: str) -> None:
    shutil.copy(GOLDEN, rendered / "other.manifest.json")
    (rendered.parent / "empty").mkdir()
    with pytest.raises(RenderNotFound) as caught:
        Manifest.locate(rendered.parent / given)
    assert message in str(caught.value) and caught.value.hint
    assert caught.value.path == str(rendered.parent / given)
    assert isinstance(caught.value, OutputError)


def _golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


def _spoil(how: str, path: Path) -> None:
    data = _golden()
    if how == "not JSON":
        path.write_text('{"audio": ', encoding="utf-8")
        return
    if how == "NaN":
        path.write_text(GOLDEN.read_text(encoding="utf-8").replace("-16.02", "NaN"), "utf-8")
        return
    if how == "a list":
        data = [data]  # type: ignore[assignment]
    elif how == "foreign":
        data = {"version": 1, "chapters": []}
    elif how == "bad time":
        data["utterances"][1]["start_ms"] = "0:02"
    elif how == "no engine":
        del data["engine"]
    elif how == "escaping file":
        data["files"]["srt"] = "../elsewhere.srt"
    elif how == "bad record":
        data["outputs"]["audio"]["files"]["audio"]["sha256"] = None
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("not JSON", "is not valid JSON"),
        ("NaN", "is not valid JSON (NaN is not JSON)"),
        ("a list", "is not a JSON object"),
        ("foreign", "is not a tts-export render manifest"),
        ("bad time", "'utterances[1].start_ms' is not a whole number, 0 or more: '0:02'"),
        ("no engine", "'engine' is missing"),
        ("escaping file", "'files.srt' is not a file name beside the manifest"),
        ("bad record", "'outputs.audio.files.audio.sha256' is not text: None"),
    ],
)
def test_a_malformed_manifest_is_one_error_naming_the_file_and_the_field(
    tmp_path: Path, how: str, problem: str
) -> None:
    path = tmp_path / "ep.manifest.json"
    _spoil(how, path)
    with pytest.raises(ManifestError) as caught:
        Manifest.read(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in caught.value.problem and caught.value.hint
    assert caught.value.path == str(path) and not isinstance(caught.value, RenderNotFound)


def test_an_older_manifest_without_the_later_fields_is_read(tmp_path: Path) -> None:
    data = _golden()
    for key in ("meta", "language", "sections", "turns", "repairs", "outputs"):
        del data[key]
    assert "settings" not in data  # the golden manifest is older than the recorded settings
    del data["stats"]["repaired"]
    for u in data["utterances"]:
        del u["turn_index"], u["section_index"]
    manifest = Manifest.from_json(data)
    assert manifest.turns is None and manifest.outputs is None and manifest.meta == {}
    assert manifest.settings is None
    assert manifest.utterances[0].turn_index is None
    assert Manifest.from_json(manifest.to_json()) == manifest
    rest = {k: v for k, v in manifest.to_json().items() if k not in ("utterances", "meta")}
    assert rest == {k: v for k, v in data.items() if k != "utterances"}


def test_staging_ignores_a_previous_manifest_it_cannot_use(tmp_path: Path) -> None:
    path = tmp_path / "ep.manifest.json"
    assert staging.previous_manifest(path) is None
    _spoil("bad time", path)
    assert staging.previous_manifest(path) is None
    shutil.copy(GOLDEN, path)
    previous = staging.previous_manifest(path)
    assert previous == Manifest.read(GOLDEN)
    # the golden files are not beside it, so nothing is reused, whatever the digest
    assert staging.reusable(previous, "audio", "a" * 64, tmp_path) is None


def test_a_kept_output_record_is_checked_against_the_files(tmp_path: Path) -> None:
    srt = tmp_path / "ep.srt"
    srt.write_text("1\n", encoding="utf-8")
    record = staging.record("inputs", {"srt": srt}, cues=1)
    previous = Manifest.read(GOLDEN)
    previous = Manifest.from_json({**previous.to_json(), "outputs": {"captions": record.to_json()}})
    assert staging.reusable(previous, "captions", "inputs", tmp_path) == record
    assert staging.reusable(previous, "captions", "other inputs", tmp_path) is None
    srt.write_text("2\n", encoding="utf-8")
    assert staging.reusable(previous, "captions", "inputs", tmp_path) is None


def _cli_error(monkeypatch: pytest.MonkeyPatch, *args: str) -> TtsExportError:
    """The error a command ends with, as the CLI's one error handler receives it."""
    seen: list[TtsExportError] = []

    def fail(exc: TtsExportError) -> None:
        seen.append(exc)
        raise typer.Exit(1)

    monkeypatch.setattr(console, "fail", fail)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 1 and len(seen) == 1, result.output
    return seen[0]


def test_a_missing_render_is_one_error_class_from_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nothing = str(tmp_path / "nothing")
    script = str(FIXTURES / "render" / "short_zh.md")
    errors = [
        _cli_error(monkeypatch, "page", nothing),
        _cli_error(monkeypatch, "qa", nothing),
        _cli_error(monkeypatch, "qa", nothing, "--repair", "--transcript", script),
    ]
    calls: list[Callable[[], object]] = [
        lambda: tts_export.publish(nothing),
        lambda: tts_export.qa(nothing),
        lambda: repair(nothing, transcript=Path(script)),
    ]
    for call in calls:
        with pytest.raises(RenderNotFound) as caught:
            call()
        errors.append(caught.value)
    assert {type(e) for e in errors} == {RenderNotFound}
    assert len({str(e) for e in errors}) == 1  # the same words, whichever command
    assert "no render found" in str(errors[0]) and "hint:" in str(errors[0])


def test_the_cli_prints_the_missing_render_the_same_for_page_and_qa(tmp_path: Path) -> None:
    page = run_cli("page", str(tmp_path / "nothing"))
    qa = run_cli("qa", str(tmp_path / "nothing"))
    assert page.returncode == qa.returncode == 1 and "Traceback" not in page.stderr + qa.stderr
    said = page.stderr[page.stderr.index("error:") :]
    assert said == qa.stderr[qa.stderr.index("error:") :]  # qa says "transcribing…" first
    assert "no render found: the manifest is missing" in said and "hint:" in said
