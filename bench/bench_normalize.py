"""What the phonemizers make of numbers, before and after ``tts_export.lexicon.normalize``.

For each case (Chinese and English sentences holding years, dates, money,
percentages, ranges, times, decimals, big numbers, units, ordinals and
abbreviations) prints the raw text's phonemes from the Kokoro G2P (misaki
Mandarin after cn2an, espeak-ng for Latin) and from espeak-ng itself (the
``espeak`` engine, ``cmn`` / ``en-us``), then the normalised text and its
phonemes, and whether normalisation changed what Kokoro says.

    python bench/bench_normalize.py [--no-espeak] [--hostile]

Measured 2026-12-01 (misaki 0.9.4, cn2an 0.5.24, espeak-ng 1.52):

Already right in the Kokoro G2P, so no rule (the text is left alone):
``100元``, ``1000万``, ``1.5亿``, ``3月``, ``第2名``, ``90年代``, ``iPhone 16``,
``AI`` (spelled), ``App`` (read as a word), ``GPT`` (spelled), English
``2nd``, ``50%``. Also right there but rewritten anyway, because espeak-ng's
Mandarin gets them wrong and the spoken text is shared by every engine:
``2025年`` (espeak: 二千二十五年), ``3.5%`` (espeak: 三五 percent),
``3.14`` (espeak drops 点), ``1-2`` and ``3～5`` (espeak: 一二, 三五), ``1/3``
(espeak: "slash"). The Kokoro phonemes of those stay the same.

Wrong in the Kokoro G2P, fixed by a rule: Chinese ``$10`` (the dollar is
dropped), ``12,000`` (十二,零; espeak: 十二千), ``3%-5%`` (百分之负五), ``2024-2025年``
(the first year read as a quantity), ``2025-03-05`` (read as a range),
``10:05`` (十点五), ``5km`` (read in English), ``25°C`` (C in English),
``95后`` (九十五后, said 九五后), ``7×24`` (× dropped); English ``$10``
("dollar ten"), ``3.5`` ("three. five": the point became a pause),
``12,000`` ("twelve, zero zero zero"), ``1-2`` ("one dash two"),
``10:30`` ("ten: thirty"), ``2025`` ("two thousand twenty-five"),
``1990s`` ("nineteen hundred ninety z"), ``5km`` ("five K M"),
``March 5`` ("March five").

Added 2026-12-04 (espeak-ng 1.52 and the Kokoro G2P agree on each): English
``2025-03-05`` ("two thousand twenty-five dash zero three dash zero five"),
``3/5/2025`` ("three slash five slash"), ``5 March`` ("five March"), ``Jan 5``
("jan five"), ``'90s``/``80's`` ("ninety z", "eighty"), ``1,000,000`` in Kokoro
("one, zero zero zero, ..."), ``12,000,`` before a comma (left with its
separator), ``1,000-2,000`` and ``10%-20%`` (a dash or nothing between),
``9:00-17:00`` and ``09:00`` ("nine zero zero dash seventeen zero zero", "zero
nine"), ``1,000th`` / ``100th`` ("one thousand th"), ``25°C`` ("degrees C").
Right already, kept as written: ``1st``, ``22nd``, ``5pm``, ``5:30 a.m.`` in
espeak-ng (Kokoro pauses inside "a.m."), ``-1,250`` ("minus"). ``--hostile``
times 20,000- and 80,000-character runs of the characters the patterns start on.

二〇二五 (the issue's example) is written 二零二五: misaki drops 〇.
Left alone on purpose: ``GPT-4o``, ``iOS 18.1``, ``3D``, ``4K``, ``5G``, URLs
(the lexicon's pattern entries cover names and versions); ``30GB`` in Chinese
(read "G B" as Chinese speakers say it).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts_export.engines.kokoro.g2p import G2P  # noqa: E402
from tts_export.engines.kokoro.tokens import load_vocab  # noqa: E402
from tts_export.engines.kokoro.voicepack import data_dir  # noqa: E402
from tts_export.lexicon.normalize import normalize  # noqa: E402

CASES: tuple[tuple[str, str], ...] = (
    ("zh", "今年是2025年。"),
    ("zh", "发布于2025年3月5日。"),
    ("zh", "发布于2025-03-05。"),
    ("zh", "2024-2025年增长很快。"),
    ("zh", "收入增长了3.5%。"),
    ("zh", "有50%的人同意。"),
    ("zh", "增长3%-5%。"),
    ("zh", "它只要$10。"),
    ("zh", "融资$1.5亿。"),
    ("zh", "门票¥100。"),
    ("zh", "门票100元。"),
    ("zh", "需要1-2个月。"),
    ("zh", "要3～5年。"),
    ("zh", "10:30开会。"),
    ("zh", "10:05开会。"),
    ("zh", "圆周率是3.14。"),
    ("zh", "用户有1000万。"),
    ("zh", "来了12,000人。"),
    ("zh", "跑了5km。"),
    ("zh", "占用30GB空间。"),
    ("zh", "气温25°C。"),
    ("zh", "三分之一就是1/3。"),
    ("zh", "95后的用户。"),
    ("zh", "7×24小时在线。"),
    ("zh", "排名第2名。"),
    ("zh", "AI很强，这个App也好用。"),
    ("zh", "GPT很好，iPhone 16也不错。"),
    ("zh", "GPT-4o和iOS 18.1都有3D和4K。"),
    ("en", "In 2025 it grew."),
    ("en", "It happened on March 5, 2025."),
    ("en", "Revenue grew 3.5%."),
    ("en", "Half, 50%, agreed."),
    ("en", "It costs $10."),
    ("en", "They raised $1.5 million."),
    ("en", "It was ¥100."),
    ("en", "Wait 1-2 hours."),
    ("en", "We meet at 10:30."),
    ("en", "Pi is 3.14."),
    ("en", "There were 12,000 people."),
    ("en", "It is 5km away."),
    ("en", "It needs 30GB of space."),
    ("en", "Back in the 1990s."),
    ("en", "The 2nd time."),
    ("en", "AI and the App use GPT on an iPhone 16."),
    ("en", "Released 2025-03-05."),
    ("en", "On 5 March 2025."),
    ("en", "Since Jan 5."),
    ("en", "On 3/5/2025."),
    ("en", "The '90s and the 80's."),
    ("en", "About 1,000,000 people."),
    ("en", "There were 12,000, more or less."),
    ("en", "It fell to -1,250."),
    ("en", "It cost $1,250,000.50."),
    ("en", "It cost €3.5m."),
    ("en", "It cost $2bn."),
    ("en", "From 2020–2024."),
    ("en", "A 10-20% rise."),
    ("en", "A 10%-20% rise."),
    ("en", "See pages 5-10."),
    ("en", "From 1,000-2,000 people."),
    ("en", "Open 9:00-17:00."),
    ("en", "At 09:00."),
    ("en", "At 5pm or 5:30 a.m."),
    ("en", "The 1st, the 22nd and the 1,000th visitor."),
    ("en", "It was 25°C."),
    ("en", "Call 555-1234 or 1-800-555-1234."),
)
# Runs that every pattern may start inside: the time per character must not grow.
HOSTILE_RUNS = ("a", "1", "１", "1,", "1-", "1:", "1/", "'9", "~~", "1 ", "March 1 ", "1 March ",
                "$1", "0:00-", "2025-", "1/1/", "1°", "the 1 ", "1,000th ")  # fmt: skip


def hostile(sizes: tuple[int, ...] = (20_000, 80_000)) -> None:
    """Print the slowest runs' times at each size (linear: 4x the text, about 4x the time)."""
    rows = []
    for unit in HOSTILE_RUNS:
        for language in ("en", "en-GB", "zh"):
            times = []
            for size in sizes:
                text = unit * (size // len(unit))
                best = float("inf")
                for _ in range(3):  # the best of three: the machine is shared
                    start = time.perf_counter()
                    normalize(text, language=language)
                    best = min(best, time.perf_counter() - start)
                times.append(best)
            rows.append((times[-1], unit, language, times))
    for _, unit, language, times in sorted(rows, reverse=True)[:6]:
        pairs = zip(sizes, times, strict=True)
        shown = ", ".join(f"{size:,}: {t * 1000:.0f} ms" for size, t in pairs)
        print(f"{unit!r:12} [{language}] {shown}")


def _espeak() -> Callable[[str, str], str]:
    from tts_export.engines.espeak.lib import library

    lib = library(engine="espeak")
    return lambda text, language: lib.phonemes(text, "cmn" if language == "zh" else "en-us")


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-espeak", action="store_true", help="Kokoro G2P only")
    parser.add_argument("--hostile", action="store_true", help="time long hostile runs only")
    args = parser.parse_args()
    if args.hostile:
        hostile()
        return
    g2p = G2P(load_vocab(data_dir()))
    espeak = None if args.no_espeak else _espeak()
    changed = 0
    for language, text in CASES:
        spoken = normalize(text, language=language)
        before, after = g2p(text), g2p(spoken)
        verdict = "same text" if spoken == text else "kokoro same" if before == after else "CHANGED"
        changed += verdict == "CHANGED"
        print(f"[{language}] {text}  →  {spoken}   ({verdict})")
        print(f"    kokoro raw : {before}")
        if spoken != text:
            print(f"    kokoro norm: {after}")
        if espeak is not None:
            print(f"    espeak raw : {espeak(text, language)}")
            if spoken != text:
                print(f"    espeak norm: {espeak(spoken, language)}")
    print(f"\n{len(CASES)} cases, {changed} where normalisation changes the Kokoro phonemes")


if __name__ == "__main__":
    main()
