"""Check: a subtitle file (SRT, WebVTT or ASS) in, a report of broken caption rules out.

What is measured: every visible character of a line counts toward its width,
as Netflix counts it, so a speaker label (``主持人：``, ``HOST:``) and a
dialogue hyphen count; markup that is never shown does not (VTT ``<v Name>``
voice tags, ``<i>``, ASS override tags). Reading speed counts the same
characters over the cue's duration.

Hard rules (errors): cues out of order, overlapping cues, a cue that ends
before it starts, an empty cue, more lines than the profile allows, a line
wider than the profile allows, a cue past the end of the audio. Soft rules
(warnings): duration under 5/6 s or over 7 s, reading speed over the limit,
gaps under 2 frames or short gaps not chained to 2 frames (unless chaining
would take the cue past 7 s), Chinese commas or full stops at a line end, a
Chinese top line longer than the bottom one, a cue with no speaker where
speakers change. A two-speaker cue (a hyphen per
speaker line, or one voice span each) hands over to its last speaker. ASS
keeps centiseconds, so gaps and the shortest duration allow 9 ms there.

A WebVTT chapters track (``<stem>.chapters.vtt``, or a ``Kind: chapters``
header) holds titles, not captions: its chapters must be in order, not
overlap, have a title and start within the audio; the last may end up to 2
frames after the audio (the programme's length in whole ms against the
decoded samples). No caption rule applies to it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pysubs2

from tts_export.captions.profiles import CaptionProfile, get_profile, language_key
from tts_export.common.lang import detect_language, display_width
from tts_export.errors import SubtitleError

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_LABEL_ZH = re.compile(r"^-?\s*([^\s：:，。？！,.?!“”\"]{1,12})[：:]\s?")
_LABEL_EN = re.compile(r"^-?\s*([A-Z][A-Z0-9 .'\-]{0,30}):\s")
_WORD = re.compile(r"[A-Za-z0-9'’]+")


@dataclass(frozen=True)
class _Cue:
    """One cue as read: number (1-based), times, visible lines, speakers if known.

    ``speaker`` opens the cue; ``last_speaker`` ends it (another one in a
    two-speaker cue), and is who the next cue continues from.
    """

    number: int
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    speaker: str | None
    labelled: bool
    style: str
    last_speaker: str | None = None


def _fmt(ms: int) -> str:
    """``HH:MM:SS,mmm`` for messages."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"


