"""The clip cache: content-addressed WAV files with a JSON record beside each.

A clip's key hashes everything that can change its audio: engine name and
version, the realization (voice, speed, pitch, gain), the spoken text and the
clip post-processing. An entry exists only once its record is written, and
both files are written with ``files.write_bytes_atomic`` (a temporary name,
flushed to disk, then renamed), so an interrupted run never leaves an entry
that looks finished but is not.
"""

from __future__ import annotations

import hashlib
import io
import json
import wave
from dataclasses import asdict
from pathlib import Path

from tts_export.errors import OutputError
from tts_export.files import write_bytes_atomic, write_text_atomic
from tts_export.models import Boundary, Clip, Realization
from tts_export.units import pcm_ms

# Bump when the post-processing applied before caching changes.
POSTPROCESS_VERSION = "trim1"


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


class ClipCache:
    """A folder of cached clips.

    Args:
        root: the cache folder (created on first write).
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _unwritable(self, problem: str) -> OutputError:
        return OutputError(
            str(self.root),
            problem,
            hint="check free space and permissions, or pass --cache-dir",
        )

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.wav", folder / f"{key}.json"

    def get(self, key: str, utterance_id: str) -> Clip | None:
        """The cached clip for ``key``, or None when absent or damaged."""
        wav_path, record_path = self._paths(key)
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            size = wav_path.stat().st_size
        except (OSError, ValueError):
            return None
        if record.get("wav_bytes") != size:
            return None
        return Clip(
            utterance_id=utterance_id,
            path=str(wav_path),
            sample_rate=int(record["sample_rate"]),
            duration_ms=int(record["duration_ms"]),
            boundaries=tuple(Boundary(**b) for b in record["boundaries"]),
            engine=str(record["engine"]),
            voice=str(record["voice"]),
            cached=True,
            attempts=0,
            fallback=bool(record.get("fallback", False)),
        )

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
            OutputError: the cache folder cannot be written.
        """
        wav_path, record_path = self._paths(key)
        duration_ms = pcm_ms(pcm, sample_rate)
        wav_data = wav_bytes(pcm, sample_rate)
        record = {
            "sample_rate": sample_rate,
            "duration_ms": duration_ms,
            "boundaries": [asdict(b) for b in boundaries],
            "engine": engine,
            "voice": voice,
            "fallback": fallback,
            "wav_bytes": len(wav_data),
        }
        try:
            wav_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unwritable(f"cannot write the clip cache: {exc.strerror}") from None
        try:
            write_bytes_atomic(wav_path, wav_data)
            write_text_atomic(record_path, json.dumps(record, ensure_ascii=False))
        except OutputError as exc:
            raise self._unwritable(f"cannot write the clip cache: {exc.message}") from None
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
