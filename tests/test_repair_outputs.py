"""A render made again from its manifest (``qa --repair``'s last step) replaces every output the
original wrote; a file the previous render wrote and this one does not is removed.

Real espeak renders and the real ffmpeg; the repair's re-voicing step (whisper, Kokoro) is
stood for by a repairs file written by hand, which the render made again applies, as after
a real repair (tests/test_qa_repair.py runs that one, slowly).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES, load_subs, render_api

from tts_export import _repair, pipeline
from tts_export.config import RenderConfig
from tts_export.output.manifest import Manifest
from tts_export.qa.repairs import Repair, repairs_path, write_repairs

FORMATS = ("srt", "vtt", "ass", "json")


def _render(tmp_path: Path, **options: object) -> tuple[Path, Path, Path]:
    transcript = tmp_path / "talk.md"
    shutil.copy(FIXTURES / "render" / "short_en.md", transcript)
    out, cache = tmp_path / "out", tmp_path / "cache"
    render_api(transcript, out, cache, engine="espeak", **options)
    return transcript, out, cache


def _last_cue_ms(path: Path) -> int:
    return max(int(event.end) for event in load_subs(path))


def test_a_render_made_again_from_its_manifest_rewrites_every_output(tmp_path: Path) -> None:
    transcript, out, cache = _render(tmp_path, captions_formats=FORMATS, page=True,
                                     loudness=-23.0)  # fmt: skip
    first = Manifest.read(out / "talk.manifest.json")
    before = {kind: (out / name).read_bytes() for kind, name in first.files.items()}
    assert {"srt", "vtt", "ass", "transcript_json", "page"} <= set(first.files)
    # As qa --repair renders again: the manifest's settings, nothing else given.
    options = {**_repair.settings_of(out / "talk"), "cache_dir": cache}
    source = pipeline.Source("talk", path=transcript)
    # A repair on file: one sentence much slower, so the programme gets longer.
    u = [x for x in first.utterances if x.kind == "speech"][1]
    persona = pipeline.prepare_file(source, RenderConfig(), options).casting.profiles[u.speaker]
    voice = persona.realization("espeak").voice  # type: ignore[union-attr]
    write_repairs(repairs_path(out, "talk"), [Repair(
        u.id, u.speaker, u.spoken, "espeak", voice, 0.5, "speed 1 -> 0.50", 0.9, 0.0,
    )])  # fmt: skip
    again = pipeline.render(source, RenderConfig(), options)

    after = Manifest.read(out / "talk.manifest.json")
    assert set(after.files) == set(first.files)  # every output of the original, the page too
    assert after.duration_ms > first.duration_ms + 500
    assert after.loudness.target_lufs == -23.0
    for kind, name in after.files.items():
        assert (out / name).read_bytes() != before[kind], f"{kind} was left from the first render"
    for kind in ("srt", "vtt", "ass"):  # each ends with the new audio, not the old one
        assert _last_cue_ms(out / after.files[kind]) > first.duration_ms
        assert _last_cue_ms(out / after.files[kind]) <= after.duration_ms
    assert again.synthesized == 1  # only the repaired sentence; the rest from the cache
    recorded = json.loads((out / "talk.manifest.json").read_text(encoding="utf-8"))["settings"]
    assert recorded["captions_formats"] == list(FORMATS) and recorded["page"] is True


def test_a_format_no_longer_asked_for_is_removed_unless_changed_since(tmp_path: Path) -> None:
    transcript, out, cache = _render(tmp_path, captions_formats=("srt", "vtt", "ass", "txt"))
    (out / "talk.txt").write_text("my own notes\n", encoding="utf-8")  # no longer ours
    render_api(transcript, out, cache, engine="espeak", captions_formats=("srt",))
    names = {p.name for p in out.iterdir()}
    assert "talk.srt" in names and "talk.vtt" not in names and "talk.ass" not in names
    assert (out / "talk.txt").read_text(encoding="utf-8") == "my own notes\n"
    files = Manifest.read(out / "talk.manifest.json").files
    assert "srt" in files and not {"vtt", "ass", "txt"} & set(files)
