"""English number readings: a matched number, date, time or amount → the words a news reader says.

The patterns that find them are in ``normalize`` (with the Chinese ones, as
they share the guards that keep names and versions out); these are the
replacement functions. Where an engine reads a form right, the digits are kept
("1234 dollars", "March 5th"): only what was measurably misread is spelled out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EN_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
MONTHS = "|".join(MONTH_NAMES) + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
# Abbreviations said in full: engines read "Jan", "Mar", "Sept" as words.
_MONTH_OF = {name[:3]: name for name in MONTH_NAMES} | {"Sept": "September"}
_DAYS_IN = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def en_two(n: int) -> str:
    """0..99 in English words: 25 → twenty-five."""
    if n < 20:
        return _EN_ONES[n]
    return _EN_TENS[n // 10] + (f"-{_EN_ONES[n % 10]}" if n % 10 else "")


def en_year(year: int) -> str | None:
    """A year as it is said (1990 → nineteen ninety, 2025 → twenty twenty-five).

    None for 2000-2009 and whole thousands, which engines already read as
    "two thousand (and) five".
    """
    high, low = divmod(year, 100)
    if year % 1000 == 0 or 2000 <= year <= 2009:
        return None
    if low == 0:
        return f"{en_two(high)} hundred"
    return f"{en_two(high)} {'oh ' + _EN_ONES[low] if low < 10 else en_two(low)}"


def year(m: re.Match[str]) -> str:
    """The year in group 1, said as a year (digits kept where engines read them)."""
    return en_year(int(m.group(1))) or m.group(1)


def _plural(tens: str) -> str:
    return tens[:-1] + "ies" if tens.endswith("y") else tens + "s"


def decade(m: re.Match[str]) -> str:
    """``1990s`` → nineteen nineties, ``2000s`` → two thousands."""
    value = int(m.group(1))
    high, low = divmod(value, 100)
    if value % 1000 == 0:
        return f"{en_two(value // 1000)} thousands"
    if low == 0:
        return f"{en_two(high)} hundreds"
    return f"{en_two(high)} {_plural(en_two(low))}"


def short_decade(m: re.Match[str]) -> str:
    """``'90s`` → nineties (engines said "ninety z")."""
    return _plural(en_two(int(m.group(1))))


def en_decimal(text: str) -> str:
    """``"3.14"`` → "3 point 1 4": the engine reads the digits, the point is said."""
    whole, _, fraction = text.replace(",", "").partition(".")
    return f"{whole} point {' '.join(fraction)}" if fraction else whole


def ordinal_suffix(n: int) -> str:
    """The written ordinal ending of ``n``: 1 → st, 12 → th, 22 → nd."""
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _date(year_text: str, month: int, day: int) -> str | None:
    """March 5th, twenty twenty-five; None for a month or day that cannot be."""
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN[month - 1]):
        return None
    said = en_year(int(year_text)) or str(int(year_text))
    return f"{MONTH_NAMES[month - 1]} {day}{ordinal_suffix(day)}, {said}"


def iso_date(m: re.Match[str]) -> str:
    """``2025-03-05`` → March 5th, twenty twenty-five (engines said "dash zero three")."""
    return _date(m.group(1), int(m.group(2)), int(m.group(3))) or m.group(0)


def slash_date(day_first: bool) -> Callable[[re.Match[str]], str]:
    """``3/5/2025`` read month first (US) or day first; a part over 12 decides either way."""

    def spoken(m: re.Match[str]) -> str:
        first, second = int(m.group(1)), int(m.group(2))
        month, day = (second, first) if day_first else (first, second)
        if month > 12 and day <= 12:
            month, day = day, month
        return _date(m.group(3), month, day) or m.group(0)

    return spoken


def month_day(m: re.Match[str]) -> str:
    """``March 5`` → March 5th, ``Jan 5`` → January 5th (engines said "March five")."""
    day = int(m.group(2))
    return f"{_MONTH_OF.get(m.group(1), m.group(1))} {day}{ordinal_suffix(day)}"