def _load(path: Path) -> pysubs2.SSAFile:
    """Read a subtitle file with pysubs2.

    Raises:
        SubtitleError: missing, unreadable or not a subtitle file.
    """
    try:
        return pysubs2.load(str(path), encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SubtitleError(str(path), "no such file", hint="check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SubtitleError(
            str(path), f"cannot read the file: {exc}", hint="give a UTF-8 SRT, VTT or ASS file"
        ) from exc
    except (pysubs2.Pysubs2Error, ValueError, IndexError) as exc:
        raise SubtitleError(
            str(path),
            f"not a subtitle file pysubs2 can read ({exc})",
            hint="give an SRT, WebVTT or ASS file",
        ) from exc


def _vtt_voices(path: Path) -> list[list[str]]:
    """The ``<v Name>`` spans of each VTT cue in file order (pysubs2 drops them)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
    voices: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        if "-->" in block and not block.lstrip().startswith("NOTE"):
            voices.append([match.group(1).strip() for match in _VOICE.finditer(block)])
    return voices


def _read_cues(path: Path, language: str | None) -> tuple[list[_Cue], str]:
    """The file's cues in file order and the language used to measure them."""
    subs = _load(path)
    events = [e for e in subs.events if not e.is_comment]
    if not events:
        raise SubtitleError(str(path), "the file has no cues", hint="is it the right file?")
    texts = [tuple(e.plaintext.replace("\r", "").split("\n")) for e in events]
    lang = language or detect_language(" ".join(" ".join(t) for t in texts))
    lang = language_key(lang)
    voices: list[list[str]] = [[e.name] if e.name else [] for e in events]
    if path.suffix.lower() == ".vtt":
        found = _vtt_voices(path)
        if len(found) == len(events):
            voices = found
    label_re = _LABEL_ZH if lang == "zh" else _LABEL_EN
    cues: list[_Cue] = []
    for number, (event, lines, voice) in enumerate(zip(events, texts, voices, strict=True), 1):
        lines = tuple(line.strip() for line in lines)
        match = label_re.match(lines[0]) if lines else None
        speaker = voice[0] if voice else (match.group(1) if match else None)
        # a two-speaker cue: "-A: ..." / "-B: ...", or one voice span per speaker
        turns = [label_re.match(line) for line in lines[1:] if line.startswith("-")]
        later = [m.group(1) for m in turns if m]
        last = later[-1] if later else (voice[-1] if voice else speaker)
        cue = _Cue(
            number, int(event.start), int(event.end), lines, speaker, bool(match), event.style, last
        )
        cues.append(cue)
    return cues, lang


class _Report:
    """Collects findings in the shape the CLI prints."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []

    def add(self, hard: bool, cue: _Cue, rule: str, message: str) -> None:
        item = {
            "cue": cue.number,
            "start_ms": cue.start_ms,
            "start": _fmt(cue.start_ms),
            "rule": rule,
            "message": message,
        }
        (self.errors if hard else self.warnings).append(item)


def _check_text(cue: _Cue, lang: str, profile: CaptionProfile, report: _Report) -> None:
    """Line count, line width and Chinese punctuation/balance for one cue."""
    visible = [line for line in cue.lines if line]
    if not visible:
        report.add(True, cue, "empty", "the cue has no text")
        return
    if len(visible) > profile.max_lines:
        report.add(True, cue, "lines", f"{len(visible)} lines, at most {profile.max_lines} allowed")
    for number, line in enumerate(visible, 1):
        width = display_width(line, lang)
        if width > profile.max_chars:
            report.add(
                True,
                cue,
                "width",
                f"line {number} is {width:g} wide, at most {profile.max_chars:g}: {line!r}",
            )
        if lang == "zh" and line[-1] in "，。,":
            report.add(
                False,
                cue,
                "punctuation",
                f"line {number} ends in {line[-1]!r}; zh-Hans drops it at a line end",
            )
    if lang == "zh" and len(visible) == 2:
        top, bottom = (display_width(line, lang) for line in visible)
        if top > bottom:
            report.add(
                False,
                cue,
                "line-balance",
                f"top line ({top:g}) longer than the bottom one ({bottom:g})",
            )


def _check_timing(
    cue: _Cue, profile: CaptionProfile, report: _Report, slack: int = 0
) -> float | None:
    """Duration and reading speed for one cue; returns its characters per second.

    ``slack``: the file format's time rounding (an 833 ms cue is 830 ms in ASS).
    """
    duration = cue.end_ms - cue.start_ms
    if duration <= 0:
        report.add(True, cue, "duration", f"ends at {_fmt(cue.end_ms)}, not after its start")
        return None
    if duration + slack < profile.min_ms:
        report.add(False, cue, "min-duration", f"{duration} ms, under {profile.min_ms} ms")
    if duration > profile.max_ms:
        report.add(False, cue, "max-duration", f"{duration} ms, over {profile.max_ms} ms")
    text = " ".join(cue.lines)
    cps = display_width(text, profile.language) * 1000 / duration
    if cps > profile.max_cps:
        report.add(False, cue, "reading-speed", f"{cps:.1f} characters/s, over {profile.max_cps:g}")
    if profile.max_wpm is not None:
        wpm = len(_WORD.findall(text)) * 60_000 / duration
        if wpm > profile.max_wpm:
            report.add(
                False, cue, "reading-speed", f"{wpm:.0f} words/min, over {profile.max_wpm:g}"
            )
    return cps


def _check_sequence(
    cues: list[_Cue], profile: CaptionProfile, report: _Report, slack: int = 0, *, gaps: bool = True
) -> list[int]:
    """Order, overlaps, gaps and chaining between neighbours; returns the gaps seen.

    ``slack``: the file format's time rounding (ASS keeps centiseconds, so a
    83 ms gap may read as 80 ms). ``gaps``: False for chapters, which touch.
    """
    seen: list[int] = []
    if not cues:
        return seen
    latest = cues[0]  # the cue that ends last so far: any later start before it overlaps
    for before, cue in itertools.pairwise(cues):
        if cue.start_ms < before.start_ms:
            report.add(
                True, cue, "order", f"starts before cue {before.number} ({_fmt(before.start_ms)})"
            )
        elif cue.start_ms < latest.end_ms:
            report.add(
                True,
                cue,
                "overlap",
                f"starts {latest.end_ms - cue.start_ms} ms before cue {latest.number} ends",
            )
        else:
            gap = cue.start_ms - before.end_ms
            seen.append(gap)
            if gaps and gap + slack < profile.min_gap_ms:
                report.add(
                    False,
                    cue,
                    "gap",
                    f"{gap} ms after cue {before.number}, under {profile.min_gap_ms} ms",
                )
            elif (
                gaps
                and profile.min_gap_ms * 1.5 < gap <= profile.chain_gap_ms
                and (before.end_ms + gap - profile.min_gap_ms - before.start_ms <= profile.max_ms)
            ):  # a cue that closing the gap would take past 7 s keeps its gap
                report.add(
                    False,
                    cue,
                    "chaining",
                    f"{gap} ms after cue {before.number}: gaps up to "
                    f"{profile.chain_gap_ms} ms should close to {profile.min_gap_ms} ms",
                )
        if cue.end_ms > latest.end_ms:
            latest = cue
    return seen


def _check_speakers(cues: list[_Cue], report: _Report) -> None:
    """A speaker change must be visible: a label, a dash, a voice tag or its own style."""
    for earlier, cue in itertools.pairwise(cues):
        before = replace(earlier, speaker=earlier.last_speaker or earlier.speaker)
        if cue.speaker is None and before.speaker is not None and not cue.labelled:
            if any(c.speaker is not None and not c.labelled for c in cues):
                report.add(
                    False, cue, "speaker-label", "no speaker given while the other cues name theirs"
                )
        elif (
            cue.speaker
            and before.speaker
            and cue.speaker != before.speaker
            and not cue.labelled
            and cue.style == before.style
            and not cue.lines[0].startswith("-")
        ):
            report.add(
                False,
                cue,
                "speaker-label",
                f"speaker changes to {cue.speaker!r} with no label, dash or style",
            )


def is_chapters_track(path: Path) -> bool:
    """True for a WebVTT chapters track: named ``*.chapters.vtt`` or headed ``Kind: chapters``."""
    if path.suffix.lower() != ".vtt":
        return False
    if path.name.lower().endswith(".chapters.vtt"):
        return True
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        header = handle.read(4096).replace("\r\n", "\n").split("\n\n", 1)[0]
    return re.search(r"^Kind:\s*chapters\s*$", header, re.IGNORECASE | re.MULTILINE) is not None


def _check_chapter(
    cue: _Cue, audio_ms: int | None, profile: CaptionProfile, report: _Report
) -> None:
    """A chapter: a title on one line, a length, a start within the audio."""
    title = [line for line in cue.lines if line]
    if not title:
        report.add(True, cue, "empty", "the chapter has no title")
    elif len(title) > 1:
        report.add(False, cue, "lines", f"a title on {len(title)} lines; players show one")
    if cue.end_ms <= cue.start_ms:
        report.add(True, cue, "duration", f"ends at {_fmt(cue.end_ms)}, not after its start")
    if audio_ms is not None and cue.end_ms > audio_ms + profile.min_gap_ms:
        hard = cue.start_ms >= audio_ms  # a chapter no one can reach
        report.add(
            hard,
            cue,
            "past-audio-end",
            f"ends at {_fmt(cue.end_ms)}, after the audio ({_fmt(audio_ms)})",
        )


def check_subtitles(
    path: Path, *, audio_ms: int | None, profile: str, language: str | None
) -> dict[str, Any]:
    """Check a subtitle file against a caption profile.

    Args:
        path: an SRT, WebVTT or ASS file, or a WebVTT chapters track (see
            ``is_chapters_track``: only the chapter rules apply to it).
        audio_ms: the audio's decoded length; cues must end within it (None: not checked).
        profile: "netflix", "bbc" or "podcast".
        language: "zh" or "en"; None detects it from the text.

    Returns:
        ``{"cues": int, "errors": [...], "warnings": [...], "stats": {...}}``; each
        finding is ``{"cue", "start_ms", "start", "rule", "message"}`` with the
        1-based cue number in file order.

    Raises:
        SubtitleError: the file is missing, unreadable or has no cues.
        ConfigError: unknown profile.
    """
    cues, lang = _read_cues(Path(path), language)
    limits = get_profile(profile, language=lang)
    report = _Report()
    cps_seen: list[float] = []
    chapters = is_chapters_track(Path(path))
    slack = 9 if Path(path).suffix.lower() in (".ass", ".ssa") else 0
    for cue in cues:
        if chapters:
            _check_chapter(cue, audio_ms, limits, report)
            continue
        _check_text(cue, lang, limits, report)
        cps = _check_timing(cue, limits, report, slack)
        if cps is not None:
            cps_seen.append(cps)
        if audio_ms is not None and cue.end_ms > audio_ms:
            report.add(
                True,
                cue,
                "past-audio-end",
                f"ends at {_fmt(cue.end_ms)}, after the audio ({_fmt(audio_ms)})",
            )
    gaps = _check_sequence(cues, limits, report, slack, gaps=not chapters)
    if not chapters:
        _check_speakers(cues, report)
    order = {"errors": report.errors, "warnings": report.warnings}
    for items in order.values():
        items.sort(key=lambda item: (item["cue"], item["rule"]))
    durations = [c.end_ms - c.start_ms for c in cues]
    widths = [display_width(line, lang) for c in cues for line in c.lines]
    return {
        "cues": len(cues),
        "errors": report.errors,
        "warnings": report.warnings,
        "stats": {
            "language": lang,
            "profile": limits.name,
            "max_chars": limits.max_chars,
            "max_lines": limits.max_lines,
            "max_line_width": max(widths, default=0.0),
            "max_lines_seen": max((len(c.lines) for c in cues), default=0),
            "max_cps": round(max(cps_seen, default=0.0), 2),
            "mean_cps": round(sum(cps_seen) / len(cps_seen), 2) if cps_seen else 0.0,
            "min_duration_ms": min(durations),
            "max_duration_ms": max(durations),
            "min_gap_ms": min(gaps, default=None),
            "last_end_ms": max(c.end_ms for c in cues),
            "audio_ms": audio_ms,
        },
    }
