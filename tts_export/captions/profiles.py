"""Caption profiles: a profile name and language in, a table of caption limits out.

Each profile is a small table of the numbers in ``STANDARDS.md``:

- ``netflix`` (default): Netflix timed-text guides. 16 full-width characters
  per line in Chinese (zh-Hans), 42 in English; 9 characters per second in
  Chinese, 20 in English (adult programmes).
- ``bbc``: BBC subtitle guidelines. 37 characters per line in English (the
  BBC's 68 %-of-width line), reading speed 160-180 words per minute (180 is
  the limit here, about 15 characters per second). The BBC has no Chinese
  rules: Chinese uses the Netflix zh-Hans numbers.
- ``podcast``: Podcasting 2.0 captions, 2 lines of at most 32 characters.
  Chinese widths are counted in full-width cells (a half-width character is
  0.5), so 32 half-width characters are 16 cells there.

Timing is the same for all three (Netflix timing guide): 5/6 s to 7 s per
cue, at least 2 frames (83 ms at 24 fps) between cues, gaps of 0.5 s or less
closed to 2 frames, a cue starting within 100 ms of its speech.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tts_export.common.lang import is_chinese
from tts_export.errors import ConfigError


@dataclass(frozen=True)
class CaptionProfile:
    """The limits captions are built to and checked against.

    Attributes:
        name: the profile name ("netflix", "bbc", "podcast").
        language: "zh" or "en": which column of the standards applies.
        max_chars: line width limit, counted with ``lang.display_width``.
        max_lines: lines per cue.
        min_ms: shortest cue (5/6 s).
        max_ms: longest cue.
        min_gap_ms: shortest gap between two cues (2 frames at 24 fps).
        chain_gap_ms: gaps up to this long are closed to ``min_gap_ms``.
        sync_ms: how far a cue start may sit from its speech start.
        max_cps: reading speed limit in characters per second (soft).
        max_wpm: reading speed limit in words per minute (English, BBC), or None.
    """

    name: str
    language: str
    max_chars: float
    max_lines: int = 2
    min_ms: int = 833
    max_ms: int = 7000
    min_gap_ms: int = 83
    chain_gap_ms: int = 500
    sync_ms: int = 100
    max_cps: float = 20.0
    max_wpm: float | None = None


# (profile, language) -> (max_chars, max_cps, max_wpm)
_TABLE: dict[tuple[str, str], tuple[float, float, float | None]] = {
    ("netflix", "zh"): (16.0, 9.0, None),
    ("netflix", "en"): (42.0, 20.0, None),
    ("bbc", "zh"): (16.0, 9.0, None),
    ("bbc", "en"): (37.0, 15.0, 180.0),
    ("podcast", "zh"): (16.0, 9.0, None),
    ("podcast", "en"): (32.0, 20.0, None),
}


def names() -> tuple[str, ...]:
    """The caption profile names, in the order of the table: netflix, bbc, podcast."""
    return tuple(dict.fromkeys(profile for profile, _ in _TABLE))


def language_key(language: str) -> str:
    """Which column of the standards applies: "zh" for any Chinese tag, "en" otherwise.

    Args:
        language: a BCP-47 tag (``zh``, ``zh-Hans``, ``zh-CN``, ``en-GB`` ...).

    Returns:
        "zh" or "en".
    """
    return "zh" if is_chinese(language) else "en"


def get_profile(
    name: str,
    *,
    language: str,
    max_chars: float | None = None,
    max_lines: int | None = None,
) -> CaptionProfile:
    """The caption limits for a profile and language, with user overrides.

    Args:
        name: "netflix", "bbc" or "podcast" (case-insensitive).
        language: BCP-47 tag of the captions; any "zh*" tag is Chinese, any
            other language uses the English column.
        max_chars: overrides the line width (``--max-chars``).
        max_lines: overrides the lines per cue (``--max-lines``).

    Returns:
        The frozen profile.

    Raises:
        ConfigError: unknown profile name, or an override out of range.
    """
    key = name.strip().lower()
    if key not in names():
        raise ConfigError(
            "captions",
            name,
            "unknown caption profile",
            hint="use one of: " + ", ".join(names()),
        )
    lang = language_key(language)
    chars, cps, wpm = _TABLE[(key, lang)]
    profile = CaptionProfile(name=key, language=lang, max_chars=chars, max_cps=cps, max_wpm=wpm)
    if max_chars is not None:
        if not 4 <= max_chars <= 200:
            raise ConfigError(
                "max-chars", max_chars, "line width out of range", hint="use 4 to 200"
            )
        profile = replace(profile, max_chars=float(max_chars))
    if max_lines is not None:
        if not 1 <= max_lines <= 4:
            raise ConfigError(
                "max-lines", max_lines, "lines per cue out of range", hint="use 1 to 4"
            )
        profile = replace(profile, max_lines=int(max_lines))
    return profile
