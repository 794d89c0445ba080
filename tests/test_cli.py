"""The command line a user meets: streams, literal text, encodings, stdin, help and casting errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, render_cli, run_cli

from tts_export import __version__

SHORT_EN = FIXTURES / "render" / "short_en.md"


def test_written_files_go_to_stdout_and_progress_to_stderr(tmp_path: Path) -> None:
    proc = render_cli(tmp_path, str(SHORT_EN))
    assert proc.returncode == 0, proc.stderr
    listed = [Path(line) for line in proc.stdout.splitlines()]
    assert listed and all(p.is_file() for p in listed)
    assert {p.suffix for p in listed} >= {".mp3", ".srt", ".vtt", ".json"}
    assert "done:" in proc.stderr and "synthesizing" in proc.stderr
    assert "done:" not in proc.stdout


def test_user_text_is_printed_literally_never_as_markup(tmp_path: Path) -> None:
    """`[/x]` in a heading or path crashed the printer after the files were written and
    aborted the rest of a batch; `[red]` in a path was silently removed."""
    odd = tmp_path / "[red]talk[" / "x]"  # the path reads .../[red]talk[/x]/...
    odd.mkdir(parents=True)
    first = odd / "[bold]one.md"
    first.write_text(
        "### [/x] Opening [red]\n\nHost: Hello [/x] there.\n\n```\ncode [/red]\n```\n",
        encoding="utf-8",
    )
    second = odd / "two.md"
    second.write_text("Host: The second file.\n", encoding="utf-8")
    proc = render_cli(tmp_path, str(first), str(second))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "code block skipped" in proc.stderr
    assert str(tmp_path / "out" / "two.mp3") in proc.stdout  # the batch went on
    assert "[bold]one.mp3" in proc.stdout
    empty = odd / "[red]empty.md"
    empty.write_text("", encoding="utf-8")
    proc = render_cli(tmp_path, str(empty))
    assert proc.returncode == 1
    assert f"{empty}: the file is empty" in proc.stderr  # [red] and [/x] kept as written


def test_long_warnings_are_not_hard_wrapped_when_not_a_terminal(tmp_path: Path) -> None:
    source = tmp_path / "t.md"
    source.write_text("Host: Hello.\n\n```\n" + "x " * 200 + "\n```\n", encoding="utf-8")
    proc = run_cli("inspect", str(source))
    line = next(x for x in proc.stdout.splitlines() if "code block skipped" in x)
    assert line.strip().startswith("line ")
    proc = render_cli(tmp_path, str(source), "--name", "a-rather-long-output-name-" + "x" * 80)
    assert proc.returncode == 0, proc.stderr
    assert any(len(x) > 100 for x in proc.stdout.splitlines())  # paths printed whole


def test_inspect_with_a_cp1252_console_is_not_a_traceback(tmp_path: Path) -> None:
    seed = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    for extra in ([], ["--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "tts_export", "inspect", str(seed), *extra],
            capture_output=True, env=env, timeout=300, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr.decode("cp1252", "replace")
        assert b"Traceback" not in proc.stderr
    report = json.loads(proc.stdout.decode("cp1252"))  # ASCII escapes keep the JSON whole
    assert report["speakers"][0]["name"] == "主持人"


def test_version_and_stdin(tmp_path: Path) -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"tts-export {__version__}"
    proc = subprocess.run(
        [sys.executable, "-m", "tts_export", "render", "-", "--name", "from-stdin",
         "--engine", "espeak", "--out", str(tmp_path / "out"),
         "--cache-dir", str(tmp_path / "cache"), "-q"],
        input=SHORT_EN.read_text(encoding="utf-8"), capture_output=True, text=True,
        timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "from-stdin.mp3").is_file()
    assert (tmp_path / "out" / "from-stdin.srt").read_text(encoding="utf-8").count("-->") >= 4


def test_help_shows_no_internal_type_tags() -> None:
    for command in ("render", "inspect", "check", "voices"):
        text = run_cli(command, "--help").stdout
        assert not re.search(r"<(list|str|int|float|path|bool)\b", text, re.I), text
        assert not re.search(r"\b(FLOAT|INTEGER|TEXT|PATH)\b", text), text


def test_max_chars_is_a_whole_number(tmp_path: Path) -> None:
    proc = render_cli(tmp_path, str(SHORT_EN), "--max-chars", "12.5")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_casting_a_speaker_who_is_not_there_is_an_error(tmp_path: Path) -> None:
    proc = render_cli(tmp_path, str(SHORT_EN), "--voice", "Gust=en-female-1")
    assert proc.returncode == 1
    assert "speaker 'Gust'" in proc.stderr and "did you mean Guest" in proc.stderr
    assert not (tmp_path / "out").exists()
    proc = run_cli("inspect", str(SHORT_EN), "--voice", "Nobody=en-female-1")
    assert proc.returncode == 1 and "Host, Guest" in proc.stderr


def test_inspect_takes_a_voices_folder(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        '[[profile]]\nid = "en-mine"\ngender = "male"\nlanguage = "en"\n'
        'description = "Mine."\nespeak = { voice = "en-gb+m3" }\n',
        encoding="utf-8",
    )
    proc = run_cli(
        "inspect", str(SHORT_EN), "--json", "--engine", "espeak",
        "--voices-dir", str(folder), "--voice", "Host=en-mine",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    voices = {s["name"]: s["voice"] for s in json.loads(proc.stdout)["speakers"]}
    assert voices["Host"] == "en-mine"


def test_vtt_labels_choose_how_webvtt_names_speakers(tmp_path: Path) -> None:
    vtts = {}
    for choice in ("voice", "text", "both"):
        proc = render_cli(tmp_path, str(SHORT_EN), "--vtt-labels", choice, "--name", choice, "-q")
        assert proc.returncode == 0, proc.stderr
        vtts[choice] = (tmp_path / "out" / f"{choice}.vtt").read_text(encoding="utf-8")
    assert "<v Host>" in vtts["voice"] and "HOST:" not in vtts["voice"]
    assert "<v " not in vtts["text"] and "HOST:" in vtts["text"]
    assert "<v Host>" in vtts["both"] and "HOST:" in vtts["both"]
    proc = render_cli(tmp_path, str(SHORT_EN), "--vtt-labels", "colour")
    assert proc.returncode == 1 and "vtt_labels='colour'" in proc.stderr


def test_nan_and_infinity_in_front_matter_keep_the_manifest_json(tmp_path: Path) -> None:
    source = tmp_path / "t.md"
    source.write_text("---\ntitle: .nan\nneg: -.inf\n---\nA: hi there.\n\nB: hello.\n", "utf-8")
    proc = render_cli(tmp_path, str(source), "-q")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "out" / "t.manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert manifest["title"] == "nan"


def test_the_file_list_names_real_files_on_a_narrow_console(tmp_path: Path) -> None:
    source = tmp_path / "访谈.md"
    source.write_text("Host: Hello there.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "tts_export", "render", str(source), "--engine", "espeak",
         "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "-q"],
        capture_output=True, env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    listed = [Path(os.fsdecode(line)) for line in proc.stdout.splitlines()]
    assert listed and all(path.is_file() for path in listed)


def test_a_lexicon_changes_speech_not_captions_and_inspect_shows_it(tmp_path: Path) -> None:
    lexicon = tmp_path / "names.toml"
    lexicon.write_text('[terms]\n"Guest" = "guessed"\n', encoding="utf-8")
    source = tmp_path / "t.md"
    source.write_text("Host: Welcome, Guest.\n\nGuest: Thank you.\n", encoding="utf-8")
    proc = run_cli("inspect", str(source), "--json", "--lexicon", str(lexicon))
    assert proc.returncode == 0, proc.stderr
    fired = json.loads(proc.stdout)["lexicon"]["fired"]
    assert [(f["term"], f["spoken"]) for f in fired] == [("Guest", "guessed")]
    proc = render_cli(tmp_path, str(source), "--lexicon", str(lexicon), "-q")
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((tmp_path / "out" / "t.manifest.json").read_text(encoding="utf-8"))
    first = manifest["utterances"][0]
    assert first["display"] == "Welcome, Guest." and first["spoken"] == "Welcome, guessed."
    assert "Welcome, Guest." in (tmp_path / "out" / "t.srt").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("[terms]\nGuest = 3\n", encoding="utf-8")
    proc = run_cli("inspect", str(source), "--lexicon", str(bad))
    assert proc.returncode == 1 and "bad.toml" in proc.stderr and "Traceback" not in proc.stderr


def test_readme_documents_every_option_of_every_command() -> None:
    import typer.main

    from tts_export.cli.app import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = getattr(typer.main.get_command(app), "commands", None)
    assert isinstance(commands, dict) and "render" in commands
    missing = [
        f"{name} {flag}"
        for name, command in commands.items()
        for param in command.params
        for flag in (*param.opts, *param.secondary_opts)
        if flag.startswith("--") and not re.search(rf"{re.escape(flag)}(?![\w-])", readme)
    ]
    assert not missing, f"options not in README.md: {missing}"
