"""`check`: real subtitle files written with pysubs2, good and deliberately bad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pysubs2
import pytest
from test_cues import EN_SENTENCES, SENTENCES, make_timeline

from tts_export.captions.check import check_subtitles
from tts_export.captions.cues import build_cues
from tts_export.captions.formats import write_subtitles
from tts_export.captions.profiles import get_profile
from tts_export.captions.speakers import is_dialogue, shown_line, speaker_lines
from tts_export.errors import ConfigError, SubtitleError
from tts_export.models import Cue


def write(
    path: Path, events: list[tuple[int, int, str]], *, names: list[str] | None = None
) -> Path:
    """Save cues (start, end, text with \\N breaks) through pysubs2 in the path's format."""
    subs = pysubs2.SSAFile()
    for n, (start, end, text) in enumerate(events):
        event = pysubs2.SSAEvent(start=start, end=end, text=text)
        if names:
            event.name = names[n]
            event.style = names[n]
        subs.events.append(event)
    if names:
        for name in set(names):
            subs.styles[name] = pysubs2.SSAStyle()
    subs.save(str(path))
    return path


def cues_to_events(cues: tuple[Cue, ...], lang: str) -> list[tuple[int, int, str]]:
    """Cues as shown: labels where speakers change, a hyphen per speaker in two-speaker cues."""
    return [
        (cue.start_ms, cue.end_ms, r"\N".join(shown_line(x, lang) for x in speaker_lines(cue)))
        for cue in cues
    ]


def rules(report: dict[str, Any], kind: str) -> set[str]:
    return {item["rule"] for item in report[kind]}


@pytest.mark.parametrize("suffix", [".srt", ".vtt", ".ass"])
def test_built_chinese_captions_pass(tmp_path: Path, suffix: str) -> None:
    profile = get_profile("netflix", language="zh", max_chars=None, max_lines=None)
    timeline = make_timeline(SENTENCES[:120], words=True)
    cues = build_cues(timeline, language="zh", profile=profile)
    path = write(tmp_path / f"seed{suffix}", cues_to_events(cues, "zh"))
    report = check_subtitles(path, audio_ms=timeline.duration_ms, profile="netflix", language=None)
    assert report["errors"] == []
    assert report["cues"] == len(cues)
    stats = report["stats"]
    assert stats["language"] == "zh"
    assert stats["max_line_width"] <= 16
    assert stats["min_gap_ms"] >= (80 if suffix == ".ass" else 83)  # ASS keeps centiseconds
    assert "gap" not in rules(report, "warnings")
    assert stats["last_end_ms"] <= timeline.duration_ms
    assert stats["max_duration_ms"] <= 7000


def test_built_english_captions_pass(tmp_path: Path) -> None:
    profile = get_profile("podcast", language="en", max_chars=None, max_lines=None)
    items = [("HOST" if i % 2 else "GUEST", s) for i, s in enumerate(EN_SENTENCES)]
    timeline = make_timeline(items, ms_per_char=70, words=True)
    cues = build_cues(timeline, language="en", profile=profile)
    path = write(tmp_path / "en.srt", cues_to_events(cues, "en"))
    report = check_subtitles(path, audio_ms=timeline.duration_ms, profile="podcast", language="en")
    assert report["errors"] == []
    assert 0 < report["stats"]["max_line_width"] <= 32


def test_hard_rules_are_errors_with_cue_numbers(tmp_path: Path) -> None:
    events = [
        (1000, 3000, "主持人：抖音危险了"),
        (2500, 4000, "这一次Sora 2的物理引擎非常强大"),  # overlaps cue 1
        (1500, 2000, "对吧？"),  # out of order
        (6000, 8000, "第一行\\N第二行\\N第三行"),  # three lines
        (9000, 11000, "我觉得这个还是几件事情结合起来还是蛮有的聊的"),  # 22 wide
        (12000, 14000, "直接搞出来这个东西"),  # past the audio
    ]
    path = write(tmp_path / "bad.srt", events)
    report = check_subtitles(path, audio_ms=13000, profile="netflix", language="zh")
    found = {(item["cue"], item["rule"]) for item in report["errors"]}
    assert found == {
        (2, "overlap"),
        (3, "order"),
        (4, "lines"),
        (5, "width"),
        (6, "past-audio-end"),
    }
    width = next(item for item in report["errors"] if item["rule"] == "width")
    assert width["start_ms"] == 9000 and width["start"] == "00:00:09,000"
    assert "22" in width["message"]


def test_soft_rules_are_warnings(tmp_path: Path) -> None:
    events = [
        (1000, 1500, "抖音危险了，"),  # short, ends in a comma
        (1540, 3000, "这一次Sora 2的"),  # 40 ms gap
        (3300, 11000, "我觉得它太牛了"),  # 300 ms gap not chained, 7.7 s long
        (11100, 12000, "把抖音整个商业模式搬到AI上面来\\N对"),  # 16.5 chars/s, top longer
    ]
    path = write(tmp_path / "soft.srt", events)
    report = check_subtitles(path, audio_ms=None, profile="netflix", language=None)
    assert report["errors"] == []
    assert rules(report, "warnings") == {
        "min-duration",
        "punctuation",
        "gap",
        "chaining",
        "max-duration",
        "reading-speed",
        "line-balance",
    }
    assert report["stats"]["max_cps"] > 9