def day_month(m: re.Match[str]) -> str:
    """``5 March`` → the 5th of March (engines said "five March")."""
    day = int(m.group(2))
    if not 1 <= day <= 31:
        return m.group(0)
    month = _MONTH_OF.get(m.group(3), m.group(3))
    return f"{m.group(1) or 'the '}{day}{ordinal_suffix(day)} of {month}"


def ordinal(m: re.Match[str]) -> str:
    """``1,000th`` → 1 thousandth, ``1500th`` → 1000 5 hundredth, ``1,234th`` → 1234th.

    Engines read a whole hundred's or thousand's ordinal as "one hundred th";
    other ordinals they say right once the commas are gone.
    """
    n = int(m.group(1).replace(",", ""))
    if not n:
        return m.group(0)
    if n % 100:
        return f"{n}{m.group(2)}"
    scales = ((10**9, 10**12, "billion"), (10**6, 10**9, "million"), (1000, 10**6, "thousand"))
    size, group, word = next((s for s in scales if n % s[0] == 0), (100, 1000, "hundred"))
    head, count = n - n % group, n % group // size
    return f"{head} {count} {word}th" if head else f"{count} {word}th"


_EN_MONEY = {
    "US$": ("US dollar", "US dollars"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars"),
    "$": ("dollar", "dollars"),
    "€": ("euro", "euros"),
    "£": ("pound", "pounds"),
    "¥": ("yen", "yen"),
    "￥": ("yen", "yen"),
}
_EN_SCALE = {"k": "thousand", "m": "million", "mn": "million", "bn": "billion", "b": "billion"}


def money(m: re.Match[str]) -> str:
    """``$1,234.56`` → 1234 dollars and 56 cents; ``€3.5m`` → 3 point 5 million euros."""
    one, many = _EN_MONEY[m.group(1)]
    amount, scale = m.group(2).replace(",", ""), m.group(3) or ""
    scale = _EN_SCALE.get(scale.strip().lower(), scale.strip())
    if scale:
        return f"{en_decimal(amount)} {scale} {many}"
    whole, _, cents = amount.partition(".")
    unit = one if whole == "1" else many
    if len(cents) == 2 and m.group(1) in ("$", "US$", "HK$", "€"):
        cent_word = "cent" if cents == "01" else "cents"
        return f"{whole} {unit}" + (f" and {int(cents)} {cent_word}" if int(cents) else "")
    return f"{en_decimal(amount)} {unit}"


def clock(hour_text: str, minute: str, *, suffixed: bool = False) -> str:
    """``10:05`` → 10 oh 5, ``10:00`` → 10 o'clock, ``17:00`` → 17 hundred, ``09:30`` → 9 30.

    A leading zero is dropped (engines said "zero nine"); "o'clock" is only
    for the twelve-hour clock and never before a.m./p.m.
    """
    hour = int(hour_text)
    if minute == "00":
        if suffixed:
            return str(hour)
        return f"{hour} o'clock" if 1 <= hour <= 12 else f"{hour} hundred"
    return f"{hour} {'oh ' + minute[1] if minute[0] == '0' else minute}"


def time(m: re.Match[str]) -> str:
    """A clock time (hour, minute, optional a.m./p.m. in group 3)."""
    return clock(m.group(1), m.group(2), suffixed=bool(m.group(3))) + (m.group(3) or "")


def time_range(m: re.Match[str]) -> str:
    """``9:00-17:00`` → 9 o'clock to 17 hundred."""
    end = clock(m.group(3), m.group(4), suffixed=bool(m.group(5)))
    return f"{clock(m.group(1), m.group(2))} to {end}{m.group(5) or ''}"


def number_range(m: re.Match[str]) -> str:
    """``1-2`` → 1 to 2, ``10%-20%`` → 10% to 20% (the engines said "dash" or "minus")."""
    return f"{m.group(1)}{m.group(2)} to {m.group(3)}"


def temperature(m: re.Match[str]) -> str:
    """``25°C`` → 25 degrees Celsius (engines said "degrees C")."""
    scale = "Fahrenheit" if m.group(2) == "F" else "Celsius"
    return f"{m.group(1)} degrees {scale}"
