"""A loopback fake of Microsoft's Edge read-aloud service, for the real edge_tts client.

It speaks the websocket protocol edge-tts 7.3 expects (docs/DESIGN.md, "Engines"):
``turn.start``; binary audio frames (2-byte big-endian header length, headers
ending in CRLF with ``Path:audio`` not first, then MP3 bytes); one
``WordBoundary`` per ``audio.metadata`` message; ``turn.end``. The audio is
real MP3 (24 kHz mono 48 kbit/s, no Xing header, as the service sends), made
with the bundled ffmpeg, and its length follows the text of the SSML it
receives: 200 ms per Han character, 300 ms per Latin word.

Faults are injected per connection, in order (``script``), or for every
request whose text contains a marker (``fail_texts``):

- ``"403"`` (any HTTP status): refuse the websocket handshake with it.
- ``"truncate"``: send about a third of the audio, then close normally (the
  client sees no error, only short audio).
- ``"drop"``: send about a third of the audio, then drop the TCP connection.
- ``"hang"``: accept the TCP connection but never answer the websocket handshake.
- ``"stall"``: send the start of the turn, then nothing until the client leaves.
- ``"noaudio"``: ``turn.start`` then ``turn.end`` at once.
- ``"wserror"``: send a malformed websocket frame (a protocol error).
- ``"silent"``: a turn whose audio is digital silence.
- ``"delay:SECONDS"``: wait, then answer normally.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import subprocess
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape

import imageio_ffmpeg
from aiohttp import WSMsgType, web

from tts_export.common.lang import HAN, HAN_CLASS

MS_PER_CJK = 200
MS_PER_WORD = 300
LEAD_MS = 50  # the service starts each clip with a little silence
CHUNK_BYTES = 1440  # ~240 ms of 48 kbit/s audio per binary frame
TICKS_PER_MS = 10_000
_TOKEN = re.compile(f"[{HAN_CLASS}]|[A-Za-z0-9]+(?:['.-][A-Za-z0-9]+)*")
_VOICE = re.compile(r"<voice name='([^']*)'>")
_PROSODY = re.compile(
    r"<prosody pitch='([^']*)' rate='([^']*)' volume='[^']*'>(.*)</prosody>", re.S
)


@dataclass(frozen=True)
class Request:
    """One synthesis request the fake received (after a successful handshake)."""

    voice: str
    text: str
    rate: str
    pitch: str
    fault: str


@functools.lru_cache(maxsize=64)
def mp3_for(duration_ms: int, *, silent: bool = False) -> bytes:
    """Real MP3 audio of ``duration_ms``: a speech-like modulated tone (or silence)."""
    source = (
        f"anullsrc=r=24000:cl=mono:d={duration_ms / 1000:.3f}"
        if silent
        else f"sine=frequency=180:sample_rate=24000:duration={duration_ms / 1000:.3f}"
    )
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        source,
        "-af",
        "tremolo=f=5:d=0.7,volume=0.6",
        "-ac",
        "1",
        "-ar",
        "24000",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "48k",
        "-write_xing",
        "0",
        "-id3v2_version",
        "0",
        "-f",
        "mp3",
        "pipe:1",
    ]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def tokens(text: str) -> list[str]:
    """The words the fake reports boundaries for: each Han character, each Latin word."""
    return _TOKEN.findall(text)


def duration_for(text: str) -> int:
    """How long the fake speaks ``text``, in ms (without the lead-in)."""
    return sum(MS_PER_CJK if HAN.fullmatch(t) else MS_PER_WORD for t in tokens(text)) or 300


def _text_frame(request_id: str, path: str, body: str = "") -> str:
    return (
        f"X-RequestId:{request_id}\r\n"
        "Content-Type:application/json; charset=utf-8\r\n"
        f"Path:{path}\r\n\r\n{body}"
    )


def _audio_frame(request_id: str, data: bytes) -> bytes:
    content = "Content-Type:audio/mpeg\r\n" if data else ""
    head = f"X-RequestId:{request_id}\r\n{content}X-StreamId:1\r\nPath:audio\r\n".encode()
    return len(head).to_bytes(2, "big") + head + data


def _boundary(offset_ms: int, duration_ms: int, word: str) -> str:
    meta = {
        "Metadata": [
            {
                "Type": "WordBoundary",
                "Data": {
                    "Offset": offset_ms * TICKS_PER_MS,
                    "Duration": duration_ms * TICKS_PER_MS,
                    "text": {"Text": word, "Length": len(word), "BoundaryType": "WordBoundary"},
                },
            }
        ]
    }
    return json.dumps(meta, ensure_ascii=False)


class FakeEdge:
    """The fake service, run on 127.0.0.1 in a thread with its own event loop.

    Attributes:
        url: the websocket URL to give the engine (``ws://127.0.0.1:PORT/...?...``).
        requests: every request that got past the handshake, in arrival order.
        handshakes: every connection attempt, refused ones included.
        max_concurrent: the most connections open at once.
        delay_s: added before every answer.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.handshakes = 0
        self.max_concurrent = 0
        self.delay_s = 0.0
        self.fail_texts: dict[str, str] = {}
        self._script: deque[str] = deque()
        self._open = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.url = ""

    # -- control (called from the test thread) --------------------------------

    def start(self) -> FakeEdge:
        """Serve on a free port; returns self once it accepts connections."""
        self._thread.start()
        port = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        self.url = f"ws://127.0.0.1:{port}/consumer/speech/synthesize/readaloud/edge/v1?TrustedClientToken=fake"
        return self

    def stop(self) -> None:
        """Close every connection and the loop."""
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def script(self, *faults: str) -> None:
        """Faults for the next connections, one each, in order ("" = answer normally)."""
        with self._lock:
            self._script.extend(faults)

    def reset(self) -> None:
        """Forget requests, counters, faults and delay."""
        with self._lock:
            self.requests.clear()
            self._script.clear()
            self.fail_texts.clear()
            self.handshakes = 0
            self.max_concurrent = 0
            self.delay_s = 0.0

    # -- serving ---------------------------------------------------------------

    async def _serve(self) -> int:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address: Any = self._runner.addresses[0]
        return int(address[1])

    def _next_fault(self) -> str:
        with self._lock:
            self.handshakes += 1
            return self._script.popleft() if self._script else ""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        fault = self._next_fault()
        if fault.isdigit():
            return web.Response(status=int(fault), text="refused by the fake")
        if fault == "hang":  # never answer the handshake; wait for the client to leave
            while request.transport is not None and not request.transport.is_closing():
                await asyncio.sleep(0.05)
            return web.Response(status=408)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with self._lock:
            self._open += 1
            self.max_concurrent = max(self.max_concurrent, self._open)
        try:
            await self._converse(ws, request, fault)
        finally:
            with self._lock:
                self._open -= 1
        return ws

    async def _converse(self, ws: web.WebSocketResponse, request: web.Request, fault: str) -> None:
        ssml = await self._read_ssml(ws)
        if ssml is None:
            return
        voice, rate, pitch, text = ssml
        for marker, forced in self.fail_texts.items():
            if marker in text:
                fault = forced
        with self._lock:
            self.requests.append(Request(voice, text, rate, pitch, fault))
        delay = self.delay_s + (float(fault[6:]) if fault.startswith("delay:") else 0.0)
        if delay:
            await asyncio.sleep(delay)
        rid = uuid.uuid4().hex
        await ws.send_str(_text_frame(rid, "turn.start", '{"context":{"serviceTag":"fake"}}'))
        if fault == "wserror":
            assert request.transport is not None
            request.transport.write(b"\x8f\x00")  # opcode 0xF does not exist
            await asyncio.sleep(0.05)
            return
        if fault == "stall":
            await ws.receive()  # returns when the client goes away
            return
        if fault != "noaudio":
            stop_after = 0.35 if fault in ("truncate", "drop") else None
            await self._speak(ws, rid, text, silent=fault == "silent", stop_after=stop_after)
            if fault == "drop":
                assert request.transport is not None
                request.transport.abort()  # no close frame: the TCP connection just ends
                return
            if stop_after is not None:
                await ws.close()
                return
        await ws.send_str(_text_frame(rid, "turn.end", "{}"))
        await ws.close()

    async def _read_ssml(self, ws: web.WebSocketResponse) -> tuple[str, str, str, str] | None:
        """Read speech.config then the SSML message; (voice, rate, pitch, text)."""
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                return None
            head, _, body = msg.data.partition("\r\n\r\n")
            if "Path:ssml" not in head:
                continue
            voice = _VOICE.search(body)
            prosody = _PROSODY.search(body)
            if voice is None or prosody is None:
                await ws.close(code=1007, message=b"bad SSML")
                return None
            pitch, rate, text = prosody.groups()
            return voice.group(1), rate, pitch, unescape(text)
        return None

    async def _speak(
        self,
        ws: web.WebSocketResponse,
        rid: str,
        text: str,
        *,
        silent: bool,
        stop_after: float | None,
    ) -> None:
        """Send audio frames with each word's boundary just before its audio."""
        total = duration_for(text)
        # ffmpeg runs in a thread: a blocked loop would serialize every connection.
        audio = await asyncio.to_thread(mp3_for, LEAD_MS + total, silent=silent)
        marks = list(_marks(text))
        chunks = [audio[i : i + CHUNK_BYTES] for i in range(0, len(audio), CHUNK_BYTES)]
        limit = len(chunks) if stop_after is None else max(1, int(len(chunks) * stop_after))
        ms_per_chunk = (LEAD_MS + total) / len(chunks)
        for index, chunk in enumerate(chunks[:limit]):
            chunk_end = (index + 1) * ms_per_chunk
            while marks and marks[0][0] < chunk_end:
                start, length, word = marks.pop(0)
                await ws.send_str(
                    _text_frame(rid, "audio.metadata", _boundary(start, length, word))
                )
            await ws.send_bytes(_audio_frame(rid, chunk))
        if stop_after is None:
            for start, length, word in marks:
                await ws.send_str(
                    _text_frame(rid, "audio.metadata", _boundary(start, length, word))
                )
            await ws.send_bytes(_audio_frame(rid, b""))  # the service's empty closing frame


def _marks(text: str) -> Iterator[tuple[int, int, str]]:
    at = LEAD_MS
    for word in tokens(text):
        length = MS_PER_CJK if HAN.fullmatch(word) else MS_PER_WORD
        yield at, length, word
        at += length
