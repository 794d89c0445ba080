"""The kokoro engine's options, checked before anything loads."""

from __future__ import annotations

from collections.abc import Mapping

from tts_export.engines.kokoro.tokens import MAX_TOKENS
from tts_export.errors import ConfigError

GROUP_MARGIN = 10  # tokens kept free in a group for separators and closing stops
MAX_PAUSE_CAP = 40  # frames (25 ms); see the engine module for why the cap exists


def check_options(
    threads: int | None,
    jobs: int | None,
    group_tokens: int | None,
    pause_cap: int | None,
    unknown: Mapping[str, object],
) -> None:
    """Raise on an unknown option or a value out of its range.

    Raises:
        ConfigError: an unknown option, threads/jobs out of 1-64, group_tokens out of
            16-500 or pause_cap out of 0-40.
    """
    if unknown:
        key = next(iter(unknown))
        raise ConfigError(
            f"engine option {key}",
            unknown[key],
            "unknown kokoro option",
            hint="the kokoro engine takes threads, jobs, group_tokens and pause_cap",
        )
    for label, value in (("threads", threads), ("jobs", jobs)):
        if value is not None and not (isinstance(value, int) and 1 <= value <= 64):
            raise ConfigError(
                f"kokoro {label}",
                value,
                "must be a whole number from 1 to 64",
                hint="e.g. --jobs 1, or leave it out for one call using every core",
            )
    limit = MAX_TOKENS - GROUP_MARGIN
    if group_tokens is not None and not (
        isinstance(group_tokens, int) and 16 <= group_tokens <= limit
    ):
        raise ConfigError(
            "kokoro group_tokens", group_tokens, f"must be a whole number from 16 to {limit}"
, hint="e.g. KokoroEngine(group_tokens=200), or leave it out for the default")
    if pause_cap is not None and not (
        isinstance(pause_cap, int) and 0 <= pause_cap <= MAX_PAUSE_CAP
    ):
        raise ConfigError(
            "kokoro pause_cap", pause_cap, f"must be a whole number from 0 to {MAX_PAUSE_CAP}"
, hint="e.g. KokoroEngine(pause_cap=8), or 0 for no cap")
