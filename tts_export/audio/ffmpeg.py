"""The bundled ffmpeg (from the imageio-ffmpeg wheel): locate it, decode and meter with it.

The wheel ships no ffprobe, so durations are measured from decoded samples.
ffmpeg's ``ebur128`` filter is kept here as an independent BS.1770 meter
(tests and checks compare ``loudness``'s own meter against it).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import math
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from queue import Queue
from typing import IO

from tts_export.audio.loudness import SILENT_LUFS, LoudnessReport
from tts_export.errors import OutputError, TtsExportError


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
        raise FfmpegError(cmd, errors.decode("utf-8", "replace"))
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
        text = _read_log(log)
    if code != 0:
        raise FfmpegError(cmd, text)


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
            raise FfmpegError(cmd, _read_log(log))


# --- ffmpeg's own BS.1770 meter (ebur128), the independent reference ---------------

_I_RE = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-?inf|nan) LUFS")
_LRA_RE = re.compile(r"Loudness range:\s*LRA:\s*(-?[\d.]+|-?inf|nan) LU")
_TP_RE = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-?inf|nan) dBFS")


def _number(text: str) -> float:
    if text.endswith("inf"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def _read_log(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def parse_ebur128(log: str) -> LoudnessReport:
    """Read the summary ``ebur128`` prints when its stream ends.

    Raises:
        OutputError: the log holds no summary (ffmpeg stopped early).
    """
    found = [regex.findall(log) for regex in (_I_RE, _LRA_RE, _TP_RE)]
    if not all(found):
        raise OutputError(
            "<ebur128>",
            "ffmpeg printed no loudness summary",
            hint="the audio may be empty or unreadable",
        )
    lufs, lra, peak = (_number(items[-1]) for items in found)
    if math.isnan(lufs):
        lufs = SILENT_LUFS
    return LoudnessReport(max(lufs, SILENT_LUFS), peak, 0.0 if math.isnan(lra) else lra)


def ebur128(path: Path, *, sample_rate: int = 48000) -> LoudnessReport:
    """Measure a file with ffmpeg's ``ebur128=peak=true`` (streamed, bounded memory).

    ``samples`` counts decoded samples per channel at ``sample_rate``.

    Raises:
        OutputError: the file does not exist.
        FfmpegError: ffmpeg cannot decode it.
    """
    if not Path(path).is_file():
        raise OutputError(str(path), "no such audio file", hint="check the path")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"]
    cmd += ["-i", str(path), "-filter_complex", "[0:a:0]ebur128=peak=true[m]", "-map", "[m]"]
    cmd += ["-f", "s16le", "-acodec", "pcm_s16le", "-ac", "1", "-ar", str(sample_rate), "pipe:1"]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
        assert proc.stdout is not None
        nbytes = 0
        while chunk := proc.stdout.read(1 << 20):
            nbytes += len(chunk)
        code = proc.wait()
        text = _read_log(log)
    if code != 0:
        raise FfmpegError(cmd, text)
    found = parse_ebur128(text)
    return LoudnessReport(found.integrated_lufs, found.true_peak_dbtp, found.lra, nbytes // 2)


class Ebur128Stream:
    """Feeds mono float32 PCM to an ffmpeg ``ebur128=peak=true`` process.

    ``write`` blocks; ``close`` returns the figures; ``abort`` stops it.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()/abort()
        self._cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"]
        self._cmd += ["-f", "f32le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0"]
        self._cmd += ["-af", "ebur128=peak=true", "-f", "null", "-"]
        self._proc = subprocess.Popen(
            self._cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._log
        )
        self.samples = 0
        self._report: LoudnessReport | None = None

    def write(self, pcm: bytes) -> None:
        """Feed little-endian float32 samples.

        Raises:
            FfmpegError: the ffmpeg process died.
        """
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(pcm)
        except BrokenPipeError:
            self._proc.wait()
            raise FfmpegError(self._cmd, _read_log(self._log)) from None
        self.samples += len(pcm) // 4

    def close(self) -> LoudnessReport:
        """End the stream and return its figures (the gate value for an empty stream).

        Raises:
            FfmpegError: ffmpeg failed.
        """
        if self._report is not None:
            return self._report
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        code = self._proc.wait()
        text = _read_log(self._log)
        self._log.close()
        if code != 0:
            raise FfmpegError(self._cmd, text)
        if self.samples == 0:
            self._report = LoudnessReport(SILENT_LUFS, -math.inf, 0.0)
        else:
            found = parse_ebur128(text)
            self._report = LoudnessReport(
                found.integrated_lufs, found.true_peak_dbtp, found.lra, self.samples
            )
        return self._report

    def abort(self) -> None:
        """Stop the process without a report (after an error elsewhere)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        self._log.close()
