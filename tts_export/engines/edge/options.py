"""Edge request options: engine settings and a realization in, checked request values out.

The voice name goes into SSML unescaped, so only names matching a strict
pattern pass; text goes out one sentence per request, refused above
``MAX_SSML_BYTES`` because edge-tts's own splitter does not split Chinese.
"""

from __future__ import annotations

import os
import re
from xml.sax.saxutils import escape

import edge_tts
import edge_tts.communicate
import edge_tts.constants
from edge_tts.data_classes import TTSConfig

from tts_export.errors import ConfigError, EngineError, VoiceError
from tts_export.models import Realization

URL_ENV = "TTS_EXPORT_EDGE_URL"
VOICE_PATTERN = re.compile(r"^[a-z]{2,3}-[A-Z]{2}(-[A-Za-z]+)?-[A-Za-z]+Neural$")
MAX_SSML_BYTES = 3072  # one request per sentence, far below the service's 4 KB


def prosody(realization: Realization) -> tuple[str, str]:
    """Edge's rate and pitch strings ("+10%", "+5Hz") for a valid realization.

    Raises:
        VoiceError: malformed voice name, speed outside 0.5-2.0, pitch outside ±100 Hz.
    """
    voice = realization.voice
    if not VOICE_PATTERN.fullmatch(voice):
        raise VoiceError(
            voice,
            "not an Edge voice name",
            hint="Edge voices look like zh-CN-XiaoxiaoNeural; list them with "
            "`tts-export voices --engine edge`",
        )
    if not 0.5 <= realization.speed <= 2.0:
        raise VoiceError(
            voice,
            f"speed {realization.speed} is outside 0.5-2.0",
            hint="set the profile's edge speed between 0.5 and 2.0",
        )
    if not -100 <= realization.pitch <= 100:
        raise VoiceError(
            voice,
            f"pitch {realization.pitch} Hz is outside -100..100",
            hint="set the profile's edge pitch between -100 and 100 Hz",
        )
    return f"{round((realization.speed - 1) * 100):+d}%", f"{int(realization.pitch):+d}Hz"


def check_size(text: str, voice: str, rate: str, pitch: str) -> None:
    """Refuse text whose SSML would not go out as one small request.

    Raises:
        EngineError: not retryable; the hint says to split the sentence.
    """
    config = TTSConfig(voice, rate, "+0%", pitch, "WordBoundary")
    escaped = escape(edge_tts.communicate.remove_incompatible_characters(text))
    size = len(edge_tts.communicate.mkssml(config, escaped).encode("utf-8"))
    if size > MAX_SSML_BYTES:
        raise EngineError(
            "edge",
            f"a sentence of {len(text)} characters makes {size} bytes of SSML "
            f"(limit {MAX_SSML_BYTES})",
            hint="split the sentence in the transcript; the Edge service takes one "
            "short sentence per request",
        )


def endpoint(url: str | None) -> str:
    """The websocket URL: the argument, else the environment, else edge-tts's default.

    Raises:
        ConfigError: not a ws:// or wss:// URL with a query string.
    """
    chosen = url or os.environ.get(URL_ENV) or edge_tts.constants.WSS_URL
    if not re.match(r"^wss?://[^\s?]+\?\S*$", chosen):
        source = "url" if url else URL_ENV
        raise ConfigError(
            source,
            chosen,
            "not a websocket URL with a query string",
            hint="use ws://HOST:PORT/PATH?KEY=VALUE or wss://...; edge-tts "
            "appends &ConnectionId=... to it",
        )
    return chosen


def check_range(
    setting: str, value: object, low: float, high: float, *, integer: bool = False
) -> None:
    """Refuse a setting that is not a number (a whole one when ``integer``) in ``low..high``.

    Raises:
        ConfigError: the wrong type (a bool never passes) or out of range.
    """
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not low <= value <= high:  # type: ignore[operator]
        kind = "a whole number" if integer else "a number"
        raise ConfigError(
            setting,
            value,
            f"must be {kind} from {low:g} to {high:g}",
            hint="edge takes rate/volume/pitch within the range named (e.g. rate = \"+10%\")",
        )
