"""Edge's voices: the snapshot bundled with the package (offline), or the live list.

``refresh=True`` fetches the live list from the service (needs the internet).
"""

from __future__ import annotations

import asyncio
import functools
import json
from importlib import resources
from typing import Any

import aiohttp

from tts_export.engines.edge.network import network_reason
from tts_export.errors import EngineUnavailable
from tts_export.models import EngineVoice

REFRESH_TIMEOUT_S = 15.0
BUNDLED_FILE = "voices.json"


@functools.cache
def _bundled(name: str) -> tuple[EngineVoice, ...]:
    """The bundled snapshot, read once.

    Raises:
        EngineUnavailable: the snapshot is missing from the installation or damaged.
    """
    try:
        resource = resources.files("tts_export.engines.edge").joinpath(name)
        data: dict[str, Any] = json.loads(resource.read_text("utf-8"))
        return tuple(
            EngineVoice(engine="edge", name=v["name"], gender=v["gender"], locale=v["locale"])
            for v in data["voices"]
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineUnavailable(
            "edge",
            f"the bundled voice list tts_export/engines/edge/{name} cannot be read ({exc})",
            hint="reinstall tts-export, or fetch the live list with --refresh",
        ) from None


def bundled_edge_names() -> frozenset[str]:
    """Names of the bundled Edge voices.

    Raises:
        EngineUnavailable: the snapshot is missing or damaged.
    """
    return frozenset(v.name for v in _bundled(BUNDLED_FILE))


def list_voices(*, refresh: bool = False) -> tuple[EngineVoice, ...]:
    """Edge's voices: the bundled snapshot, or with ``refresh`` the live list.

    Raises:
        EngineUnavailable: the snapshot is damaged, or the live list could not be fetched.
    """
    return _live() if refresh else _bundled(BUNDLED_FILE)


def _live() -> tuple[EngineVoice, ...]:
    """Edge's live list, fetched once with a timeout.

    Raises:
        EngineUnavailable: the service could not be reached or answered badly.
    """
    import edge_tts
    import edge_tts.exceptions

    async def fetch() -> list[Any]:
        return list(await asyncio.wait_for(edge_tts.list_voices(), REFRESH_TIMEOUT_S))

    try:
        voices = asyncio.run(fetch())
    except (aiohttp.ClientError, OSError, ValueError, edge_tts.exceptions.EdgeTTSException) as exc:
        raise EngineUnavailable(
            "edge",
            f"could not fetch the live voice list: {network_reason(exc)}",
            hint="the bundled list works offline: run the command without --refresh",
        ) from None
    return tuple(
        EngineVoice(
            engine="edge",
            name=str(v["ShortName"]),
            gender=str(v["Gender"]).lower(),
            locale=str(v["Locale"]),
        )
        for v in voices
        if "ShortName" in v and "Locale" in v
    )
