"""Reading transcripts: encodings, front matter, bad input, line numbers, big files."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tts_export.errors import TranscriptError
from tts_export.models import Transcript
from tts_export.transcript.parse import parse_text, read_transcript

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ca70ea49c8ed113c.txt"
SHORT = "---\ntitle: T\n---\n# One\n\nHost: Hello there.\n\nGuest: Hi.\n\nHost: Bye.\n"


def write(tmp_path: Path, data: bytes, name: str = "t.md") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def fails(path: Path, **options: object) -> TranscriptError:
    with pytest.raises(TranscriptError) as caught:
        read_transcript(path, **options)  # type: ignore[arg-type]
    assert caught.value.hint  # every refusal says what to do
    return caught.value


# --- the seed ----------------------------------------------------------------


def test_seed_structure() -> None:
    transcript = read_transcript(SEED)
    assert transcript.dialect == "colon"
    assert transcript.language == "zh"
    assert transcript.title == "Sora 2与OpenAI版“抖音”：重塑社交电商与AI生态的野心"
    assert transcript.speakers == ("主持人", "闲哥", "老修")
    assert [s.title for s in transcript.sections][:2] == [
        "Sora 2的惊艳亮相与行业震动",
        "新世界的大门：Sora版抖音的体验与创新",
    ]
    assert len(transcript.sections) == 9
    assert sum(len(s.turns) for s in transcript.sections) == 126
    assert transcript.notes == ()
    first = transcript.sections[0].turns[0]
    assert (first.speaker, first.line) == ("主持人", 32)
    assert first.text.startswith("抖音危险了。这一次Sora 2（OpenAI公司开发的")
    assert [g.term for g in first.glossary] == ["Sora 2", "物理引擎", "AI", "Amazon"]
    assert all(first.text[g.start : g.end] == g.note for g in first.glossary)
    assert all("**" not in t.text for s in transcript.sections for t in s.turns)
    # every bold term of the seed carries a note
    source = SEED.read_text(encoding="utf-8")
    notes = sum(len(t.glossary) for s in transcript.sections for t in s.turns)
    assert notes == source.count("**") // 2


def test_front_matter_values_are_json_friendly() -> None:
    text = "---\ndate: 2025-10-01\nwhen: 2025-10-01 12:30:00\ndraft: no\ntags: [a, b]\n---\nx\n"
    meta = parse_text(text).meta
    assert meta["date"] == "2025-10-01"
    assert meta["when"] == "2025-10-01T12:30:00"
    assert meta["draft"] is False  # YAML 1.1: kept as YAML gives it
    assert meta["tags"] == ["a", "b"]


def test_language_from_front_matter_wins() -> None:
    assert parse_text("---\nlanguage: zh-CN\n---\nHost: hello\n").language == "zh"
    assert parse_text("---\nlang: en\n---\n主持人：你好\n").language == "en"
    assert parse_text("Just some English text.").language == "en"
    assert parse_text("---\nlanguage: Chinese\n---\nHost: hello\n").language == "zh"
    assert parse_text("---\nlanguage: 英文\n---\n主持人：你好\n").language == "en"


def test_line_numbers_count_the_front_matter() -> None:
    transcript = parse_text(SHORT)
    assert [t.line for t in transcript.sections[0].turns] == [6, 8, 10]
    assert transcript.sections[0].line == 4


# --- encodings and newlines --------------------------------------------------


@pytest.mark.parametrize(
    "encoded",
    [
        SHORT.encode("utf-8"),
        b"\xef\xbb\xbf" + SHORT.encode("utf-8"),
        SHORT.encode("utf-16"),  # with BOM
        b"\xfe\xff" + SHORT.encode("utf-16-be"),
        SHORT.encode("utf-32"),
        SHORT.replace("\n", "\r\n").encode("utf-8"),
        SHORT.replace("\n", "\r").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "utf32", "crlf", "lone-cr"],
)
def test_encodings_and_newlines_read_the_same(tmp_path: Path, encoded: bytes) -> None:
    transcript = read_transcript(write(tmp_path, encoded))
    assert transcript.title == "T"
    assert transcript.speakers == ("Host", "Guest")
    assert [(t.text, t.line) for t in transcript.sections[0].turns] == [
        ("Hello there.", 6),
        ("Hi.", 8),
        ("Bye.", 10),
    ]


def test_invalid_utf8_reports_byte_offset_and_line(tmp_path: Path) -> None:
    data = b"---\ntitle: T\n---\nHost: fine\n\nGuest: bad " + b"\xff\xfe!" + b"\n"
    error = fails(write(tmp_path, data))
    offset = data.index(b"\xff")
    assert f"byte offset {offset}" in str(error)
    assert error.line == 6
    assert "UTF-8" in error.hint


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_binary_junk_is_refused(tmp_path: Path, data: bytes, words: str) -> None:
    assert words in str(fails(write(tmp_path, data)))


# --- bad input ---------------------------------------------------------------


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "no such file" in str(fails(tmp_path / "missing.md"))
    assert "directory" in str(fails(tmp_path))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: ok\nbad: [unclosed\nmore: x\n---\nHost: hi\n", 4, "sequence on line 3"),
        ("\n\n---\ntitle: ok\n  indented: wrong\n---\nbody\n", 5, "malformed YAML"),
        ("---\ntitle: a: b\n---\nbody\n", 2, "malformed YAML"),
        ("---\n- a\n- b\n---\nbody\n", 2, "mapping"),
        ("---\njust a string\n---\nbody\n", 2, "mapping"),
        ("---\ntitle: never closed\nHost: hi\n", 1, "never closed"),
        ("---\ndate: 2024-02-30\n---\nbody\n", 1, "malformed YAML"),
        ("---\ntitle: t\nloop: &x [1, *x]\n---\nbody\n", 3, "recursive alias *x"),
        ("---\ntitle: " + "[" * 99 + "]" * 99 + "\n---\nbody\n", 1, "64 levels deep"),
    ],
)
def test_bad_front_matter(tmp_path: Path, text: str, line: int, words: str) -> None:
    error = fails(write(tmp_path, text.encode()))
    assert error.line == line
    assert words in str(error)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("   \n\n\t\n", "empty"),
        ("---\ntitle: only\n---\n", "only front matter"),
        ("---\ntitle: only\n---\n\n\n", "only front matter"),
        ("# Heading\n\n## Another\n", "nothing to read"),
        ("```\ncode only\n```\n", "nothing to read"),
        ("<!-- just a comment -->\n", "nothing to read"),
    ],
)
def test_nothing_to_read(tmp_path: Path, text: str, words: str) -> None:
    assert words in str(fails(write(tmp_path, text.encode())))


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    text = "Host: a\n\n```\ncode\n```\n\nGuest: b\n\nHost: c\n\nGuest: d\n"
    path = write(tmp_path, text.encode())
    lenient = read_transcript(path)
    assert [(n.line, n.message) for n in lenient.notes] == [
        (3, "code block skipped (not read aloud)")
    ]
    error = fails(path, strict=True)
    assert error.line == 3
    assert "code block" in error.problem


def test_headings_without_text_are_warned_and_dropped() -> None:
    transcript = parse_text("# Empty\n\n# Full\n\nHost: hi\n\nGuest: yo\n")
    assert [s.title for s in transcript.sections] == ["Full"]
    assert transcript.notes[0].line == 1 and "Empty" in transcript.notes[0].message


def test_sound_only_paragraph_is_a_sound_turn_and_the_speaker_continues() -> None:
    transcript = parse_text("Host: one\n\n(laughs)\n\nstill the host\n\nGuest: two\n\nHost: x\n")
    turns = transcript.sections[0].turns
    assert [(t.speaker, t.kind, t.text, t.line) for t in turns] == [
        ("Host", "speech", "one", 1),
        ("Host", "sound", "(laughs)", 3),
        ("Host", "speech", "still the host", 5),
        ("Guest", "speech", "two", 7),
        ("Host", "speech", "x", 9),
    ]


def test_parse_text_is_pure_and_repeatable() -> None:
    assert parse_text(SHORT, path="a.md") == parse_text(SHORT, path="a.md")
    assert parse_text(SHORT, path="a.md").path == "a.md"


# --- size --------------------------------------------------------------------


def test_ten_megabyte_transcript_parses_whole(tmp_path: Path) -> None:
    body = SEED.read_text(encoding="utf-8").split("---", 2)[2]
    copies = 10 * 1024 * 1024 // len(body.encode()) + 1
    path = tmp_path / "big.md"
    with path.open("w", encoding="utf-8") as out:
        out.write("---\ntitle: big\n---\n")
        for _ in range(copies):
            out.write(body)
    size = path.stat().st_size
    assert size >= 10 * 1024 * 1024
    transcript = read_transcript(path)
    turns = sum(len(s.turns) for s in transcript.sections)
    assert turns == 126 * copies
    assert transcript.speakers == ("主持人", "闲哥", "老修")


def test_memory_grows_linearly_with_the_input() -> None:
    body = SEED.read_text(encoding="utf-8").split("---", 2)[2]

    def peak(copies: int) -> int:
        text = "---\ntitle: big\n---\n" + body * copies
        tracemalloc.start()
        try:
            parse_text(text)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(4), peak(16)
    # four times the text may take about four times the memory, not sixteen
    assert large < small * 6, (small, large)
    assert large < len(body.encode()) * 16 * 12


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-16")))
def test_any_bytes_give_a_transcript_or_a_transcript_error(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data, "fuzz.md")
    try:
        transcript = read_transcript(path)
    except TranscriptError as error:
        assert error.path == str(path) and error.hint
        return
    assert transcript.sections and all(s.turns for s in transcript.sections)


def test_chinese_discourse_openers_are_not_speakers() -> None:
    text = (
        "主持人：今天说三点。\n\n第一点：速度快。\n\n总之：很好。\n\n"
        "嘉宾：同意。\n\n主持人：好。\n\n嘉宾：嗯。\n"
    )
    transcript = parse_text(text)
    assert transcript.speakers == ("主持人", "嘉宾")
    assert transcript.sections[0].turns[0].text == "今天说三点。\n第一点：速度快。\n总之：很好。"


def test_text_that_starts_like_a_file_signature_is_still_text(tmp_path: Path) -> None:
    path = write(tmp_path, b"ID3 tags and RIFF chunks: an explainer.\n\nGIF8 is not a GIF.\n")
    transcript = read_transcript(path)
    assert transcript.sections[0].turns[0].text.startswith("ID3 tags and RIFF chunks")


# --- labels with punctuation and roles -----------------------------------------

LABELS = Path(__file__).resolve().parent / "fixtures" / "transcripts" / "labels_punct.md"


def turns(transcript: Transcript) -> list[tuple[str, str]]:
    return [(t.speaker, t.text) for s in transcript.sections for t in s.turns]


def test_names_with_ampersand_apostrophe_dot_hyphen_and_a_role_are_speakers() -> None:
    transcript = read_transcript(LABELS)
    assert transcript.dialect == "colon"
    names = ("Host", "R&D Lead", "Q&A Bot", "Anna", "O'Brien", "Dr. Smith", "Jean-Luc")
    assert transcript.speakers == names
    said = turns(transcript)
    assert ("R&D Lead", "We shipped the prototype.") in said
    assert ("Q&A Bot", "Ask me anything about it.") in said
    # the role is not part of the name: "Anna (guest)" and "Anna" are one speaker
    assert ("Anna", "I tried it last week.") in said
    assert ("Anna", "It needs a quick-start page, though.") in said
    assert said[0] == ("Host", "Welcome. Three teams report today.")


def test_label_like_lines_not_taken_as_labels_are_warnings_with_their_line() -> None:
    transcript = read_transcript(LABELS)
    said = turns(transcript)  # still read as text of the speaker above, but now with a warning each
    noted = "Noted.\nHost/Moderator: Moving on to questions.\nGuest: This bold label is not"
    assert ("R&D Lead", noted + " the file's style.") in said
    warned = {note.line: note.message for note in transcript.notes}
    assert "Host/Moderator" in warned[21] and "'/'" in warned[21]
    assert "Guest" in warned[23] and "bold" in warned[23]
    # a list item is never a label and never a warning
    assert 27 not in warned
    assert ("Host", "Thanks, everyone.\nOwner: the list item stays with the host.") in said


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "**Host:** Hi.\n\n**R&D Lead:** Shipped.\n\n**Anna (guest):** Tried it.\n\n"
            "**O'Brien:** Me too.\n\n**Host:** Bye.\n",
            ("Host", "R&D Lead", "Anna", "O'Brien"),
        ),
        (
            "[Host]: Hi.\n\n[R&D Lead]: Shipped.\n\n[Anna (guest)]: Tried it.\n\n"
            "[Jean-Luc] Me too.\n\n[Host]: Bye.\n",
            ("Host", "R&D Lead", "Anna", "Jean-Luc"),
        ),
        (
            "JAMES: Hi.\n\nR&D LEAD: Shipped.\n\nJAMES (CONT'D): Still here.\n\n"
            "O'BRIEN (V.O.): Me too.\n\nR&D LEAD: Bye.\n",
            ("JAMES", "R&D LEAD", "O'BRIEN"),
        ),
        (
            "主持人：欢迎。\n\n嘉宾（专家）：你好。\n\n主持人：谢谢。\n\n嘉宾：不客气。\n",
            ("主持人", "嘉宾"),
        ),
    ],
    ids=["bold", "bracket", "screenplay", "fullwidth-role"],
)
def test_punctuated_names_and_roles_in_every_dialect(text: str, expected: tuple[str, ...]) -> None:
    transcript = parse_text(text)
    assert transcript.speakers == expected
    assert len([t for s in transcript.sections for t in s.turns]) == text.count("\n\n") + 1
    texts = [t.text for s in transcript.sections for t in s.turns]
    assert not any(":" in text[:12] or "：" in text[:6] for text in texts)


def test_label_in_another_dialect_is_a_warning_in_a_bold_file() -> None:
    transcript = parse_text(
        "**Host:** Hi.\n\n**Guest:** Yo.\n\n[Producer]: Cut.\n\n**Host:** Bye.\n"
    )
    assert transcript.speakers == ("Host", "Guest")
    assert [(n.line, "Producer" in n.message) for n in transcript.notes] == [(5, True)]


# --- YAML alias bombs ------------------------------------------------------------

BOMB = (
    "---\ntitle: bomb\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{','.join(['*' + prev] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\nHost: hi\n"
)
# A child process with capped memory reads the bomb, so that a regression fails
# the test (MemoryError or the cap) instead of taking the machine down.
_READ_CAPPED = """import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from tts_export.transcript.parse import TranscriptError, read_transcript
try:
    read_transcript(sys.argv[1])
except TranscriptError as error:
    print(error.line, error.problem, error.hint, sep="\\n")
"""


def test_yaml_alias_bomb_is_refused_with_the_file_and_line(tmp_path: Path) -> None:
    assert len(BOMB.encode()) < 600  # nine levels of nine: 9**9 strings once expanded
    path = write(tmp_path, BOMB.encode(), "bomb.md")
    command = [sys.executable, "-c", _READ_CAPPED, str(path)]
    # the timeout guards against a hang; it is not a measurement
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    line, problem, hint = done.stdout.splitlines()
    assert int(line) == 7  # *d on line 7 (7,381 values) crosses the budget
    assert "alias" in problem and "10000" in problem.replace(",", "") and "alias" in hint


def test_aliases_within_the_budget_still_load(tmp_path: Path) -> None:
    text = "---\nbase: &b {voice: zh-f-bright}\nhost: *b\nguest: *b\n---\nHost: hi\n"
    meta = read_transcript(write(tmp_path, text.encode())).meta
    assert meta["host"] == meta["guest"] == {"voice": "zh-f-bright"}
