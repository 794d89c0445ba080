"""``tts-export voices`` through the real CLI: an empty answer is said, Kokoro's voices explained."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli


@pytest.mark.parametrize(
    ("args", "what", "languages"),
    [
        (("--lang", "fr"), "no voice personas for language 'fr'", "en, zh"),
        (("--engine", "kokoro", "--lang", "fr"), "no kokoro voices for language 'fr'", "ja"),
        (("--engine", "edge", "--lang", "xx"), "no edge voices for language 'xx'", "en"),
    ],
)
def test_a_language_with_no_voices_is_said_on_stderr_with_status_1(
    args: tuple[str, ...], what: str, languages: str
) -> None:
    proc = run_cli("voices", *args)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error:"))
    assert what in error and languages in error.split("there are", 1)[1], proc.stderr
    assert "hint: " in proc.stderr


def test_no_voices_with_json_is_an_empty_list_and_status_1() -> None:
    proc = run_cli("voices", "--lang", "fr", "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout) == []
    assert "no voice personas for language 'fr'" in proc.stderr


def test_a_language_that_has_voices_still_lists_them_with_status_0() -> None:
    proc = run_cli("voices", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    ids = [line.split()[0] for line in proc.stdout.splitlines()]
    assert ids and all(i.startswith("en-") for i in ids)
    assert proc.stderr.startswith("note: Kokoro's only voices here are five Japanese ones")


def test_kokoro_voices_come_with_the_note_that_they_are_japanese() -> None:
    proc = run_cli("voices", "--engine", "kokoro")
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert len(rows) == 5 and {r[2] for r in rows} == {"ja-JP"}
    assert [r[1] for r in rows].count("male") == 1
    note = " ".join(proc.stderr.split())
    assert note.startswith("note: Kokoro's only voices here are five Japanese ones (one male)")
    assert "read Chinese and English" in note and "--engine edge" in note
    espeak = run_cli("voices", "--engine", "espeak", "--lang", "cmn")
    assert espeak.returncode == 0 and "Kokoro" not in espeak.stderr


def test_the_voices_function_survives_casting() -> None:
    """Loading the bundled profiles imports the subpackage tts_export.voices; that must not
    replace the public function of the same name."""
    import tts_export

    tts_export.inspect("Host: Hi.\nGuest: Hello.\n", name="t", engine="espeak")
    assert callable(tts_export.voices)
    assert tts_export.voices(lang="en")
