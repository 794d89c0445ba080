"""End to end: the real CLI, the real engines and the real ffmpeg; then measure the files."""

from __future__ import annotations

import itertools
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FIXTURES,
    ROOT,
    load_subs,
    read_manifest,
    render_args,
    render_short_zh,
    run_cli,
)

from tts_export.audio.ebur128 import ebur128
from tts_export.audio.ffmpeg import decoded_duration_ms
from tts_export.audio.tags import read_info

SHORT_ZH = FIXTURES / "render" / "short_zh.md"
STEM = "short_zh"


@pytest.fixture(scope="module")
def espeak_render(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    base = tmp_path_factory.mktemp("espeak")
    out, cache = base / "out", base / "cache"
    proc = render_short_zh(out, cache)
    assert proc.returncode == 0, proc.stderr
    return out, cache, proc


def _assert_files_agree(out: Path, stem: str, audio_ext: str = "mp3") -> dict[str, Any]:
    manifest = read_manifest(out, stem)
    audio = out / f"{stem}.{audio_ext}"
    measured = decoded_duration_ms(audio)
    assert abs(measured - manifest["duration_ms"]) <= 0.01 * manifest["duration_ms"]
    for ext in ("srt", "vtt"):
        subs = load_subs(out / f"{stem}.{ext}")
        assert len(subs) > 0
        starts = [e.start for e in subs]
        assert starts == sorted(starts)
        for a, b in itertools.pairwise(subs):
            assert a.end <= b.start, f"{ext}: cues overlap at {a.end} ms"
        assert all(e.end > e.start for e in subs)
        assert subs[-1].end <= measured
    return manifest


def test_espeak_render_writes_four_files_that_agree(espeak_render: tuple[Path, Path, Any]) -> None:
    out, _, _ = espeak_render
    for ext in ("mp3", "srt", "vtt", "manifest.json"):
        assert (out / f"{STEM}.{ext}").is_file()
    manifest = _assert_files_agree(out, STEM)
    speakers = manifest["speakers"]
    assert set(speakers) == {"主持人", "闲哥", "老修"}
    assert len({s["voice"] for s in speakers.values()}) == 3
    spoken = [u for u in manifest["utterances"] if u["kind"] == "speech"]
    assert {u["engine"] for u in spoken} == {"espeak"}
    text = "".join(u["display"] for u in spoken)
    for phrase in (
        "欢迎收听本期节目",
        "算力成本到底有多高",
        "那么未来一年会怎样",
        "也应该用同一个声音读出来",
    ):
        assert phrase in text
    # The glossary note after **Sora 2** is editorial: neither spoken nor captioned.
    assert "OpenAI公司开发" not in text and "OpenAI公司开发" not in (out / f"{STEM}.srt").read_text(
        "utf-8"
    )
    continuation = next(u for u in spoken if "补充段落" in u["display"])
    assert continuation["speaker"] == "闲哥"
    assert [c["title"] for c in manifest["chapters"]] == ["开场", "展望"]
    # Utterances do not overlap and follow the script's order.
    times = [(u["start_ms"], u["end_ms"]) for u in manifest["utterances"]]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(times))


def test_captions_name_the_speaker(espeak_render: tuple[Path, Path, Any]) -> None:
    out, _, _ = espeak_render
    srt = load_subs(out / f"{STEM}.srt")
    assert srt[0].plaintext.startswith("主持人：")
    labelled = [e.plaintext.split("：")[0] for e in srt if "：" in e.plaintext[:5]]
    assert {"主持人", "闲哥", "老修"} <= set(labelled)
    vtt = (out / f"{STEM}.vtt").read_text("utf-8")
    blocks = [b for b in vtt.split("\n\n") if "-->" in b]
    assert blocks and all(re.search(r"-->.*\n<v [^>]+>", b) for b in blocks)


def test_rerun_takes_every_clip_from_the_cache(
    espeak_render: tuple[Path, Path, Any], tmp_path: Path
) -> None:
    out, cache, _ = espeak_render
    proc = render_short_zh(tmp_path, cache)
    assert proc.returncode == 0, proc.stderr
    manifest = read_manifest(tmp_path, STEM)
    assert manifest["stats"]["cached"] == manifest["stats"]["utterances"] > 0
    assert (tmp_path / f"{STEM}.srt").read_bytes() == (out / f"{STEM}.srt").read_bytes()


