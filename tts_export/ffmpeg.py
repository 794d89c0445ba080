"""The bundled ffmpeg (from the imageio-ffmpeg wheel): locate it, decode with it.

The wheel ships no ffprobe, so durations are measured from decoded samples.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from .errors import TtsExportError


class FfmpegError(TtsExportError):
    """ffmpeg is missing or failed.

    Attributes:
        args: the command line.
        stderr: the tail of what ffmpeg printed.
    """

    def __init__(self, args: list[str], stderr: str) -> None:
        self.args_ = args
        self.stderr = stderr
        super().__init__(
            f"ffmpeg failed: {stderr.strip()[-600:] or 'no message'}",
            hint="reinstall the imageio-ffmpeg package if ffmpeg itself is missing",
        )


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the imageio-ffmpeg wheel.

    Raises:
        FfmpegError: the wheel is not installed or has no binary for this platform.
    """
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise FfmpegError(["ffmpeg"], str(exc)) from None


def run(args: list[str], *, data: bytes | None = None) -> bytes:
    """Run ffmpeg with ``args`` (without the program name); return its stdout.

    Raises:
        FfmpegError: ffmpeg exited non-zero.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        raise FfmpegError(cmd, proc.stderr.decode("utf-8", "replace"))
    return proc.stdout


def decode_pcm(source: bytes | Path, *, sample_rate: int, channels: int = 1) -> bytes:
    """Decode any audio ffmpeg reads into 16-bit little-endian PCM.

    ``source`` is the encoded bytes or a file path.

    Raises:
        FfmpegError: the data could not be decoded.
    """
    inp = "pipe:0" if isinstance(source, bytes) else str(source)
    data = source if isinstance(source, bytes) else None
    return run(
        [
            "-i",
            inp,
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-ac",
            str(channels),
            "-ar",
            str(sample_rate),
            "pipe:1",
        ],
        data=data,
    )


def decoded_duration_ms(path: Path, *, sample_rate: int = 48000) -> int:
    """Length of an audio file in ms, measured from its decoded samples.

    Raises:
        FfmpegError: the file could not be decoded.
    """
    pcm = decode_pcm(path, sample_rate=sample_rate)
    return len(pcm) // 2 * 1000 // sample_rate


def probe_text(path: Path) -> str:
    """What ``ffmpeg -i FILE`` prints about a file (streams, tags, chapters).

    The bundled ffmpeg has no ffprobe; ``-i`` without an output prints the
    same header on stderr and exits non-zero, which is expected here.

    Raises:
        FfmpegError: the file is missing or not a media file ffmpeg reads.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    text = proc.stderr.decode("utf-8", "replace")
    if "Input #0" not in text:
        raise FfmpegError(cmd, text)
    return text


def run_log(args: list[str], *, data: bytes | None = None) -> str:
    """Run ffmpeg with ``args`` at log level "info" and return what it printed.

    For filters that report on stderr (``ebur128``, ``volumedetect``).

    Raises:
        FfmpegError: ffmpeg exited non-zero.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", *args]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    text = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise FfmpegError(cmd, text)
    return text