def test_english_width_counts_every_character_and_label(tmp_path: Path) -> None:
    line = "HOST: " + "x" * 37  # 43 wide with its label
    path = write(tmp_path / "en.srt", [(0, 2000, line), (2083, 4000, "GUEST: fine.")])
    report = check_subtitles(path, audio_ms=None, profile="netflix", language="en")
    assert rules(report, "errors") == {"width"}
    assert report["stats"]["max_line_width"] == 43
    bbc = check_subtitles(path, audio_ms=None, profile="bbc", language="en")
    assert bbc["stats"]["max_chars"] == 37


def test_speaker_changes_must_be_visible(tmp_path: Path) -> None:
    vtt = tmp_path / "v.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v HOST>Hello there.</v>\n\n"
        "00:00:02.083 --> 00:00:03.000\nNo voice here.\n",
        encoding="utf-8",
    )
    report = check_subtitles(vtt, audio_ms=None, profile="netflix", language=None)
    assert [w["cue"] for w in report["warnings"] if w["rule"] == "speaker-label"] == [2]
    ass = write(tmp_path / "s.ass", [(0, 1000, "Hi."), (1083, 2000, "Hello.")], names=["A", "B"])
    ok = check_subtitles(ass, audio_ms=None, profile="netflix", language="en")
    assert "speaker-label" not in rules(ok, "warnings")  # one style per speaker
    same = tmp_path / "same.ass"
    subs = pysubs2.load(str(ass))
    for event in subs.events:
        event.style = "Default"
    subs.save(str(same))
    report = check_subtitles(same, audio_ms=None, profile="netflix", language="en")
    assert [w["cue"] for w in report["warnings"] if w["rule"] == "speaker-label"] == [2]


def test_unreadable_files_raise_subtitle_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.srt"
    with pytest.raises(SubtitleError) as info:
        check_subtitles(missing, audio_ms=None, profile="netflix", language=None)
    assert "nope.srt" in str(info.value) and info.value.hint
    junk = tmp_path / "junk.srt"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SubtitleError) as info:
        check_subtitles(junk, audio_ms=None, profile="netflix", language=None)
    assert "junk.srt" in str(info.value)
    empty = tmp_path / "empty.srt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(SubtitleError):
        check_subtitles(empty, audio_ms=None, profile="netflix", language=None)
    good = write(tmp_path / "g.srt", [(0, 1000, "Hi.")])
    with pytest.raises(ConfigError):
        check_subtitles(good, audio_ms=None, profile="youtube", language=None)


def test_voice_tags_do_not_count_but_visible_labels_do(tmp_path: Path) -> None:
    sixteen = "这一次Sora 2的物理引擎非常强大吧"  # 16 cells
    vtt = tmp_path / "tags.vtt"
    vtt.write_text(
        f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v 主持人>{sixteen}</v>\n\n"
        f"00:00:04.083 --> 00:00:07.000\n<v 闲哥>闲哥：{sixteen}</v>\n",
        encoding="utf-8",
    )
    report = check_subtitles(vtt, audio_ms=None, profile="netflix", language=None)
    assert [(e["cue"], e["rule"]) for e in report["errors"]] == [(2, "width")]
    assert report["stats"]["max_line_width"] == 19


def test_dialogue_dashes_mark_a_speaker_change(tmp_path: Path) -> None:
    ass = write(
        tmp_path / "d.ass",
        [(0, 1500, "Are you coming?"), (1583, 3000, "-In a minute.\\N-Fine.")],
        names=["A", "B"],
    )
    subs = pysubs2.load(str(ass))
    for event in subs.events:
        event.style = "Default"
    subs.save(str(ass))
    report = check_subtitles(ass, audio_ms=None, profile="netflix", language="en")
    assert "speaker-label" not in rules(report, "warnings")
    assert report["errors"] == []


def test_a_two_speaker_cue_hands_over_to_its_last_speaker(tmp_path: Path) -> None:
    vtt = tmp_path / "two.vtt"
    vtt.write_text(
        "WEBVTT\n\nNOTE Language: en\n\n00:00:01.000 --> 00:00:02.500\n<v A>A: Hi.</v>\n\n"
        "00:00:02.583 --> 00:00:04.000\n<v A>-Fine.</v>\n<v B>-B: Yes.</v>\n\n"
        "00:00:04.083 --> 00:00:06.000\n<v B>More from me.</v>\n\n"
        "00:00:06.083 --> 00:00:08.000\n<v A>Back to me.</v>\n",
        encoding="utf-8",
    )
    report = check_subtitles(vtt, audio_ms=None, profile="netflix", language="en")
    assert report["cues"] == 4 and report["errors"] == []
    assert [w["cue"] for w in report["warnings"] if w["rule"] == "speaker-label"] == [4]


