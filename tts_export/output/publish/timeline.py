"""The speaker timeline: the page's turns and chapters in; one SVG strip per chapter out.

Each strip is one chapter scaled to the full width, one row per speaker (top
to bottom in the order of ``speaker_colours``), each turn a bar in that
speaker's caption colour on a black ground, as in the ASS styles (BBC order:
white, yellow, cyan, green). Position, not colour alone, tells speakers apart
(WCAG 1.4.1), and a text list below says the same in words. The page's
script seeks to the time under a click (the strip's ``data-c`` holds the
chapter's start and end in ms).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from tts_export.captions.subtitles import BBC_COLOURS, ass_styles
from tts_export.common.units import clock
from tts_export.output.publish.data import PageChapter, PageData, PageTurn

WIDTH = (
    1000  # viewBox units (whole numbers: short paths); the strip is stretched to the page's width
)
ROW = 12
GAP = 3


def speaker_colours(speakers: Sequence[str]) -> dict[str, int]:
    """Each speaker's colour index (``v0``..``v3``), in the ASS styles' order."""
    styles = ass_styles(speakers)
    return {s: BBC_COLOURS.index(colour) for s, (_, colour) in styles.items()}


def css_colours() -> str:
    """CSS for the colour classes: ``.vN`` fills in the strips, text and swatches."""
    rules = []
    for n, c in enumerate(BBC_COLOURS):
        hex_colour = f"#{c.r:02x}{c.g:02x}{c.b:02x}"
        rules.append(f".v{n}{{--v:{hex_colour}}}")
    return "".join(rules)


def segments(turns: Sequence[PageTurn], chapter: PageChapter) -> list[PageTurn]:
    """The turns that start inside ``chapter``."""
    return [t for t in turns if chapter.start_ms <= t.sentences[0].start_ms < chapter.end_ms]


def strip_svg(
    data: PageData,
    chapter: PageChapter,
    rows: Sequence[str],
    colours: Mapping[str, int],
    labelled_by: str,
) -> str:
    """One chapter's strip: an SVG image named by the elements ``labelled_by`` lists."""
    span = max(chapter.end_ms - chapter.start_ms, 1)
    height = len(rows) * (ROW + GAP) + GAP
    paths = []
    for row, speaker in enumerate(rows):
        y = GAP + row * (ROW + GAP)
        d = []
        for turn in segments(data.turns, chapter):
            if turn.speaker != speaker:
                continue
            x0 = (turn.sentences[0].start_ms - chapter.start_ms) * WIDTH / span
            x1 = (min(turn.sentences[-1].end_ms, chapter.end_ms) - chapter.start_ms) * WIDTH / span
            width = max(round(x1 - x0), 2)
            d.append(f"M{round(x0)} {y}h{width}v{ROW}h-{width}z")
        if d:
            paths.append(f'<path class="v{colours.get(speaker, 0)}" d="{"".join(d)}"/>')
    return (
        f'<svg role="img" aria-labelledby="{html.escape(labelled_by)}" '
        f'viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="none" style="height:{len(rows) * 0.8 + 0.2:.1f}rem" '
        f'data-c="{chapter.start_ms},{chapter.end_ms}">{"".join(paths)}</svg>'
    )


def chapter_summary(
    data: PageData, chapter: PageChapter, words: Mapping[str, str], hours: bool
) -> str:
    """In words: the chapter's span, then each speaker's number of turns and speaking time."""
    sep, colon = words["list_sep"], words["colon"]
    counts: dict[str, list[int]] = {}
    for turn in segments(data.turns, chapter):
        spoken = sum(s.end_ms - s.start_ms for s in turn.sentences)
        entry = counts.setdefault(turn.speaker or words["narrator"], [0, 0])
        entry[0] += 1
        entry[1] += spoken
    who = sep.join(
        f"{name} {words['turns'].format(n=n)} ({clock(ms, hours=hours, pad=True)})"
        for name, (n, ms) in counts.items()
    )
    start = clock(chapter.start_ms, hours=hours, pad=True)
    end = clock(chapter.end_ms, hours=hours, pad=True)
    title = f"{chapter.title} " if chapter.title else ""
    return f"{title}{start}–{end}{colon}{who}"
