"""ffmpeg's BS.1770 meter (``ebur128`` filter): a file or PCM stream in, a ``LoudnessReport`` out.

Kept as an independent reference: tests and checks compare the numpy meter
in ``loudness`` against it.
"""

from __future__ import annotations

import contextlib
import math
import re
import subprocess
import tempfile
from pathlib import Path

from tts_export.audio.ffmpeg import FfmpegError, ffmpeg_exe, read_log
from tts_export.audio.loudness import SILENT_LUFS, LoudnessReport
from tts_export.errors import OutputError

_I_RE = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-?inf|nan) LUFS")
_LRA_RE = re.compile(r"Loudness range:\s*LRA:\s*(-?[\d.]+|-?inf|nan) LU")
_TP_RE = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-?inf|nan) dBFS")


def _number(text: str) -> float:
    if text.endswith("inf"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


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
        text = read_log(log)
    if code != 0:
        raise FfmpegError(cmd, text, returncode=code)
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
            code = self._proc.wait()
            raise FfmpegError(self._cmd, read_log(self._log), returncode=code) from None
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
        text = read_log(self._log)
        self._log.close()
        if code != 0:
            raise FfmpegError(self._cmd, text, returncode=code)
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
