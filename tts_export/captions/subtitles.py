"""Subtitle text: sorted cues and chapters in; SRT, WebVTT, ASS and WebVTT chapters text out.

Every text is built with pysubs2 (``SSAEvent`` objects, then ``to_string``);
``formats`` picks the builders by format name and writes the files
atomically.

pysubs2 quirks handled here (see DESIGN.md): times are passed as ints and
cues sorted before SRT output; line breaks are ``\\N`` (a raw newline
corrupts ASS); ASS keeps centiseconds (see ``centisecond_times``); ``{...}``
would be read as an override tag, so SRT/VTT are written with
``keep_ssa_tags=True`` and braces in ASS text become full-width ｛｝; pysubs2
drops ``name`` in VTT, so ``<v Name>`` is written into the text here, with
the SRT-style label where the speaker changes, as browsers hide voice names;
empty cues would become invalid SRT blocks, so they are left out; pysubs2
turns ``\\N``, ``\\n`` and ``\\h`` into breaks and spaces even in SRT/VTT,
so a literal backslash there gets an invisible word joiner after it (in ASS
it becomes ＼).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pysubs2 import Alignment, Color, SSAEvent, SSAFile, SSAStyle

from tts_export.captions.cues import (
    speaker_label,  # one label shape, so widths agree with the cue builder
)
from tts_export.models import Chapter, Cue

BBC_COLOURS: tuple[Color, ...] = (
    Color(255, 255, 255),  # white
    Color(255, 255, 0),  # yellow
    Color(0, 255, 255),  # cyan
    Color(0, 255, 0),  # green
)
"""Speaker colours in the BBC order of preference; repeated past the fourth speaker."""

PLAY_RES: tuple[int, int] = (1920, 1080)
CJK_FONT = "Noto Sans CJK SC"
LATIN_FONT = "Noto Sans"
_WORD_JOINER = "\u2060"
_FULL_WIDTH_LANGUAGES = ("zh", "ja")


def srt_text(cues: Sequence[Cue], language: str) -> str:
    """SubRip text: sequential indices, a speaker label where the speaker changes.

    Sound cues (``[笑]``) carry no label. ``-->`` in text becomes ``→`` (it would
    read as a timing line). ``cues`` must already be sorted.
    """
    subs = SSAFile()
    for cue, lines in _labelled_lines(cues, language):
        # "-->" inside text would read as a timing line in SRT parsers
        text = "\\N".join(_guard_backslashes(line).replace("-->", "→") for line in lines)
        subs.append(SSAEvent(start=int(cue.start_ms), end=int(cue.end_ms), text=text))
    return subs.to_string("srt", keep_ssa_tags=True)


def _labelled_lines(cues: Sequence[Cue], language: str) -> Iterator[tuple[Cue, list[str]]]:
    """Each cue with text and its lines, the speaker label put before the first where shown."""
    for cue, show in zip(cues, _labels_shown(cues), strict=True):
        lines = _clean_lines(cue)
        if not lines:
            continue
        if show:
            lines[0] = speaker_label(_one_line(cue.speaker), language) + lines[0]
        yield cue, lines


def _labels_shown(cues: Sequence[Cue]) -> list[bool]:
    """Whether each cue starts with a speaker label.

    Sound cues never carry one; a label a sound cue was given (a turn that
    opens with ``[laughs]``) moves to that speaker's next speech cue, so the
    change of speaker is still named.
    """
    shown: list[bool] = []
    carried = ""
    for cue in cues:
        speaker = cue.speaker.strip()
        if cue.kind == "sound":
            carried = speaker if cue.label else carried
            shown.append(False)
            continue
        shown.append(bool(speaker) and (cue.label or carried == speaker))
        carried = ""
    return shown


def vtt_text(cues: Sequence[Cue], language: str) -> str:
    """WebVTT text: every cue wrapped in ``<v Speaker>``, text escaped, a Language header.

    Browsers do not display the voice name, so where the speaker changes the
    cue also starts with the same visible label as in SRT (WCAG 1.2.2: captions
    say who speaks). ``cues`` must already be sorted.
    """
    subs = SSAFile()
    for cue, lines in _labelled_lines(cues, language):
        body = "\\N".join(_guard_backslashes(vtt_escape(line)) for line in lines)
        speaker = _one_line(cue.speaker)
        if speaker:
            body = f"<v {_guard_backslashes(vtt_escape(speaker))}>{body}</v>"
        subs.append(SSAEvent(start=int(cue.start_ms), end=int(cue.end_ms), text=body))
    return _with_language(subs.to_string("vtt", keep_ssa_tags=True), language)


def chapters_vtt_text(chapters: Sequence[Chapter], language: str) -> str:
    """A WebVTT chapters track (``kind="chapters"``): one cue per chapter, its title as text.

    Chapters of no length are left out.
    """
    subs = SSAFile()
    for chapter in sorted(chapters, key=lambda c: c.start_ms):
        if chapter.end_ms <= chapter.start_ms:
            continue
        title = _guard_backslashes(vtt_escape(_one_line(chapter.title)))
        subs.append(SSAEvent(start=int(chapter.start_ms), end=int(chapter.end_ms), text=title))
    return _with_language(subs.to_string("vtt", keep_ssa_tags=True), language)


def ass_text(cues: Sequence[Cue], language: str, *, title: str = "tts-export captions") -> str:
    """Advanced SubStation text: one style per speaker in BBC colour order, speaker in Name.

    ``cues`` must already be sorted.
    """
    subs = SSAFile()
    subs.info.update(
        {
            "Title": _one_line(title),
            "PlayResX": str(PLAY_RES[0]),
            "PlayResY": str(PLAY_RES[1]),
            "WrapStyle": "0",
            "ScaledBorderAndShadow": "yes",
            "YCbCr Matrix": "None",
        }
    )
    font = CJK_FONT if language.split("-")[0].lower() in _FULL_WIDTH_LANGUAGES else LATIN_FONT
    subs.styles = {"Default": _style(font, BBC_COLOURS[0])}
    styles = ass_styles([c.speaker for c in cues])
    for name, colour in styles.values():
        subs.styles[name] = _style(font, colour)
    shown = [cue for cue in cues if _clean_lines(cue)]
    for cue, (start, end) in zip(shown, centisecond_times(shown), strict=True):
        lines = [ass_escape(line) for line in _clean_lines(cue)]
        style, _ = styles.get(cue.speaker, ("Default", BBC_COLOURS[0]))
        subs.append(
            SSAEvent(
                start=start,
                end=end,
                style=style,
                name=_ass_field(cue.speaker),
                text="\\N".join(lines),
            )
        )
    return subs.to_string("ass")


def centisecond_times(cues: Sequence[Cue]) -> list[tuple[int, int]]:
    """Cue times on ASS's 10 ms grid without shrinking any gap between cues.

    Plain rounding turns a 2-frame gap (83 ms) into 80 ms. Here starts and
    ends round up (at most 9 ms late, so durations hold), except that an end
    rounds down as far as needed to keep the gap to the next cue at least what
    it was; the last cue rounds down, so it still ends within the audio.
    ``cues`` must be sorted.
    """
    out: list[tuple[int, int]] = []
    for i, cue in enumerate(cues):
        start = _ceil10(cue.start_ms)
        if i + 1 < len(cues):
            end = _ceil10(cue.end_ms)
            gap = cues[i + 1].start_ms - cue.end_ms
            if gap >= 0:
                end = min(end, _ceil10(cues[i + 1].start_ms) - _ceil10(gap))
        else:
            end = cue.end_ms // 10 * 10
        out.append((start, max(end, start + 10)))
    return out


def _ceil10(ms: int) -> int:
    return -(-ms // 10) * 10


def ass_styles(speakers: Sequence[str]) -> dict[str, tuple[str, Color]]:
    """Style name and colour per speaker, in order of first appearance (BBC colour order)."""
    out: dict[str, tuple[str, Color]] = {}
    used = {"Default"}
    for speaker in speakers:
        if speaker in out or not speaker.strip():
            continue
        name = _ass_field(speaker)
        base, n = name, 2
        while name in used:  # two names that differ only by a comma or newline
            name, n = f"{base} {n}", n + 1
        used.add(name)
        out[speaker] = (name, BBC_COLOURS[len(out) % len(BBC_COLOURS)])
    return out


def vtt_escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for WebVTT cue text and voice annotations."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def ass_escape(text: str) -> str:
    """Make text literal in ASS: braces would open override tags, backslashes escape codes."""
    return text.replace("{", "｛").replace("}", "｝").replace("\\", "＼")


def _clean_lines(cue: Cue) -> list[str]:
    """The cue's non-empty lines, each on one physical line."""
    return [line for line in (_one_line(x) for x in cue.lines) if line]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _guard_backslashes(text: str) -> str:
    r"""Keep a literal backslash from forming ``\N``, ``\n`` or ``\h`` in pysubs2's output."""
    return text.replace("\\", "\\" + _WORD_JOINER)


def _ass_field(text: str) -> str:
    """A value safe in a comma-separated ASS field (style name, event name)."""
    return _one_line(text).replace(",", "，")


def _style(font: str, colour: Color) -> SSAStyle:
    return SSAStyle(
        fontname=font,
        fontsize=54.0,
        primarycolor=colour,
        secondarycolor=Color(255, 0, 0),
        outlinecolor=Color(0, 0, 0),
        backcolor=Color(0, 0, 0, 128),
        outline=3.0,
        shadow=1.0,
        alignment=Alignment.BOTTOM_CENTER,
        marginl=96,
        marginr=96,
        marginv=60,
    )


def _with_language(text: str, language: str) -> str:
    """Add a ``Language`` header line after pysubs2's ``WEBVTT`` line."""
    head = "WEBVTT\n"
    if not language or not text.startswith(head):
        return text
    return f"{head}Language: {_one_line(language)}\n{text[len(head) :]}"
