"""The clip cache: a key and clip audio in, a verified ``Clip`` out (or a miss).

A clip's key hashes everything that can change its audio: engine name and
version, the realization (voice, speed, pitch, gain), the spoken text and the
clip post-processing. An entry is a WAV file (mono, 16-bit) and a JSON record
beside it holding the WAV's size and sha256, its sample rate, duration and
boundaries. An entry exists only once its record is written, and both files
are written with ``files.write_bytes_atomic`` (a temporary name, flushed to
disk, then renamed), so an interrupted run never leaves an entry that looks
finished but is not.

Every read verifies the entry: the record's shape and values, the WAV's
digest, and that the WAV is exactly what this cache writes for its samples
(header included), with the duration and boundaries derived from them. An
entry that fails (damaged samples, a broken header, a record of the wrong
shape, an old record without a digest) is deleted and counted in
``ClipCache.repaired``; the caller makes it again. Hashing a clip costs about
a millisecond per MB, far less than synthesizing it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import wave
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeGuard

from tts_export.common.files import write_bytes_atomic, write_text_atomic
from tts_export.common.units import pcm_ms
from tts_export.errors import OutputError
from tts_export.models import Boundary, Clip, Realization

# Bump when the post-processing applied before caching changes.
POSTPROCESS_VERSION = "trim1"
RECORD_FORMAT = 2  # 2: the record holds the WAV's sha256
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HINT = "check free space and permissions, or pass --cache-dir to use another folder"


def wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    """A whole mono 16-bit WAV file holding ``pcm``, built in memory."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def clip_key(engine: str, version: str, realization: Realization, spoken: str, post: str) -> str:
    """The cache key of one clip (hex sha256)."""
    payload = json.dumps(
        [engine, version, asdict(realization), spoken, POSTPROCESS_VERSION, post],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _inside(boundary: Boundary, duration_ms: int) -> Boundary:
    """``boundary`` clamped into a clip of ``duration_ms``, its end not before its start."""
    start = min(max(0, boundary.start_ms), duration_ms)
    return Boundary(start, min(max(start, boundary.end_ms), duration_ms), boundary.text)


def _boundaries(raw: object, duration_ms: int) -> tuple[Boundary, ...] | None:
    """The record's boundaries, or None when one is malformed or outside the clip."""
    if not isinstance(raw, list):
        return None
    out: list[Boundary] = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"start_ms", "end_ms", "text"}:
            return None
        start, end, text = item["start_ms"], item["end_ms"], item["text"]
        if not (_whole(start) and _whole(end) and isinstance(text, str)):
            return None
        if not 0 <= start <= end <= duration_ms:
            return None
        out.append(Boundary(start, end, text))
    return tuple(out)


