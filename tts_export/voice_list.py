"""Voice lists: an engine name in, that engine's own voices out ({"name", "gender", "locale"}).

Edge's list comes from a snapshot bundled with the package, so it works
offline; ``refresh=True`` fetches the live list instead. Kokoro's comes from
its voice file; its ids say language and gender (``zf_`` = Mandarin, female).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
from importlib import resources
from typing import Any

import aiohttp

from .errors import ConfigError, EngineUnavailable

REFRESH_TIMEOUT_S = 15.0
BUNDLED_FILE = "edge_voices.json"
_ENGINES = ("edge", "kokoro", "espeak")
# Kokoro voice ids start with a language letter and a gender letter.
_KOKORO_LANG = {
    "a": "en-US",
    "b": "en-GB",
    "j": "ja-JP",
    "z": "zh-CN",
    "e": "es-ES",
    "f": "fr-FR",
    "h": "hi-IN",
    "i": "it-IT",
    "p": "pt-BR",
}
_KOKORO_GENDER = {"f": "female", "m": "male"}

Row = dict[str, str]


def list_voices(engine: str, *, lang: str | None = None, refresh: bool = False) -> list[Row]:
    """The voices ``engine`` offers, optionally only those of one language.

    Args:
        engine: "edge", "kokoro" or "espeak".
        lang: "zh" keeps every zh-* locale; "zh-CN" keeps zh-CN and its
            sub-regions (zh-CN-liaoning); case does not matter.
        refresh: Edge only: fetch the live list (needs the internet).

    Returns:
        Rows {"name", "gender", "locale"} sorted by locale then name.

    Raises:
        ConfigError: unknown engine, or an engine that has no voice list.
        EngineUnavailable: the live Edge list could not be fetched, or the
            engine cannot run here.
    """
    if engine == "edge":
        rows = _edge_live() if refresh else bundled_edge_voices()
    elif engine == "kokoro":
        rows = _kokoro_voices()
    elif engine == "espeak":
        rows = _espeak_voices()
    else:
        raise ConfigError(
            "engine", engine, "no such engine", hint=f"choose one of {', '.join(_ENGINES)}"
        )
    return sorted(
        (r for r in rows if matches(r["locale"], lang)), key=lambda r: (r["locale"], r["name"])
    )


def matches(locale: str, lang: str | None) -> bool:
    """Whether ``locale`` is ``lang`` or a region of it, by whole subtags."""
    if not lang:
        return True
    loc, want = locale.lower(), lang.lower().replace("_", "-")
    return loc == want or loc.startswith(want + "-")


@functools.cache
def _bundled() -> tuple[tuple[str, str, str], ...]:
    """(name, gender, locale) per bundled Edge voice.

    Raises:
        EngineUnavailable: the snapshot is missing from the installation or damaged.
    """
    try:
        resource = resources.files("tts_export").joinpath("data", BUNDLED_FILE)
        data: dict[str, Any] = json.loads(resource.read_text("utf-8"))
        return tuple((v["name"], v["gender"], v["locale"]) for v in data["voices"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineUnavailable(
            "edge",
            f"the bundled voice list tts_export/data/{BUNDLED_FILE} cannot be read ({exc})",
            hint="reinstall tts-export, or fetch the live list with --refresh",
        ) from None


def bundled_edge_voices() -> list[Row]:
    """The Edge voice list shipped with the package (works offline).

    Raises:
        EngineUnavailable: the snapshot is missing or damaged.
    """
    return [{"name": n, "gender": g, "locale": loc} for n, g, loc in _bundled()]


def bundled_edge_names() -> frozenset[str]:
    """Names of the bundled Edge voices.

    Raises:
        EngineUnavailable: the snapshot is missing or damaged.
    """
    return frozenset(name for name, _, _ in _bundled())


def _edge_live() -> list[Row]:
    """Edge's live list, fetched once with a timeout.

    Raises:
        EngineUnavailable: the service could not be reached or answered badly.
    """
    import edge_tts
    import edge_tts.exceptions

    async def fetch() -> list[Any]:
        return list(await asyncio.wait_for(edge_tts.list_voices(), REFRESH_TIMEOUT_S))

    from .engines.edge import network_reason

    try:
        voices = asyncio.run(fetch())
    except (aiohttp.ClientError, OSError, ValueError, edge_tts.exceptions.EdgeTTSException) as exc:
        raise EngineUnavailable(
            "edge",
            f"could not fetch the live voice list: {network_reason(exc)}",
            hint="the bundled list works offline: run the command without --refresh",
        ) from None
    return [
        {
            "name": str(v["ShortName"]),
            "gender": str(v["Gender"]).lower(),
            "locale": str(v["Locale"]),
        }
        for v in voices
        if "ShortName" in v and "Locale" in v
    ]


def _kokoro_voices() -> list[Row]:
    """Voices in Kokoro's voice file, with language and gender from their id.

    Raises:
        EngineUnavailable: the kokoro engine cannot run here.
    """
    from .engines.kokoro import KokoroEngine

    rows = []
    for vid in KokoroEngine().voices():
        head = vid.split("_", 1)[0]
        rows.append(
            {
                "name": vid,
                "gender": _KOKORO_GENDER.get(head[1:2], "unknown"),
                "locale": _KOKORO_LANG.get(head[:1], "und"),
            }
        )
    return rows


def _espeak_voices() -> list[Row]:
    """espeak's list, when the espeak engine module publishes one.

    Raises:
        ConfigError: it does not.
        EngineUnavailable: espeak-ng cannot be loaded.
    """
    try:
        module = importlib.import_module("tts_export.engines.espeak")
    except ImportError:
        module = None
    listing = getattr(module, "list_voices", None) if module is not None else None
    if listing is None:
        raise ConfigError(
            "engine",
            "espeak",
            "this engine has no voice list",
            hint="espeak voices are espeak-ng language codes (cmn, en-us, en-gb) with an "
            "optional variant (+f1..+f5, +m1..+m8), e.g. cmn+f3",
        )
    rows = listing()
    return [
        {
            "name": str(r["name"]),
            "gender": str(r.get("gender", "unknown")),
            "locale": str(r.get("locale", "und")),
        }
        for r in rows
    ]
