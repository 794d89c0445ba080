"""Speaker names → the gender they suggest: honorifics, then clear first names.

Casting reads this so that 闲哥, "Mrs Smith", "Jane" or 李娜 is not given a
voice of the other sex. Only a hint, and a cautious one: a wrong guess is
worse than none, so a name that is not clearly one gender gives None and the
speaker takes any voice. The first names are the bundled
``casting_names.toml`` (English first names; the endings of Chinese given
names).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

from tts_export.common.lang import is_cjk

# Name parts that suggest a gender (honorifics and kinship terms).
_MALE_HINTS = re.compile(r"(哥|先生|爷|叔|兄|弟|伯|男|爸|公子|^Mr\.?\s|\bhe\b|^Sir\s)")
_FEMALE_HINTS = re.compile(r"(姐|女士|妹|姨|娘|婆|妈|嫂|小姐|^Mrs\.?\s|^Ms\.?\s|^Miss\s|\bshe\b)")
_NAMES_FILE = "casting_names.toml"


def gender_hint(name: str) -> str | None:
    """ "male", "female" or None, from a speaker's name: honorifics, then the first name.

    The first name is looked up in the bundled ``casting_names.toml``: the first given
    name of a Latin label ("Dr. Anna Lee": Anna), or the last character of a short
    Chinese name (李娜, 王伟). Names that are not clearly one gender give None.
    """
    if _FEMALE_HINTS.search(name):
        return "female"
    if _MALE_HINTS.search(name):
        return "male"
    names = _names()
    given = _first_given_name(name)
    if given is not None:
        return names.english.get(given.casefold())
    name = name.strip()
    if (
        2 <= len(name) <= 4
        and all(is_cjk(ch) for ch in name)
        and not name.endswith(names.not_chinese)
    ):
        return names.chinese_endings.get(name[-1])
    return None


def _first_given_name(name: str) -> str | None:
    """The first word of a Latin label that is not a title ("Dr."), or None."""
    titles = _names().titles
    for word in name.split():
        word = word.strip(".,;")
        if word.casefold() not in titles:
            return word if word.isascii() and word[:1].isalpha() else None
    return None


@dataclass(frozen=True)
class _Names:
    english: Mapping[str, str]  # casefolded first name -> gender
    chinese_endings: Mapping[str, str]  # last character -> gender
    not_chinese: tuple[str, ...]  # words that end like a name but are not one
    titles: frozenset[str]  # casefolded titles that say nothing of the gender ("dr")


@functools.cache
def _names() -> _Names:
    data = tomllib.loads(
        importlib.resources.files("tts_export").joinpath(_NAMES_FILE).read_text("utf-8")
    )
    english = {n.casefold(): g for g in ("female", "male") for n in data["en"][g]}
    endings = {ch: g for g in ("female", "male") for ch in data["zh"][f"{g}_endings"]}
    titles = frozenset(t.casefold() for t in data["en"]["titles"])
    return _Names(english, endings, tuple(data["zh"]["not_names"]), titles)
