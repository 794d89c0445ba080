"""Progress of a real espeak render as a listener hears it: the parse warnings before any
synthesis, then the audio export step by step, counted in programme time; a listener
without the newer methods still works; the CLI prints each warning once, before the work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import render_cli

from tts_export import pipeline
from tts_export.audio.progress import Step
from tts_export.config import RenderConfig
from tts_export.models import Note
from tts_export.synth import Progress

# One warning from the parser: the code block is not read aloud.
TALK = """Host: Welcome to the show. Today we talk about captions.

```
print("not spoken")
```

Guest: Thanks for having me. Captions matter to many listeners.

Host: They do. Thank you for coming.

Guest: It was a pleasure.
"""


class Recorder:
    """Every event a listener can hear, in order."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def stage(self, name: str) -> None:
        self.events.append(("stage", name))

    def progress(self, update: Progress) -> None:
        self.events.append(("progress", update))

    def warning(self, source: str, note: Note) -> None:
        self.events.append(("warning", (source, note)))

    def export_progress(self, step: Step) -> None:
        self.events.append(("export", step))


class OldListener:
    """A listener written before warnings and export progress existed."""

    def __init__(self) -> None:
        self.stages: list[str] = []

    def stage(self, name: str) -> None:
        self.stages.append(name)

    def progress(self, update: Progress) -> None:
        pass


def _render(tmp_path: Path, listener: object) -> Any:
    options = {"engine": "espeak", "out_dir": tmp_path / "out", "cache_dir": tmp_path / "cache"}
    source = pipeline.Source("talk", text=TALK)
    return pipeline.render(source, RenderConfig(), options, listener)  # type: ignore[arg-type]


def test_warnings_come_before_synthesis_and_the_export_is_counted(tmp_path: Path) -> None:
    heard = Recorder()
    done = _render(tmp_path, heard)
    kinds = [kind for kind, _ in heard.events]
    warnings = [value for kind, value in heard.events if kind == "warning"]
    assert [(s, n.message) for s, n in warnings] == [
        ("<string>", "code block skipped (not read aloud)")
    ]
    assert warnings[0][1] in done.warnings  # still in the result, for library users
    assert kinds.index("warning") < kinds.index("progress")
    assert kinds.index("warning") < heard.events.index(("stage", "synthesizing"))
    steps = [value for kind, value in heard.events if kind == "export"]
    assert kinds.index("export") > heard.events.index(("stage", "encoding audio"))
    assert kinds.index("export") < heard.events.index(("stage", "writing captions"))
    names = list(dict.fromkeys(s.name for s in steps))
    assert names[0] == "levelling" and "encoding" in names and "checking loudness" in names
    for name in ("encoding", "checking loudness"):
        counted = [s for s in steps if s.name == name]
        done_ms = [s.done_ms for s in counted]
        assert done_ms[0] == 0 and done_ms == sorted(done_ms)  # it only moves forward
        total = counted[-1].total_ms
        assert done_ms[-1] == total and abs(total - done.duration_ms) <= 100
        assert len(counted) >= 3  # updated on the way, not only at the start and the end


def test_a_listener_without_the_new_methods_still_works(tmp_path: Path) -> None:
    old = OldListener()
    done = _render(tmp_path, old)
    assert old.stages == ["reading", "synthesizing", "encoding audio", "writing captions"]
    assert done.warnings and done.duration_ms > 0


def test_the_cli_prints_a_warning_once_and_before_the_work(tmp_path: Path) -> None:
    transcript = tmp_path / "talk.md"
    transcript.write_text(TALK, encoding="utf-8")
    run = render_cli(tmp_path, str(transcript))
    assert run.returncode == 0, run.stderr
    line = "warning line 3: code block skipped (not read aloud)"
    assert run.stderr.count(line) == 1, run.stderr
    assert run.stderr.index(line) < run.stderr.index("encoding audio")


def test_a_batch_sends_every_file_s_warnings_before_its_first_clip(tmp_path: Path) -> None:
    import tts_export

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(TALK, encoding="utf-8")
    (folder / "b.md").write_text(TALK.replace("```", "~~~"), encoding="utf-8")
    heard = Recorder()
    tts_export.render([folder / "a.md", folder / "b.md"], engine="espeak",
                      out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
                      listener=heard)  # fmt: skip
    kinds = [kind for kind, _ in heard.events]
    warned = [value[0] for kind, value in heard.events if kind == "warning"]
    assert sorted(Path(s).name for s in warned) == ["a.md", "b.md"]
    assert heard.events.index(("stage", "synthesizing")) < kinds.index("warning")
    assert max(i for i, k in enumerate(kinds) if k == "warning") < kinds.index("progress")
    run = render_cli(tmp_path, str(folder / "a.md"), str(folder / "b.md"))
    assert run.returncode == 0, run.stderr
    for name in ("a.md", "b.md"):
        line = f"{folder / name}:3: code block skipped (not read aloud)"
        assert run.stderr.count(line) == 1, run.stderr
