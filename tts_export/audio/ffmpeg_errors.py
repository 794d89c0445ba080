"""ffmpeg failures: a command line, its exit status and its log in, one line saying what failed out.

ffmpeg prints several lines for one fault, most of them about its own
threads. ``classify`` reads the log for the faults users meet (no space
left, a file-size limit, a bitrate the encoder refuses, a file that is not
audio, a folder that cannot be written) and names the file concerned; the
whole log stays on the exception (``FfmpegError.log``) for debugging.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from tts_export.errors import TtsExportError

_PIPES = ("pipe:0", "pipe:1", "-")
_PREFIX = re.compile(r"^(\[[^\]]*\]\s*)+")  # "[out#0/mp3 @ 0x55...] " and nested ones


@dataclass(frozen=True)
class Diagnosis:
    """What went wrong, for people.

    Attributes:
        problem: one line, naming the file concerned.
        hint: what to do about it.
    """

    problem: str
    hint: str


def _option(args: list[str], name: str) -> str:
    """The value after the last ``name`` in ``args``, or ""."""
    values = [args[i + 1] for i, a in enumerate(args[:-1]) if a == name]
    return values[-1] if values else ""


def _files(args: list[str]) -> tuple[list[str], str]:
    """The input files and the output file of a command line ("" for a pipe or null)."""
    inputs = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-i"]
    inputs = [name for name in inputs if name not in _PIPES]
    output = args[-1] if args and args[-1] not in _PIPES and _option(args, "-f") != "null" else ""
    if output in inputs or (len(args) > 1 and args[-2] == "-i"):
        output = ""  # ``ffmpeg -i FILE`` alone: no output
    return inputs, output


def _last_line(log: str) -> str:
    """The most telling line of a log: its last one, without ffmpeg's context prefixes."""
    lines = [_PREFIX.sub("", line).strip() for line in log.splitlines()]
    lines = [line for line in lines if line]
    text = lines[-1] if lines else "no message"
    return text if len(text) <= 200 else text[:197] + "..."


_FULL = re.compile(r"No space left on device|Disk quota exceeded", re.IGNORECASE)
_TOO_LARGE = re.compile(r"File too large", re.IGNORECASE)
_BITRATE = re.compile(
    r'option value "[^"]*"|Error setting option b |bit ?rate .* is unsupported'
    r"|encoder setup failed|Error while opening encoder",
    re.IGNORECASE,
)
_NOT_AUDIO = re.compile(
    r"Invalid data found when processing input|could not find codec parameters"
    r"|Failed to find two consecutive|Format .* detected only with low score"
    r"|does not contain any stream|matches no streams|moov atom not found"
    r"|EBML header parsing failed",
    re.IGNORECASE,
)
_DENIED = re.compile(r"Permission denied|Read-only file system", re.IGNORECASE)
_MISSING = re.compile(r"No such file or directory", re.IGNORECASE)


def _mentions_output(log: str, output: str) -> bool:
    """Whether the fault in ``log`` concerns the output file rather than an input."""
    return "Error opening output" in log or bool(output and output in log)


def classify(args: list[str], log: str, returncode: int | None = None) -> Diagnosis:
    """Say in one line what made an ffmpeg run fail.

    Args:
        args: the command line (with or without the program's path).
        log: what ffmpeg printed on stderr.
        returncode: its exit status (negative: killed by that signal), if known.

    Returns:
        The problem, naming the file concerned, and a hint.
    """
    inputs, output = _files(args)
    target = output or "the output"
    source = inputs[0] if inputs else "the input"
    full = _FULL.search(log)
    if full:
        return Diagnosis(
            f"cannot write {target}: {full.group(0).lower()}",
            "free some disk space, or write to another folder with --out; then run again",
        )
    if _TOO_LARGE.search(log) or returncode == -signal.SIGXFSZ:
        return Diagnosis(
            f"cannot write {target}: the file reached the file-size limit",
            "raise the limit (ulimit -f) or write to a file system that takes larger files",
        )
    bitrate = _option(args, "-b:a")
    if bitrate and _BITRATE.search(log):
        codec = _option(args, "-c:a") or "the encoder"
        return Diagnosis(
            f"invalid bitrate {bitrate!r} for {codec}",
            "give kbit/s such as 96k, within what the format takes (formats.check_bitrate)",
        )
    if _DENIED.search(log):
        if _mentions_output(log, output):
            return Diagnosis(
                f"cannot write {target}: the output folder is not writable",
                "check the folder's permissions, or write to another folder with --out",
            )
        return Diagnosis(f"cannot read {source}: permission denied", "check the file's permissions")
    if _MISSING.search(log):
        if _mentions_output(log, output):
            return Diagnosis(
                f"cannot write {target}: its folder does not exist",
                "create the folder, or write to another one with --out",
            )
        return Diagnosis(f"cannot read {source}: no such file", "check the path")
    if _NOT_AUDIO.search(log):
        return Diagnosis(
            f"cannot decode {source}: not an audio file ffmpeg can read",
            "give an audio file (mp3, m4a, ogg, opus, flac or wav) that plays",
        )
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.valid_signals() else ""
        return Diagnosis(
            f"ffmpeg was stopped by signal {name or -returncode}",
            "run again; if it recurs, the full log is on the error (FfmpegError.log)",
        )
    return Diagnosis(
        f"ffmpeg failed on {output or source}: {_last_line(log)}",
        "the full ffmpeg log is on the error (FfmpegError.log); "
        "report it with the command if the cause is not clear",
    )


class FfmpegError(TtsExportError):
    """ffmpeg is missing or failed; the message says what failed in one line.

    Attributes:
        args_: the command line.
        log: everything ffmpeg printed (also as ``stderr``).
        returncode: its exit status, when it ran (negative: killed by that signal).
        problem: the one-line description.
    """

    def __init__(
        self,
        args: list[str],
        stderr: str,
        *,
        returncode: int | None = None,
        problem: str = "",
        hint: str = "",
    ) -> None:
        self.args_ = args
        self.log = self.stderr = stderr
        self.returncode = returncode
        found = classify(args, stderr, returncode) if not problem else None
        self.problem = problem or (found.problem if found else "")
        super().__init__(self.problem, hint=hint or (found.hint if found else ""))

    @classmethod
    def missing(cls, detail: str) -> FfmpegError:
        """ffmpeg itself cannot be found or run."""
        return cls(
            ["ffmpeg"],
            detail,
            problem=f"ffmpeg is not available: {detail}",
            hint="reinstall the imageio-ffmpeg package (it ships the ffmpeg binary)",
        )

    def about(self, path: str) -> FfmpegError:
        """The same failure, naming ``path`` instead of a temporary file."""
        output = _files(self.args_)[1]
        if not output or output not in self.problem:
            return self
        return FfmpegError(
            self.args_,
            self.log,
            returncode=self.returncode,
            problem=self.problem.replace(output, path),
            hint=self.hint,
        )