def test_voice_override_and_glossary_keep(tmp_path: Path) -> None:
    proc = render_short_zh(
        tmp_path,
        tmp_path / "c",
        "--voice",
        "老修=zh-m-deep",
        "--glossary",
        "keep",
    )
    assert proc.returncode == 0, proc.stderr
    manifest = read_manifest(tmp_path, STEM)
    assert manifest["speakers"]["老修"]["voice"] == "zh-m-deep"
    assert any("OpenAI公司开发" in u["spoken"] for u in manifest["utterances"])


def _render_args(out: Path) -> list[str]:
    return render_args(str(SHORT_ZH), "--quiet", out=out, cache=out / "c", engine=None)


@pytest.fixture(scope="module")
def kokoro_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default engine, no --engine: offline neural voices."""
    out = tmp_path_factory.mktemp("kokoro")
    proc = run_cli(*_render_args(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.slow
def test_kokoro_default_engine_renders_and_agrees(kokoro_render: Path) -> None:
    manifest = _assert_files_agree(kokoro_render, STEM)
    assert manifest["engine"] == "kokoro"
    assert {u["engine"] for u in manifest["utterances"] if u["kind"] == "speech"} == {"kokoro"}
    assert len({s["voice"] for s in manifest["speakers"].values()}) == 3
    # Clips were trimmed: the first speech starts right after the head room tone.
    first = next(u for u in manifest["utterances"] if u["kind"] == "speech")
    assert first["start_ms"] <= 600


@pytest.mark.slow
def test_killed_render_resumes_from_the_cache_and_matches_an_uninterrupted_one(
    kokoro_render: Path, tmp_path: Path
) -> None:
    """SIGKILL mid-synthesis, rerun: the finished clips are reused, the files match."""
    cache = tmp_path / "c"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tts_export", *_render_args(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while proc.poll() is None and not list(cache.glob("*/*.json")):
        if time.monotonic() > deadline:  # a hang guard, not a speed check
            pytest.fail("no clip was cached within 10 minutes")
        time.sleep(0.05)
    # A group of sentences is stored clip by clip right after its one engine call; kill
    # between calls, not half-way through storing a group (which is then made again whole).
    stored = -1
    while proc.poll() is None and stored != (now := len(list(cache.glob("*/*.json")))):
        stored = now
        time.sleep(0.3)
    proc.kill()
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the render finished before it could be killed"
    assert not (tmp_path / f"{STEM}.mp3").exists()

    rerun = run_cli(*_render_args(tmp_path))
    assert rerun.returncode == 0, rerun.stderr
    counts = read_manifest(tmp_path, STEM)["stats"]
    assert 0 < counts["cached"] < counts["utterances"]
    for suffix in ("mp3", "srt", "vtt"):
        name = f"{STEM}.{suffix}"
        assert (tmp_path / name).read_bytes() == (kokoro_render / name).read_bytes(), name


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("empty.md", "---\ntitle: x\n---\n\n", r"empty\.md"),
        ("bad.md", "---\ntitle: [unclosed\nauthor: a\n---\n主持人: 你好。\n", r"bad\.md:[23]\b"),
        ("list.md", "---\n- a\n- b\n---\n主持人: 你好。\n", r"list\.md"),
    ],
    ids=["no-turns", "malformed-yaml", "front-matter-not-mapping"],
)
def test_bad_input_is_a_clear_error_not_a_traceback(
    tmp_path: Path, name: str, content: str, expect: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = run_cli(
        "render", str(path), "--engine", "espeak", "--out", str(tmp_path / "o"), "--quiet"
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert re.search(expect, proc.stderr), proc.stderr
    assert not (tmp_path / "o" / f"{path.stem}.mp3").exists()


def test_unreadable_file_and_bad_option_are_clear(tmp_path: Path) -> None:
    proc = run_cli("render", str(tmp_path / "missing.md"), "--engine", "espeak", "--quiet")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "missing.md" in proc.stderr
    proc = run_cli("render", str(SHORT_ZH), "--engine", "nope", "--quiet", "--out", str(tmp_path))
    assert (
        proc.returncode == 1
        and "nope" in proc.stderr
        and "kokoro, espeak, edge" in proc.stderr
        and "Traceback" not in proc.stderr
    )
    proc = run_cli("render", str(SHORT_ZH), "--voice", "老修", "--quiet", "--out", str(tmp_path))
    assert proc.returncode == 1 and "SPEAKER=PROFILE" in proc.stderr


def test_help_lists_commands_and_options() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("render", "inspect", "check", "voices"):
        assert command in proc.stdout
    proc = run_cli("render", "--help")
    for option in ("--engine", "--out", "--voice", "--glossary", "--quiet", "--jobs", "--fallback"):
        assert option in proc.stdout


def test_check_passes_on_our_own_captions(espeak_render: tuple[Path, Path, Any]) -> None:
    out, _, _ = espeak_render
    for ext in ("srt", "vtt"):
        proc = run_cli(
            "check", str(out / f"{STEM}.{ext}"), "--audio", str(out / f"{STEM}.mp3"), "--json"
        )
        report = json.loads(proc.stdout)
        assert report["errors"] == [], report["errors"][:3]
        assert report["cues"] == len(load_subs(out / f"{STEM}.{ext}"))
        assert proc.returncode == 0


def test_inspect_json_describes_the_seed_without_synthesizing(tmp_path: Path) -> None:
    proc = run_cli(
        "inspect", str(ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"), "--json", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["language"] == "zh"
    assert [s["name"] for s in report["speakers"]] == ["主持人", "闲哥", "老修"]
    assert len({s["voice"] for s in report["speakers"]}) == 3
    assert len(report["sections"]) == 9
    assert report["estimated_ms"]["kokoro"] > 30 * 60 * 1000
    assert not (tmp_path / "out").exists()


def test_voices_lists_personas_and_engine_voices_offline() -> None:
    proc = run_cli("voices", "--lang", "zh", "--json")
    assert proc.returncode == 0, proc.stderr
    ids = {row["id"] for row in json.loads(proc.stdout)}
    assert {"zh-f-bright", "zh-m-warm"} <= ids and not any(i.startswith("en-") for i in ids)
    proc = run_cli("voices", "--engine", "edge", "--lang", "zh-CN", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert "zh-CN-XiaoxiaoNeural" in {row["id"] for row in rows}
    assert {row["engine"] for row in rows} == {"edge"}


def test_voices_of_espeak_are_listed() -> None:
    """Used to fail always: the listing looked up a function the espeak engine did not have."""
    proc = run_cli("voices", "--engine", "espeak", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert "en-us" in names and "en-gb" in names and "cmn" not in names


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "opus"])
def test_published_audio_meets_loudness_and_carries_chapters_and_tags(
    espeak_render: tuple[Path, Path, Any], tmp_path: Path, fmt: str
) -> None:
    """A real render (clips from the cache), measured by ffmpeg's own BS.1770 meter."""
    _, cache, _ = espeak_render
    proc = render_short_zh(tmp_path, cache, "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    audio = tmp_path / f"{STEM}.{fmt}"
    measured = ebur128(audio)
    assert abs(measured.integrated_lufs - -19.0) <= 1.0
    assert measured.true_peak_dbtp <= -1.0
    info = read_info(audio)
    assert [c.title for c in info.chapters] == ["开场", "展望"]
    manifest = read_manifest(tmp_path, STEM)
    starts = [c["start_ms"] for c in manifest["chapters"]]
    assert [c.start_ms for c in info.chapters] == pytest.approx(starts, abs=30)
    assert info.tags.get("title") == "短节目：AI视频的下一步"
    assert any("测试编辑部" in v for k, v in info.tags.items() if k in ("artist", "author"))
    chapters = json.loads((tmp_path / f"{STEM}.chapters.json").read_text("utf-8"))
    assert [c["title"] for c in chapters["chapters"]] == ["开场", "展望"]