def _pcm_of(data: bytes, sample_rate: int) -> bytes | None:
    """The samples of ``data`` when it is exactly the WAV ``wav_bytes`` writes for them."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            shape = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getcomptype())
            pcm = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError, ValueError):
        return None
    if shape != (1, 2, sample_rate, "NONE") or wav_bytes(pcm, sample_rate) != data:
        return None
    return pcm


def verify(record: object, data: bytes) -> dict[str, Any] | None:
    """The record's fields, checked against the WAV bytes ``data``; None when anything is off.

    Checks the record's shape and types, the WAV's size and sha256, that the
    WAV is mono 16-bit at the recorded rate and written as this cache writes
    it, that ``duration_ms`` is the samples' length, and that every boundary
    lies inside the clip.
    """
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        return None  # a list, a string, or a record from before digests: unverifiable
    rate, digest, size = record.get("sample_rate"), record.get("sha256"), record.get("wav_bytes")
    if not _whole(rate) or not _whole(size) or not 8000 <= rate <= 192000:
        return None
    if not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
        return None
    if not all(isinstance(record.get(k), str) for k in ("engine", "voice")):
        return None
    if not isinstance(record.get("fallback"), bool):
        return None
    if size != len(data) or hashlib.sha256(data).hexdigest() != digest:
        return None
    pcm = _pcm_of(data, rate)
    if pcm is None or record.get("duration_ms") != pcm_ms(pcm, rate):
        return None
    boundaries = _boundaries(record.get("boundaries"), pcm_ms(pcm, rate))
    if boundaries is None:
        return None
    return {**record, "boundaries": boundaries}


class ClipCache:
    """A folder of cached clips.

    Args:
        root: the cache folder (created on first write).

    Attributes:
        repaired: entries this object found damaged and deleted (each is made
            again by the synthesize stage), since it was made.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.repaired = 0

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def get(self, key: str, utterance_id: str) -> Clip | None:
        """The cached clip for ``key``, or None when absent or damaged.

        A damaged entry (see ``verify``) is deleted and counted in ``repaired``.
        """
        wav_path, record_path = self._paths(key)
        try:
            text = record_path.read_bytes()
        except OSError:
            return None  # absent (or an interrupted write that never got its record)
        try:
            fields = verify(json.loads(text.decode("utf-8")), wav_path.read_bytes())
        except (OSError, ValueError):  # no WAV, unreadable, not UTF-8, not JSON
            fields = None
        if fields is None:
            self._discard(wav_path, record_path)
            return None
        with contextlib.suppress(OSError):  # when it was last used, for ``tts-export cache``
            os.utime(record_path)
        return Clip(
            utterance_id=utterance_id,
            path=str(wav_path),
            sample_rate=fields["sample_rate"],
            duration_ms=fields["duration_ms"],
            boundaries=fields["boundaries"],
            engine=fields["engine"],
            voice=fields["voice"],
            cached=True,
            attempts=0,
            # The record's "fallback" says how the entry was first made; whether the clip is
            # a fallback in a render is the scheduler's call (its engine against the render's).
            fallback=False,
        )

    def _discard(self, *paths: Path) -> None:
        self.repaired += 1
        for path in paths:
            # A read-only cache keeps them: the write that follows says so clearly.
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def put(
        self,
        key: str,
        *,
        utterance_id: str,
        pcm: bytes,
        sample_rate: int,
        boundaries: tuple[Boundary, ...],
        engine: str,
        voice: str,
        attempts: int,
        fallback: bool,
    ) -> Clip:
        """Store a clip (mono 16-bit PCM) and return it as a fresh ``Clip``.

        Raises:
            OutputError: the cache folder cannot be written (no space, no
                permission, a file where a folder should be); it names the path.
        """
        wav_path, record_path = self._paths(key)
        duration_ms = pcm_ms(pcm, sample_rate)
        wav_data = wav_bytes(pcm, sample_rate)
        # Inside the clip, as ``verify`` wants them: an entry must read back as written.
        boundaries = tuple(_inside(b, duration_ms) for b in boundaries)
        record = {
            "format": RECORD_FORMAT,
            "sample_rate": sample_rate,
            "duration_ms": duration_ms,
            "boundaries": [asdict(b) for b in boundaries],
            "engine": engine,
            "voice": voice,
            "fallback": fallback,
            "wav_bytes": len(wav_data),
            "sha256": hashlib.sha256(wav_data).hexdigest(),
        }
        try:
            wav_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise OutputError(
                str(wav_path.parent), f"cannot create the clip cache folder: {reason}", hint=_HINT
            ) from None
        try:
            write_bytes_atomic(wav_path, wav_data)
            write_text_atomic(record_path, json.dumps(record, ensure_ascii=False))
        except OutputError as exc:
            reason = exc.message.removeprefix(f"{exc.path}: ").removeprefix("cannot write: ")
            raise OutputError(
                exc.path, f"cannot write the clip cache: {reason}", hint=_HINT
            ) from None
        return Clip(
            utterance_id=utterance_id,
            path=str(wav_path),
            sample_rate=sample_rate,
            duration_ms=duration_ms,
            boundaries=boundaries,
            engine=engine,
            voice=voice,
            cached=False,
            attempts=attempts,
            fallback=fallback,
        )
