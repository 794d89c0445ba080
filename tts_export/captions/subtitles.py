"""Subtitle text: sorted cues and chapters in; SRT, WebVTT, ASS and WebVTT chapters text out.

Every text is built with pysubs2 (``SSAEvent`` objects, then ``to_string``);
``formats`` picks the builders by format name and writes the files
atomically.

pysubs2 quirks handled here (docs/DESIGN.md, "Library quirks"): times are passed as ints and
cues sorted before SRT output; line breaks are ``\\N`` (a raw newline
corrupts ASS); ASS keeps centiseconds (see ``centisecond_times``); ``{...}``
would be read as an override tag, so SRT/VTT are written with
``keep_ssa_tags=True`` and braces in ASS text become full-width ｛｝; pysubs2
drops ``name`` in VTT, so ``<v Name>`` is written into the text here (with
the SRT-style label where the speaker changes, as browsers hide voice names;
``vtt_labels`` chooses); pysubs2 writes a VTT header W3C accepts only without
extra lines, so the language goes into a ``NOTE`` block; empty cues would
become invalid SRT blocks, so they are left out; pysubs2
turns ``\\N``, ``\\n`` and ``\\h`` into breaks and spaces even in SRT/VTT,
so a literal backslash there gets an invisible word joiner after it (in ASS
it becomes ＼).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from pysubs2 import Alignment, Color, SSAEvent, SSAFile, SSAStyle

from tts_export.captions.speakers import SpeakerLine, shown_line, speaker_lines
from tts_export.common.lang import primary_subtag
from tts_export.errors import ConfigError
from tts_export.models import Chapter, Cue

BBC_COLOURS: tuple[Color, ...] = (
    Color(255, 255, 255),  # white
    Color(255, 255, 0),  # yellow
    Color(0, 255, 255),  # cyan
    Color(0, 255, 0),  # green
)
"""Speaker colours in the BBC order of preference; repeated past the fourth speaker."""

VTT_LABELS: tuple[str, ...] = ("voice", "text", "both")
"""How WebVTT names speakers: ``<v Name>`` spans, the visible label, or both."""
DEFAULT_VTT_LABELS = "both"

PLAY_RES: tuple[int, int] = (1920, 1080)
CJK_FONT = "Noto Sans CJK SC"
LATIN_FONT = "Noto Sans"
_WORD_JOINER = "\u2060"
_FULL_WIDTH_LANGUAGES = ("zh", "ja")


def check_vtt_labels(labels: str) -> str:
    """The ``vtt_labels`` choice, checked.

    Args:
        labels: "voice", "text" or "both" (see ``VTT_LABELS``).

    Returns:
        ``labels`` unchanged.

    Raises:
        ConfigError: any other value.
    """
    if labels not in VTT_LABELS:
        raise ConfigError(
            "vtt-labels",
            labels,
            "unknown way of naming speakers in WebVTT",
            hint="use one of: " + ", ".join(VTT_LABELS),
        )
    return labels


def srt_text(cues: Sequence[Cue], language: str) -> str:
    """SubRip text: sequential indices, a speaker label where the speaker changes.

    Sound cues (``[笑]``) carry no label; each speaker's line of a two-speaker
    cue starts with a hyphen. ``-->`` in text becomes ``→`` (it would read as a
    timing line). ``cues`` must already be sorted.
    """
    subs = SSAFile()
    for cue, lines in _rows(cues):
        # "-->" inside text would read as a timing line in SRT parsers
        shown = (_guard_backslashes(shown_line(x, language)).replace("-->", "→") for x in lines)
        subs.append(SSAEvent(start=int(cue.start_ms), end=int(cue.end_ms), text="\\N".join(shown)))
    return subs.to_string("srt", keep_ssa_tags=True)


def _rows(cues: Sequence[Cue]) -> Iterator[tuple[Cue, list[SpeakerLine]]]:
    """Each cue that has text, with its non-empty lines, speakers and labels as shown."""
    for cue, first in zip(cues, _labels_shown(cues), strict=True):
        lines = _visible(speaker_lines(cue, first_label=first))
        if lines:
            yield cue, lines


def _visible(lines: Sequence[SpeakerLine]) -> list[SpeakerLine]:
    """Lines on one physical line each; an empty line passes its label and dash on."""
    out: list[SpeakerLine] = []
    label = dash = False
    for line in lines:
        text = _one_line(line.text)
        label, dash = label or line.label, dash or line.dash
        if text:
            out.append(SpeakerLine(line.speaker, text, label, dash))
            label = dash = False
    return out


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


def vtt_text(cues: Sequence[Cue], language: str, *, labels: str = DEFAULT_VTT_LABELS) -> str:
    """WebVTT text: speakers named as ``labels`` says, text escaped, a header W3C accepts.

    ``labels``: "voice" wraps each speaker's lines in ``<v Name>``; "text"
    shows the SRT label where the speaker changes and no voice span; "both"
    (the default) does both, because players do not draw voice names, so the
    visible label is what tells viewers who speaks (WCAG 1.2.2), while
    ``<v>`` serves styling, screen readers and ingestion. ``cues`` must already
    be sorted.

    Raises:
        ConfigError: ``labels`` is not one of ``VTT_LABELS``.
    """
    check_vtt_labels(labels)
    show_names, voice_spans = labels != "voice", labels != "text"
    subs = SSAFile()
    for cue, lines in _rows(cues):
        parts = []
        for speaker, group in itertools.groupby(lines, key=lambda x: _one_line(x.speaker)):
            body = "\\N".join(
                _guard_backslashes(vtt_escape(shown_line(x, language, label=show_names)))
                for x in group
            )
            if voice_spans and speaker:
                body = f"<v {_guard_backslashes(vtt_escape(speaker))}>{body}</v>"
            parts.append(body)
        subs.append(SSAEvent(start=int(cue.start_ms), end=int(cue.end_ms), text="\\N".join(parts)))
    return _with_header(subs.to_string("vtt", keep_ssa_tags=True), language)


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
    return _with_header(subs.to_string("vtt", keep_ssa_tags=True), language)


def ass_text(cues: Sequence[Cue], language: str, *, title: str = "tts-export captions") -> str:
    """Advanced SubStation text: one style per speaker in BBC colour order, speaker in Name.

    Colour alone must not tell speakers apart (WCAG 1.4.1), so the SRT label
    is shown where the speaker changes, and a two-speaker cue leads each line
    with a hyphen (its second line in that speaker's colour). ``cues`` must
    already be sorted.
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
    font = CJK_FONT if primary_subtag(language) in _FULL_WIDTH_LANGUAGES else LATIN_FONT
    subs.styles = {"Default": _style(font, BBC_COLOURS[0])}
    styles = ass_styles([c.speaker for c in cues])
    for name, colour in styles.values():
        subs.styles[name] = _style(font, colour)
    rows = list(_rows(cues))
    times = centisecond_times([cue for cue, _ in rows])
    for (cue, lines), (start, end) in zip(rows, times, strict=True):
        style, _ = styles.get(cue.speaker, ("Default", BBC_COLOURS[0]))
        text = []
        for line in lines:
            shown = ass_escape(shown_line(line, language))
            if line.speaker != cue.speaker and line.speaker in styles:
                shown = _ass_colour(styles[line.speaker][1]) + shown  # the other speaker's colour
            text.append(shown)
        subs.append(
            SSAEvent(
                start=start,
                end=end,
                style=style,
                name=_ass_field(cue.speaker),
                text="\\N".join(text),
            )
        )
    return subs.to_string("ass")


def _ass_colour(colour: Color) -> str:
    """An ASS override tag setting the primary (text) colour for the rest of the event."""
    return f"{{\\1c&H{colour.b:02X}{colour.g:02X}{colour.r:02X}&}}"


def centisecond_times(cues: Sequence[Cue]) -> list[tuple[int, int]]:
    """Cue times on ASS's 10 ms grid without shrinking any gap between cues.

    Plain rounding turns a 2-frame gap (83 ms) into 80 ms. Here starts and
    ends round up (at most 9 ms late, so durations hold), except that an end
    rounds down as far as needed to keep the gap to the next cue at least what
    it was; the last cue's end rounds down, so it still ends within the audio
    (its start then rounds down where it must to keep 830 ms). A cue of 5/6 s
    or more keeps 830 ms (the shortest duration on this grid)
    and a gap of 2 frames or more then loses its rounding instead: 910 ms
    from start to start hold 830 + 80, not 830 + 90. ``cues`` must be sorted.
    """
    out: list[tuple[int, int]] = []
    for i, cue in enumerate(cues):
        start = _ceil10(cue.start_ms)
        if i + 1 < len(cues):
            end = _ceil10(cue.end_ms)
            gap = cues[i + 1].start_ms - cue.end_ms
            if gap >= 0:
                end = min(end, _ceil10(cues[i + 1].start_ms) - _ceil10(gap))
            if gap >= _CHAINED_CS and cue.end_ms - cue.start_ms >= _SHORTEST_CS:
                end = max(end, start + _SHORTEST_CS)  # the gap still keeps 80 ms
        else:
            end = cue.end_ms // 10 * 10
            earlier = cue.start_ms // 10 * 10  # up to 9 ms early: it cannot end later
            room = not out or earlier - out[-1][1] >= (cue.start_ms - cues[i - 1].end_ms) // 10 * 10
            if cue.end_ms - cue.start_ms >= _SHORTEST_CS > end - start and room:
                start = earlier
        out.append((start, max(end, start + 10)))
    return out


_SHORTEST_CS = 830  # 5/6 s (833 ms) on the 10 ms grid: what check accepts in ASS
_CHAINED_CS = 80  # 2 frames (83 ms) on the 10 ms grid


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


def _with_header(text: str, language: str) -> str:
    """pysubs2's ``WEBVTT`` signature, a blank line, then the language in a comment block.

    The WebVTT spec allows nothing but a blank line after the signature line
    (W3C's parser rejects a ``Language:`` header line there), and a track's
    language belongs to the page (``<track srclang>``) or playlist: a ``NOTE``
    block keeps it readable without breaking the file.
    """
    head = "WEBVTT\n\n"
    if not language or not text.startswith(head):
        return text
    return f"{head}NOTE Language: {_one_line(language)}\n\n{text[len(head) :]}"
