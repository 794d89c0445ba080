"""Language helpers: text → "zh"/"en", CJK character classes, caption widths.

Shared by the parse, script and caption stages so that every stage agrees on
what counts as a Chinese character and how wide a caption line is.
"""

from __future__ import annotations

import re
import unicodedata

# Han ideographs: unified (basic and extensions A-H), compatibility, and the
# ideographic zero. Kana and Hangul are not Han, so they do not make text "zh".
_HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x323AF),
)

# The body of a regex character class matching one Han character; the only copy.
HAN_CLASS = "".join(f"{chr(low)}-{chr(high)}" for low, high in _HAN_RANGES)
HAN = re.compile(f"[{HAN_CLASS}]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# East Asian wide and full-width blocks (an approximation of unicodedata's W/F
# classes that a regex can count quickly; display_width uses the exact classes).
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd]"
)

# How many Latin letters weigh as much as one Han character when deciding the
# language: one Chinese character carries about as much as a short English
# word, so a Chinese text with English product names stays "zh".
_LATIN_PER_HAN = 3


def is_cjk(ch: str) -> bool:
    """True when ``ch`` is a Han ideograph (Chinese character).

    Args:
        ch: a single character; longer strings are judged by their first one.

    Returns:
        Whether the character is in one of the CJK ideograph blocks.
    """
    if not ch:
        return False
    code = ord(ch[0])
    if code < 0x3007:
        return False
    if 0x4E00 <= code <= 0x9FFF:
        return True
    return any(low <= code <= high for low, high in _HAN_RANGES)


def count_han(text: str) -> int:
    """How many Han characters ``text`` holds."""
    return len(text) - len(HAN.sub("", text))


def has_han(text: str) -> bool:
    """True when ``text`` holds at least one Han character."""
    return HAN.search(text) is not None


def primary_subtag(language: str) -> str:
    """A language tag's primary subtag, lower case: ``zh-Hans``, ``zh_CN``, `` ZH`` give ``zh``.

    The one parse of a language tag: every stage that asks "which language is
    this?" asks it here, so ``en_US`` and ``en-US`` never disagree.
    """
    return language.strip().replace("_", "-").split("-")[0].lower()


def is_chinese(language: str) -> bool:
    """True for any Chinese language tag (``zh``, ``zh-Hans``, ``zh-CN``, ``ZH``)."""
    return primary_subtag(language) == "zh"


def is_fullwidth(ch: str) -> bool:
    """True when ``ch`` takes a full cell in East Asian typography (wide or full-width)."""
    return bool(ch) and unicodedata.east_asian_width(ch[0]) in ("W", "F")


def count_wide(text: str) -> int:
    """How many characters of ``text`` take a full cell (Han, kana, Hangul, full-width forms)."""
    return len(text) - len(_WIDE.sub("", text))


def detect_language(text: str) -> str:
    """Guess whether ``text`` is Chinese or English.

    Chinese wins when Han characters dominate: at least one Han character per
    three Latin letters. Anything else (including empty text) is English.

    Args:
        text: any text; only letters are counted.

    Returns:
        ``"zh"`` or ``"en"``.
    """
    han = count_han(text)
    latin = len(text) - len(_LATIN_LETTER.sub("", text))
    if han and han * _LATIN_PER_HAN >= latin:
        return "zh"
    return "en"


def display_width(text: str, language: str) -> float:
    """Width of ``text`` as caption standards count it.

    Chinese (Netflix zh-Hans): full-width characters count 1, half-width ones
    (Latin letters, digits, spaces, ASCII punctuation) count 0.5. Other
    languages: every character counts 1. Combining marks count 0 everywhere.

    Args:
        text: one caption line.
        language: BCP-47 primary subtag ("zh", "en", ...).

    Returns:
        The width in character cells.
    """
    if is_chinese(language):
        width = 0.0
        for ch in text:
            if unicodedata.combining(ch):
                continue
            width += 1.0 if is_fullwidth(ch) else 0.5
        return width
    return float(sum(1 for ch in text if not unicodedata.combining(ch)))