def test_ass_centiseconds_do_not_make_a_cue_too_short(tmp_path: Path) -> None:
    """An 833 ms cue can only be 830 ms in ASS (10 ms steps): not a finding; 820 ms is."""
    ass = write(tmp_path / "c.ass", [(0, 830, "Hi."), (1000, 1820, "Yes.")], names=["A", "A"])
    report = check_subtitles(ass, audio_ms=None, profile="netflix", language="en")
    assert [w["cue"] for w in report["warnings"] if w["rule"] == "min-duration"] == [2]


def test_built_captions_with_joined_cues_pass_as_written(tmp_path: Path) -> None:
    """Short cues joined by the builder, written by the real writers: no error, none too short."""
    items = [("主持人", "这是一种非常可怕的竞争啊。"), ("主持人", "对吧？"), ("闲哥", "对。")]
    items += [("闲哥", "我觉得他还是把这个事情抓抓稳。"), ("老修", "嗯。"), ("闲哥", "对吧？")]
    timeline = make_timeline(items * 3, pause=150)
    profile = get_profile("netflix", language="zh", max_chars=None, max_lines=None)
    cues = build_cues(timeline, language="zh", profile=profile)
    assert any(is_dialogue(c) for c in cues)
    written = write_subtitles(
        cues, out_dir=tmp_path, stem="j", formats=("srt", "vtt"), chapters=(), language="zh"
    )
    for path in written.values():
        report = check_subtitles(
            path, audio_ms=timeline.duration_ms, profile="netflix", language=None
        )
        assert report["errors"] == [], path
        found = rules(report, "warnings")
        assert not found & {"min-duration", "speaker-label", "gap", "max-duration"}, (path, found)


def test_ass_keeps_a_cue_of_five_sixths_of_a_second_chained(tmp_path: Path) -> None:
    """Issue 22: a 833 ms cue 83 ms before the next became 820 ms in the ASS we write."""
    cues = [
        Cue(1001, 1834, "A", ("Yes.",), True),
        Cue(1917, 3000, "B", ("Right, then.",), True),
        Cue(3083, 3916, "A", ("OK.",), True),
    ]
    written = write_subtitles(
        cues, out_dir=tmp_path, stem="s", formats=("ass",), chapters=(), language="en"
    )
    report = check_subtitles(written["ass"], audio_ms=None, profile="netflix", language="en")
    assert report["errors"] == []
    assert not rules(report, "warnings") & {"min-duration", "gap", "chaining"}, report
    assert report["stats"]["min_duration_ms"] >= 830


def test_our_chapters_track_is_checked_as_chapters(tmp_path: Path) -> None:
    """Issue 22: `check` exited 1 on the render's own chapters.vtt (the last chapter ends
    at the programme's length, 1 ms past the decoded audio) and warned of 0 ms gaps."""
    from tts_export.models import Chapter

    chapters = (Chapter("Opening", 0, 39_515), Chapter("Closing", 39_515, 69_273))
    written = write_subtitles(
        [Cue(500, 2000, "A", ("Hi.",), True)],
        out_dir=tmp_path, stem="ep", formats=("vtt",), chapters=chapters, language="en",
    )  # fmt: skip
    track = written["chapters_vtt"]
    report = check_subtitles(track, audio_ms=69_272, profile="netflix", language=None)
    assert report["errors"] == [] and report["warnings"] == [], report
    assert report["cues"] == 2
    # the same track under another name, headed as a chapters track, is read the same way
    other = tmp_path / "renamed.vtt"
    other.write_text(track.read_text("utf-8").replace("WEBVTT\n", "WEBVTT\nKind: chapters\n", 1))
    assert check_subtitles(other, audio_ms=69_272, profile="netflix", language=None) == report
    # what still counts for chapters: order, overlap, titles, a start within the audio
    bad = tmp_path / "bad.chapters.vtt"
    bad.write_text(
        "WEBVTT\n\n00:00:05.000 --> 00:00:09.000\nB\n\n00:00:02.000 --> 00:00:06.000\nA\n\n"
        "00:01:20.000 --> 00:01:30.000\nLate\n",
        encoding="utf-8",
    )
    report = check_subtitles(bad, audio_ms=69_272, profile="netflix", language="en")
    assert rules(report, "errors") == {"order", "past-audio-end"}


def test_no_chaining_asked_where_it_would_pass_seven_seconds(tmp_path: Path) -> None:
    """Issue 22: the seed's 6.9 s cues 250 ms before the next cannot chain without passing
    7 s (the cue builder never cuts speech short); check asked for it anyway."""
    events = [(0, 6871, "第一句话很长很长"), (7121, 9000, "第二句"), (9250, 11000, "第三句")]
    report = check_subtitles(
        write(tmp_path / "c.srt", events), audio_ms=None, profile="netflix", language="zh"
    )
    assert [w["cue"] for w in report["warnings"] if w["rule"] == "chaining"] == [3]
