"""Audio export failures and limits: bad input, bitrates, a full disk, a size limit.

Every failure is a project error that says what failed and what to do, read
from the real bundled ffmpeg's exit status and log; the previous file stays.
"""

from __future__ import annotations

import json
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic_audio import RATE, speech

from tts_export.audio import decode_duration_ms, write_audio
from tts_export.audio.ffmpeg import FfmpegError, decode_blocks, run_fed
from tts_export.audio.formats import check_bitrate, get_format
from tts_export.errors import ConfigError, OutputError
from tts_export.models import Timeline


def _one_line(error: FfmpegError) -> str:
    """The message is one line; the hint follows on a second; the whole log is kept."""
    assert "\n" not in error.problem and str(error).count("\n") == 1 and error.hint
    assert "imageio-ffmpeg" not in error.hint  # ffmpeg ran: reinstalling it would not help
    return error.problem


def test_garbage_given_as_audio_is_one_clear_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"not audio at all" * 64)
    for decode in (decode_duration_ms, lambda p: list(decode_blocks(p, sample_rate=RATE))):
        with pytest.raises(FfmpegError) as caught:
            decode(junk)
        assert _one_line(caught.value) == f"cannot decode {junk}: not an audio file ffmpeg can read"
        assert "Invalid data found" in caught.value.log and caught.value.returncode
    with pytest.raises(OutputError, match="no such audio file"):
        decode_duration_ms(tmp_path / "nothing.mp3")


