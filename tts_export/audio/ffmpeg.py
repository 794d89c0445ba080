"""The bundled ffmpeg (imageio-ffmpeg wheel): arguments and PCM in, decoded PCM or files out.

Locates the binary, runs it, feeds it PCM from a writer thread and streams
decoded PCM back from a reader thread. The wheel ships no ffprobe, so
durations are measured from decoded samples. Light to import (no numpy):
engine adapters use it to decode what their services send.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from queue import Queue
from typing import IO

from tts_export.audio.ffmpeg_errors import FfmpegError as FfmpegError  # its home for callers
from tts_export.common.units import pcm_ms
from tts_export.errors import OutputError


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
        raise FfmpegError.missing(str(exc)) from None


def run(args: list[str], *, data: bytes | None = None) -> bytes:
    """Run ffmpeg with ``args`` (without the program name); return its stdout.

    Raises:
        FfmpegError: ffmpeg exited non-zero.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *args]
    proc = subprocess.run(cmd, input=data, capture_output=True, check=False)
    if proc.returncode != 0:
        raise FfmpegError(cmd, proc.stderr.decode("utf-8", "replace"), returncode=proc.returncode)
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
    return pcm_ms(pcm, sample_rate)


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
        raise FfmpegError(cmd, text, returncode=proc.returncode)
    return text


def count_samples(path: Path, *, sample_rate: int) -> int:
    """Decoded length of a file in samples per channel at ``sample_rate``.

    The file is decoded as a stream and only counted, so memory stays bounded
    however long it is.

    Raises:
        FfmpegError: the file could not be decoded.
    """
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-f",
        "s16le",
        "-acodec",
        "pcm_s16le",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "pipe:1",
    ]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        nbytes = 0
        while chunk := proc.stdout.read(1 << 20):
            nbytes += len(chunk)
        errors = proc.stderr.read()  # "error" level only: small, read after stdout ends
        code = proc.wait()
    if code != 0:
        raise FfmpegError(cmd, errors.decode("utf-8", "replace"), returncode=code)
    return nbytes // 2


_QUEUE = 8  # blocks in flight between Python and ffmpeg (bounds memory)
_F_SETPIPE_SZ = 1031  # Linux fcntl: resize a pipe


def _widen(pipe: IO[bytes]) -> None:
    """Give a pipe a 1 MB buffer (Linux), so each side does fewer, larger transfers."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(pipe.fileno(), _F_SETPIPE_SZ, 1 << 20)


def _writer(pipe: IO[bytes], queue: Queue[bytes | None], broken: list[bool]) -> None:
    """Write queued blocks to ``pipe`` until None; note a broken pipe and keep draining."""
    while (block := queue.get()) is not None:
        if broken:
            continue
        try:
            pipe.write(block)
        except (BrokenPipeError, ValueError):
            broken.append(True)
    with contextlib.suppress(BrokenPipeError):
        pipe.close()


def run_fed(args: list[str], blocks: Iterable[bytes]) -> None:
    """Run ffmpeg with ``args``, writing ``blocks`` to its stdin as they come.

    A writer thread feeds the pipe, so ffmpeg encodes while Python makes the
    next blocks (both run at once on two cores); at most ``_QUEUE`` blocks wait
    in between. ffmpeg's messages go to a temporary file so that a full
    stderr pipe can never stall it.

    Raises:
        FfmpegError: ffmpeg exited non-zero.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log)
        assert proc.stdin is not None
        _widen(proc.stdin)
        queue: Queue[bytes | None] = Queue(_QUEUE)
        broken: list[bool] = []
        thread = threading.Thread(target=_writer, args=(proc.stdin, queue, broken), daemon=True)
        thread.start()
        try:
            for block in blocks:
                if broken:
                    break  # ffmpeg stopped reading: its exit code and log say why
                queue.put(block)
        except BaseException:
            proc.kill()  # the writer then meets a broken pipe and drains the queue
            proc.wait()
            raise
        finally:
            queue.put(None)
            thread.join()
        code = proc.wait()
        text = read_log(log)
    if code != 0:
        raise FfmpegError(cmd, text, returncode=code)


def _reader(pipe: IO[bytes], queue: Queue[bytes | None], block: int) -> None:
    """Read ``pipe`` into ``queue`` until it ends (None marks the end)."""
    try:
        while chunk := pipe.read(block):
            queue.put(chunk)
    except (OSError, ValueError):
        pass  # the pipe was closed on us: the consumer stopped early
    finally:
        queue.put(None)


def decode_blocks(
    path: Path, *, sample_rate: int, channels: int = 1, block: int = 1 << 20
) -> Iterator[bytes]:
    """Decode a file into interleaved little-endian float32 PCM, yielded in blocks.

    A reader thread drains ffmpeg's output, so decoding goes on while the
    caller works on the previous block.

    Raises:
        OutputError: the file does not exist.
        FfmpegError: ffmpeg cannot decode it (raised when the stream ends).
    """
    if not Path(path).is_file():
        raise OutputError(str(path), "no such audio file", hint="check the path")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path)]
    cmd += ["-map", "0:a:0", "-f", "f32le", "-acodec", "pcm_f32le"]
    cmd += ["-ac", str(channels), "-ar", str(sample_rate), "pipe:1"]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        assert proc.stdout is not None
        _widen(proc.stdout)
        queue: Queue[bytes | None] = Queue(_QUEUE)
        thread = threading.Thread(target=_reader, args=(proc.stdout, queue, block), daemon=True)
        thread.start()
        try:
            while (chunk := queue.get()) is not None:
                yield chunk
        except BaseException:  # the consumer stopped early (or was interrupted)
            proc.kill()
            while queue.get() is not None:  # let the reader finish
                pass
            raise
        finally:
            thread.join()
            proc.stdout.close()
        code = proc.wait()
        if code != 0:
            raise FfmpegError(cmd, read_log(log), returncode=code)


def read_log(log: IO[bytes]) -> str:
    """All that ffmpeg wrote to ``log`` (a temporary file), decoded as text."""
    log.seek(0)
    return log.read().decode("utf-8", "replace")
