"""Text normalisation: spoken text in, numbers written out the way a news reader says them.

Only forms that an engine measurably misreads are rewritten (``bench/bench_normalize.py``
prints the Kokoro and espeak-ng phonemes before and after): years, dates, times,
money, percentages, ranges, decimals, thousands separators, a few units, and in
Chinese fractions and generations (``95后``); in English also ordinals of whole
hundreds and thousands (``1,000th``) and temperatures. Everything else is left as
written: plain integers, other ordinals, initialisms, and any number that is part
of a name, version or code (``GPT-4o``, ``iOS 18.1``, ``3D``, ``4K``, URLs,
``1-800-555-1234``), which the lexicon's pattern entries handle. The English
readings are in ``normalize_en``. Pure and deterministic; captions never see it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tts_export.common.lang import is_chinese
from tts_export.lexicon import normalize_en as en
from tts_export.lexicon.normalize_en import en_year

__all__ = ["en_year", "normalize", "zh_cardinal", "zh_digits", "zh_number"]

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _re(pattern: str) -> re.Pattern[str]:
    # ASCII: \d is 0-9 only, so the lookbehinds (written with 0-9) hold for every
    # digit a rule can start on; without it a run of full-width digits is quadratic.
    return re.compile(pattern, re.ASCII)


# Spans never rewritten: URLs, e-mail addresses, a Latin word joined to digits by
# a hyphen/dot/underscore (GPT-4o, COVID-19, node.js), dotted versions (1.2.3),
# digits glued to letters that are not a unit we read (3D, 4K, 5G, H100).
_UNITS_EN = {
    "km": ("kilometer", "kilometers"),
    "kg": ("kilogram", "kilograms"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"),
    "TB": ("terabyte", "terabytes"),
}
_UNITS_ZH = {"km": "公里", "kg": "公斤", "cm": "厘米", "mm": "毫米"}
_UNIT_ALT = "|".join(sorted(_UNITS_EN, key=len, reverse=True))
_PROTECT_COMMON = (
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://\S+|(?<![\w.])www\.\S+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)+"
    r"|(?<![\d.])\d+(?:\.\d+){2,}"
    rf"|(?<![\d.$€£¥￥])\d+(?!(?:{_UNIT_ALT}|s)(?![A-Za-z]))[A-Za-z][A-Za-z0-9]*"
    r"|(?<![A-Za-z])[A-Za-z]+\d[A-Za-z0-9]*"
)
# A product name and its version: "iOS 18.1", "Python 3.12" in Chinese; in English
# only names with an inner capital (iOS, macOS), as "grew 3.5" is ordinary prose.
_PROTECT_ZH = _re(
    rf"{_PROTECT_COMMON}|(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*\s?\d+(?:\.\d+)+"
)
_PROTECT_EN = _re(rf"{_PROTECT_COMMON}|(?<![A-Za-z])[a-z]+[A-Z][A-Za-z0-9]*\s?\d+(?:\.\d+)+")

_NUM = r"\d+(?:\.\d+)?"
_EN_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_DASH = r"[-‐‑–—~～]"
_NOT_BEFORE = r"(?<![A-Za-z0-9_.\-/:$€£¥￥])"
_NOT_AFTER = r"(?![A-Za-z0-9_/:]|[.,]\d)"
# A range's ends: at most four digits and no leading zero, and never a phone
# number (555-1234, 010-12345678).
_RANGE_NUM = r"(?:0|[1-9]\d{0,3})(?:\.\d+)?"
_RANGE_START = rf"{_NOT_BEFORE}(?!\d{{3}}{_DASH}\d{{4}}(?!\d))"
_THOUSANDS = _re(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,]|\.\d+\.)")

# ---------------------------------------------------------------- Chinese

_ZH_DIGITS = "零一二三四五六七八九"
_ZH_GROUPS = ("", "万", "亿", "万亿")


def _zh_small(n: int) -> str:
    """1..9999 in Chinese, inner zeros read once (一千零五)."""
    out = ""
    gap = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if not digit:
            gap = bool(out)
            continue
        out += ("零" if gap else "") + _ZH_DIGITS[digit] + unit
        gap = False
    return out


def zh_cardinal(n: int) -> str:
    """An integer in Chinese: 12000 → 一万二千, 15 → 十五, 2000 → 两千."""
    if n == 0:
        return "零"
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    out = ""
    gap = False
    for i in range(len(groups) - 1, -1, -1):
        group = groups[i]
        if not group:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _zh_small(group) + _ZH_GROUPS[i]
        gap = False
    if out.startswith("一十"):
        out = out[1:]
    if out[:2] in ("二千", "二万", "二亿"):
        out = "两" + out[1:]
    return out


def zh_number(text: str) -> str:
    """``"3.14"`` → 三点一四 (decimals digit by digit), ``"100"`` → 一百."""
    whole, _, fraction = text.partition(".")
    spoken = zh_cardinal(int(whole))
    return spoken + ("点" + zh_digits(fraction) if fraction else "")


def zh_digits(text: str) -> str:
    """Digit by digit, as years and codes are read: ``"2025"`` → 二零二五.

    二零, not 二〇: misaki's Mandarin G2P drops 〇 (measured in the bench).
    """
    return "".join(_ZH_DIGITS[int(c)] for c in text)


def _zh_range_end(text: str) -> str:
    """One end of a range: 2024 in 2024-2025 is a year (二零二四), 15 a quantity."""
    return zh_digits(text) if len(text) == 4 and 1000 <= int(text) < 2100 else zh_number(text)


def _zh_denominator(n: int) -> str:
    """9/1000 is 千分之九, not 一千分之九."""
    return {100: "百", 1000: "千", 10000: "万"}.get(n) or zh_cardinal(n)


def _zh_date(m: re.Match[str]) -> str:
    year, month, day = m.group(1), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m.group(0)
    return f"{zh_digits(year)}年{zh_cardinal(month)}月{zh_cardinal(day)}日"


def _zh_time(m: re.Match[str]) -> str:
    hour, minute, second = int(m.group(1)), int(m.group(2)), m.group(3)
    out = ("两" if hour == 2 else zh_cardinal(hour)) + "点"
    if minute or second:
        out += ("零" if minute < 10 else "") + zh_cardinal(minute) + "分"
    if second:
        out += zh_cardinal(int(second)) + "秒"
    return out


_ZH_MONEY = {
    "US$": "美元", "HK$": "港元", "$": "美元", "€": "欧元", "£": "英镑", "¥": "元", "￥": "元"
}  # fmt: skip
_ZH_RULES: tuple[_Rule, ...] = (
    (
        _re(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])"),
        _zh_date,
    ),
    (
        _re(rf"(?<!\d)(\d{{4}})\s*(?:{_DASH}|至|到)\s*(\d{{4}})(?=\s*年)"),
        lambda m: f"{zh_digits(m.group(1))}到{zh_digits(m.group(2))}",
    ),
    (_re(r"(?<![\d.])(\d{4})(?=\s*年)"), lambda m: zh_digits(m.group(1))),
    (
        _re(r"(?<![\d:.])([01]?\d|2[0-4])[:：]([0-5]\d)(?:[:：]([0-5]\d))?(?![\d:])"),
        _zh_time,
    ),
    (
        _re(rf"(US\$|HK\$|[$€£¥￥])\s?({_NUM})\s?(万亿|亿|万|千|百)?"),
        lambda m: zh_number(m.group(2)) + (m.group(3) or "") + _ZH_MONEY[m.group(1)],
    ),
    (
        _re(rf"{_NOT_BEFORE}({_NUM})[%％]?\s?(?:{_DASH}|至|到)\s?({_NUM})[%％]"),
        lambda m: f"百分之{zh_number(m.group(1))}到百分之{zh_number(m.group(2))}",
    ),
    (_re(rf"{_NOT_BEFORE}({_NUM})\s?[%％]"), lambda m: "百分之" + zh_number(m.group(1))),
    (
        _re(rf"(-|−|零下)?(?<![\d.])({_NUM})\s?(?:°C|℃)"),
        lambda m: ("零下" if m.group(1) else "") + zh_number(m.group(2)) + "摄氏度",
    ),
    (
        _re(rf"{_NOT_BEFORE}({_NUM})\s?(km|kg|cm|mm)(?![A-Za-z])"),
        lambda m: zh_number(m.group(1)) + _UNITS_ZH[m.group(2)],
    ),
    (
        _re(rf"{_RANGE_START}({_RANGE_NUM})\s?(?:{_DASH})\s?({_RANGE_NUM}){_NOT_AFTER}"),
        lambda m: "到".join(_zh_range_end(m.group(i)) for i in (1, 2)),
    ),
    (_re(r"(?<![\d.])([016789][05])(?=后)"), lambda m: zh_digits(m.group(1))),
    (
        _re(rf"{_NOT_BEFORE}(\d{{1,3}})/(\d{{1,5}}){_NOT_AFTER}"),
        lambda m: f"{_zh_denominator(int(m.group(2)))}分之{zh_cardinal(int(m.group(1)))}",
    ),
    (_re(r"(?<=\d)\s?×\s?(?=\d)"), lambda m: "乘"),
    (_re(rf"{_NOT_BEFORE}(\d+\.\d+){_NOT_AFTER}"), lambda m: zh_number(m.group(1))),
)

# ---------------------------------------------------------------- English

# A number that runs on into another dash and digit (2025-13-45, 1-800-555-1234)
# is a code, not a range or a year.
_EN_NOT_AFTER = rf"{_NOT_AFTER}(?!{_DASH}\d)"
_EN_RANGE_NUM = rf"(?:[1-9]\d{{0,2}}(?:,\d{{3}})+|{_RANGE_NUM})"
_CLOCK = r"([01]?\d|2[0-3]):([0-5]\d)"
_AM_PM = r"(\s?[ap]\.?m\b)"


def _en_rules(*, day_first: bool) -> tuple[_Rule, ...]:
    """The English rules; ``day_first`` reads 3/5/2025 as the 3rd of May (outside the US)."""
    # Dates first (a date holds a year and dashes), then ranges; years before the
    # money, time and unit rules, which write plain digits ("1234 dollars") that
    # must not be read as years afterwards.
    return (
        (
            _re(rf"{_NOT_BEFORE}(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_EN_NOT_AFTER}"),
            en.iso_date,
        ),
        (
            _re(rf"{_NOT_BEFORE}(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_EN_NOT_AFTER}"),
            en.slash_date(day_first),
        ),
        (
            _re(rf"(?<![\d:.]){_CLOCK}\s?{_DASH}\s?{_CLOCK}(?![\d:]){_AM_PM}?"),
            en.time_range,
        ),
        (
            _re(
                rf"{_RANGE_START}({_EN_RANGE_NUM})(%?)\s?{_DASH}\s?({_EN_RANGE_NUM})"
                rf"{_EN_NOT_AFTER}"
            ),
            en.number_range,
        ),
        (_re(r"(?<![\w'’])(1[1-9]\d0|20\d0)['’]?s\b"), en.decade),
        (_re(r"(?<![\w'’])['’]?([1-9]0)['’]?s\b"), en.short_decade),
        (
            _re(
                rf"{_NOT_BEFORE}(1[1-9]\d\d|20\d\d){_EN_NOT_AFTER}"
                rf"(?!\s?(?:%|percent\b|(?:{_UNIT_ALT})(?![A-Za-z])))"
            ),
            en.year,
        ),
        (
            _re(
                rf"(US\$|HK\$|[$€£¥￥])\s?({_EN_NUM})"
                r"(\s(?:thousand|million|billion|trillion)\b|(?:bn|mn|[kmb])(?![A-Za-z]))?"
            ),
            en.money,
        ),
        (_re(rf"(?<![\d:.]){_CLOCK}(?![\d:]){_AM_PM}?"), en.time),
        (
            _re(rf"\b({en.MONTHS})\.?\s(\d{{1,2}})(?![\d:]|st|nd|rd|th)"),
            en.month_day,
        ),
        (
            _re(rf"(\b[Tt]he\s)?{_NOT_BEFORE}(\d{{1,2}})\s({en.MONTHS})\b(?!\s?\d{{1,2}}\b)"),
            en.day_month,
        ),
        (_re(rf"(?<![\d.])({_EN_NUM})\s?(?:°\s?([CF])(?![A-Za-z])|℃)"), en.temperature),
        (
            _re(rf"{_NOT_BEFORE}({_EN_NUM})\s?({_UNIT_ALT})(?![A-Za-z])"),
            lambda m: f"{m.group(1)} {_UNITS_EN[m.group(2)][m.group(1) != '1']}",
        ),
        (
            _re(rf"{_NOT_BEFORE}((?:\d{{1,3}}(?:,\d{{3}})+|\d+)\.\d+){_NOT_AFTER}"),
            lambda m: en.en_decimal(m.group(1)),
        ),
    )


_EN_RULES = _en_rules(day_first=False)
_EN_RULES_DAY_FIRST = _en_rules(day_first=True)
# Month first only where it is written so: the US (and an untagged "en", which
# the bundled voices read as American English).
_MONTH_FIRST_REGIONS = frozenset({"", "us", "um", "pr", "as", "gu", "vi"})
# Ordinals are digits glued to letters, which the name guard keeps; this one pass
# runs before it, on ordinals that stand alone (not GPT-100th, not v2nd).
_EN_ORDINAL = _re(r"(?<![\w.,\-/])(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)\b")
# A comma after the last group ends the clause ("12,000, then"). The Chinese pass
# (_THOUSANDS) is left as it was: no Chinese reading changes here.
_EN_THOUSANDS = _re(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?!\d|,\d|\.\d+\.)")


# ---------------------------------------------------------------- entry point


def _rewrite(text: str, rules: tuple[_Rule, ...], chinese: bool) -> str:
    if chinese:  # espeak-ng's Mandarin reads a bare 12000 as 十二千: Chinese gets the words
        text = _THOUSANDS.sub(lambda m: zh_cardinal(int(m.group(0).replace(",", ""))), text)
    for pattern, spoken in rules:
        text = pattern.sub(spoken, text)
    if not chinese:  # last, so that "2,025 people" never looks like a year
        text = _EN_THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    return text


def normalize(text: str, *, language: str) -> str:
    """Numbers, money, dates, times, ranges and units in ``text`` written as they are said.

    Args:
        text: a sentence's spoken text (after the lexicon).
        language: the sentence's language; Chinese tags (``zh``, ``zh-CN``) get
            Mandarin readings, ``en`` English ones, anything else is returned as is.

    Returns:
        The text with recognised numbers rewritten; names, versions and URLs untouched.
    """
    if is_chinese(language):
        rules, protect = _ZH_RULES, _PROTECT_ZH
    elif (tag := language.strip().replace("_", "-").lower().split("-"))[0] == "en":
        region = tag[1] if len(tag) > 1 else ""  # the primary subtag and the region together
        rules = _EN_RULES if region in _MONTH_FIRST_REGIONS else _EN_RULES_DAY_FIRST
        protect = _PROTECT_EN
        text = _EN_ORDINAL.sub(en.ordinal, text)
    else:
        return text
    out: list[str] = []
    last = 0
    for m in protect.finditer(text):
        out += [_rewrite(text[last : m.start()], rules, rules is _ZH_RULES), m.group(0)]
        last = m.end()
    out.append(_rewrite(text[last:], rules, rules is _ZH_RULES))
    return "".join(out)
