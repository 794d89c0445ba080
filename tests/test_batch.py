"""Batches on one machine: folders, globs, mirrored outputs, isolation of failures, one engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

import tts_export.batch
import tts_export.engines
from tts_export import Batch, ConfigError, FileResult, Progress, render

SHORT_EN = FIXTURES / "render" / "short_en.md"
SHORT_ZH = FIXTURES / "render" / "short_zh.md"


def _folder(root: Path) -> Path:
    """news/ep.md and sport/ep.md (same stem), nested/deeper/talk.txt, and a broken file."""
    src = root / "in"
    (src / "news").mkdir(parents=True)
    (src / "sport").mkdir()
    (src / "nested" / "deeper").mkdir(parents=True)
    shutil.copy(SHORT_EN, src / "news" / "ep.md")
    shutil.copy(SHORT_ZH, src / "sport" / "ep.md")
    (src / "nested" / "deeper" / "talk.txt").write_text(
        "Host: One more.\n\nGuest: And the last one.\n", encoding="utf-8"
    )
    (src / "broken.md").write_text("---\ntitle: [unclosed\n---\nHost: Hi.\n", encoding="utf-8")
    (src / "notes.pdf").write_bytes(b"%PDF-1.4 not a transcript")
    return src


def test_a_folder_renders_with_mirrored_outputs_and_a_broken_file_reported(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    out = tmp_path / "out"
    proc = run_cli(
        "render", str(src), "--recursive", "--engine", "espeak", "--out", str(out),
        "--cache-dir", str(tmp_path / "cache"), "--json",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # one file failed
    summary = json.loads(proc.stdout)
    status = {item["output"]: item["status"] for item in summary["items"]}
    assert status == {
        "broken": "failed",
        "nested/deeper/talk": "ok",
        "news/ep": "ok",
        "sport/ep": "ok",
    }
    broken = next(i for i in summary["items"] if i["output"] == "broken")
    assert "broken.md:3" in broken["error"] and "YAML" in broken["error"]
    for stem in ("news/ep", "sport/ep", "nested/deeper/talk"):
        assert (out / f"{stem}.mp3").stat().st_size > 5_000
        assert (out / f"{stem}.srt").read_text(encoding="utf-8").count("-->") >= 2
    news = json.loads((out / "news/ep.manifest.json").read_text(encoding="utf-8"))
    sport = json.loads((out / "sport/ep.manifest.json").read_text(encoding="utf-8"))
    assert news["title"] == "A Short Test Programme" and "主持人" in sport["speakers"]
    assert "file" in proc.stderr and "failed" in proc.stderr  # the summary table
    assert not (out / "broken.mp3").exists() and not (out / "notes.mp3").exists()


def test_without_recursive_only_the_top_folder_is_read(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    shutil.copy(SHORT_EN, src / "top.md")
    batch = render([src], engine="espeak", out_dir=tmp_path / "o", cache_dir=tmp_path / "c")
    assert [i.output for i in batch.items] == ["broken", "top"]


def test_batch_outputs_are_byte_identical_to_single_renders(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    batch = render([src], recursive=True, engine="espeak", out_dir=tmp_path / "b",
                   cache_dir=tmp_path / "cb")  # fmt: skip
    for item in batch.items:
        if item.status != "ok":
            continue
        alone = render(Path(item.source), engine="espeak", out_dir=tmp_path / "s" / item.output,
                       cache_dir=tmp_path / "cs" / item.output)  # fmt: skip
        assert item.render is not None
        for kind, path in item.render.files.items():
            assert path.read_bytes() == alone.files[kind].read_bytes(), (item.output, kind)


def test_a_quoted_glob_and_a_missing_file(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    pattern = str(src / "*" / "ep.md")
    batch = render([pattern, str(tmp_path / "missing.md")], engine="espeak",
                   out_dir=tmp_path / "o", cache_dir=tmp_path / "c")  # fmt: skip
    assert [(i.output, i.status) for i in batch.items] == [
        ("news/ep", "ok"),
        ("sport/ep", "ok"),
        ("missing", "failed"),
    ]
    assert "no such file" in batch.items[2].error
    assert not batch.ok and [i.output for i in batch.failed] == ["missing"]


def test_outputs_that_would_collide_are_refused_before_anything_runs(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    with pytest.raises(ConfigError, match="both would write ep"):
        render([src / "news" / "ep.md", src / "sport" / "ep.md"], engine="espeak",
               out_dir=tmp_path / "o", cache_dir=tmp_path / "c")  # fmt: skip
    assert not (tmp_path / "o").exists() and not (tmp_path / "c").exists()


class _Recorder:
    def __init__(self) -> None:
        self.updates: list[Progress] = []
        self.files: list[tuple[str, int, int]] = []
        self.events: list[str] = []  # "stage:NAME", "progress", "file", in the order heard

    def stage(self, name: str) -> None:
        self.events.append(f"stage:{name}")

    def progress(self, update: Progress) -> None:
        self.updates.append(update)
        self.events.append("progress")

    def file_done(self, result: FileResult, done: int, total: int) -> None:
        self.files.append((result.output, done, total))
        self.events.append("file")


def test_the_batch_starts_synthesizing_once_and_reports_every_file_s_sentences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's bar starts on stage("synthesizing"): it must come before any progress."""
    src = _folder(tmp_path)
    (src / "broken.md").unlink()
    monkeypatch.setattr(tts_export.batch, "WINDOW", 1)  # one synthesis pass per file
    listener = _Recorder()
    batch = render([src], recursive=True, engine="espeak", out_dir=tmp_path / "o",
                   cache_dir=tmp_path / "c", listener=listener)  # fmt: skip
    assert batch.ok and len(batch.items) == 3
    assert [e for e in listener.events if e.startswith("stage:")] == ["stage:synthesizing"]
    assert listener.events[0] == "stage:synthesizing"
    counts = [i.render.utterances for i in batch.items if i.render]
    total = sum(counts)
    # One update per sentence of every file, counted across the batch.
    assert [u.done for u in listener.updates] == list(range(1, total + 1))
    assert {u.total for u in listener.updates} == {total}
    assert [d for _, d, _ in listener.files] == [1, 2, 3]


def test_one_engine_serves_the_batch_and_progress_counts_the_whole_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _folder(tmp_path)
    (src / "broken.md").unlink()
    made: list[str] = []
    create = tts_export.engines.create

    def counting(name: str, **options: object) -> tts_export.engines.Engine:
        made.append(name)
        return create(name, **options)

    monkeypatch.setattr(tts_export.engines, "create", counting)
    listener = _Recorder()
    batch = render([src], recursive=True, engine="espeak", out_dir=tmp_path / "o",
                   cache_dir=tmp_path / "c", listener=listener)  # fmt: skip
    assert isinstance(batch, Batch) and batch.ok
    assert made == ["espeak"]  # one model load for three files
    total = sum(i.render.utterances for i in batch.items if i.render)
    assert {u.total for u in listener.updates} == {total}
    assert listener.updates[-1].done == total
    assert [d for _, d, _ in listener.files] == [1, 2, 3] and {t for _, _, t in listener.files} == {
        3
    }