def test_a_bitrate_is_refused_before_encoding(programme: Timeline, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kbit/s written like 96k"):
        write_audio(programme, tmp_path / "ep.mp3", bitrate="lots", loudness=None)
    with pytest.raises(ConfigError, match="libvorbis takes 16k to 90k for mono at 24000 Hz"):
        write_audio(programme, tmp_path / "ep.ogg", fmt="ogg", bitrate="128k")
    with pytest.raises(ConfigError, match="takes no bitrate at 96000 Hz"):
        write_audio(programme, tmp_path / "ep.ogg", fmt="ogg", bitrate="128k", sample_rate=96000)
    assert list(tmp_path.iterdir()) == []
    assert check_bitrate("mp3", None) is None and check_bitrate("mp3", "96K") == "96k"
    refused: list[tuple[str, object, dict[str, int], str]] = [
        ("mp3", "abc", {}, "e.g. 96k"),
        ("mp3", 96, {}, "write 96k"),
        ("mp3", "96", {}, "write 96k"),
        ("mp3", "1000k", {}, "from 8k to 320k"),
        ("flac", "96k", {}, "leave the bitrate out"),
        ("wav", "1411k", {}, "leave the bitrate out"),
        ("opus", "300k", {}, "from 6k to 256k"),
    ]
    for fmt, value, options, hint in refused:
        with pytest.raises(ConfigError) as caught:
            check_bitrate(fmt, value, **options)
        assert hint in caught.value.hint and caught.value.setting == "bitrate"
    assert check_bitrate("opus", "300k", channels=2) == "300k"
    assert check_bitrate("ogg", "240k") == "240k"  # the rate is not known yet: any band's limits


@pytest.mark.parametrize("fmt", ["mp3", "m4a", "ogg", "opus"])
def test_bitrate_limits_are_what_the_encoder_takes(fmt: str, tmp_path: Path) -> None:
    """Every limit check_bitrate accepts encodes; Vorbis (and Opus above) refuse past them."""
    spec = get_format(fmt)
    assert spec.kbps is not None
    pcm = speech(0.3, -20.0, rate=48000).astype("<f4").tobytes()
    for channels, wanted in ((1, 24000), (2, 48000), (1, 16000), (2, 32000), (2, 11025)):
        rate = spec.output_rate(wanted)
        limits = spec.kbps(channels, rate)
        assert limits is not None
        low, high = limits
        edges = {low: True, high: True}
        if fmt in ("ogg", "opus"):  # the others clamp silently; Opus takes 1-5k too
            edges.update({high + 1: False} if fmt == "opus" else {low - 1: False, high + 1: False})
        for kbps, works in edges.items():
            cmd = ["-f", "f32le", "-ar", "48000", "-ac", "1", "-i", "pipe:0", "-c:a", spec.codec]
            cmd += ["-ar", str(rate), "-ac", str(channels), "-b:a", f"{kbps}k", *spec.options]
            cmd += ["-f", spec.muxer, str(tmp_path / f"x.{fmt}")]
            try:
                run_fed(cmd, [pcm])
            except FfmpegError as exc:
                assert not works, f"{kbps}k {channels} ch {rate} Hz: {exc.log}"
                assert _one_line(exc).startswith(f"invalid bitrate '{kbps}k' for {spec.codec}")
            else:
                assert works, f"{kbps}k {channels} ch {rate} Hz was taken"


def test_a_full_disk_is_one_clear_line() -> None:
    """/dev/full answers every write with ENOSPC, as a full disk does."""
    cmd = ["-f", "f32le", "-ar", "24000", "-ac", "1", "-i", "pipe:0", "-c:a", "libmp3lame"]
    with pytest.raises(FfmpegError) as caught:
        run_fed([*cmd, "-f", "mp3", "/dev/full"], [speech(1.0, -20.0).astype("<f4").tobytes()])
    assert _one_line(caught.value) == "cannot write /dev/full: no space left on device"
    assert "free some disk space" in caught.value.hint


_LIMITED = """
import json, pickle, resource, sys
from tts_export.audio import write_audio
from tts_export.errors import TtsExportError
timeline, target = pickle.loads(sys.stdin.buffer.read())
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
try:
    write_audio(timeline, target, loudness=None)
except TtsExportError as exc:
    print(json.dumps([type(exc).__name__, str(exc), exc.returncode]))
"""


def test_a_file_size_limit_is_one_clear_line(programme: Timeline, tmp_path: Path) -> None:
    """A file-size limit (RLIMIT_FSIZE, set in a child process) stops the encoder mid-file."""
    target = tmp_path / "out" / "ep.mp3"
    proc = subprocess.run(
        [sys.executable, "-c", _LIMITED],
        input=pickle.dumps((programme, target)),
        capture_output=True,
        check=True,
    )
    kind, message, code = json.loads(proc.stdout)
    assert kind == "FfmpegError" and code == -signal.SIGXFSZ
    problem, hint = message.split("\n")
    assert problem == f"cannot write {target}: the file reached the file-size limit"
    assert "ulimit -f" in hint
    assert list(target.parent.iterdir()) == []  # the partial file went with the error


def test_ffmpeg_logs_are_read_for_the_cause() -> None:
    """ffmpeg's own words for faults that cannot be staged here (root writes anywhere)."""
    enc = ["ffmpeg", "-i", "pipe:0", "-c:a", "libmp3lame", "-f", "mp3", "/out/.ep.mp3.9.ab.tmp"]
    dec = ["ffmpeg", "-i", "/in/a.mp3", "-f", "s16le", "pipe:1"]
    cases = [
        (
            enc,
            "[out#0/mp3 @ 0x5] Error opening output /out/.ep.mp3.9.ab.tmp: Permission denied\n"
            "Error opening output file /out/.ep.mp3.9.ab.tmp.\n",
            "cannot write /out/.ep.mp3.9.ab.tmp: the output folder is not writable",
        ),
        (
            enc,
            "[out#0/mp3 @ 0x5] Error opening output /out/x: Read-only file system\n",
            "cannot write /out/.ep.mp3.9.ab.tmp: the output folder is not writable",
        ),
        (
            enc,
            "[out#0/mp3 @ 0x5] Error writing trailer: Disk quota exceeded\n",
            "cannot write /out/.ep.mp3.9.ab.tmp: disk quota exceeded",
        ),
        (
            dec,
            "[in#0 @ 0x5] Error opening input: Permission denied\n",
            "cannot read /in/a.mp3: permission denied",
        ),
        (
            dec,
            "[in#0 @ 0x5] Error opening input: No such file or directory\n",
            "cannot read /in/a.mp3: no such file",
        ),
        (
            dec,
            "[aost#0:0 @ 0x5] Stream map '0:a:0' matches no streams.\n",
            "cannot decode /in/a.mp3: not an audio file ffmpeg can read",
        ),
        (
            dec,
            "[x @ 0x5] [y @ 0x6] Something new\nError: the last word\n",
            "ffmpeg failed on /in/a.mp3: Error: the last word",
        ),
    ]
    for args, log, problem in cases:
        error = FfmpegError(args, log, returncode=1)
        assert _one_line(error) == problem and error.log == log
    assert FfmpegError(enc, "", returncode=-9).problem == "ffmpeg was stopped by signal SIGKILL"
    moved = FfmpegError(enc, "Error writing trailer: No space left on device").about("/out/ep.mp3")
    assert moved.problem == "cannot write /out/ep.mp3: no space left on device"
    missing = FfmpegError.missing("no binary for this platform")
    assert "imageio-ffmpeg" in missing.hint and "not available" in missing.problem
