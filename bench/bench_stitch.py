"""Benchmark: stitching N clips with tts_export's streaming path vs pydub ``+``.

Usage:
    PYTHONPATH=. python bench/bench_stitch.py [--clips 10000] [--pydub 250,500,1000]
                                              [--format wav] [--loudness off|-19]

Each measurement runs in a fresh subprocess so that its peak RSS (the
process's own ``ru_maxrss`` plus that of the ffmpeg children it waited for)
belongs to it alone. Clips are short synthetic speech-like WAV files (0.6 to
2.4 s, 24 kHz mono 16-bit), 400 ms apart, so 10,000 clips make about 5 hours
of programme. Both paths produce the same thing: a WAV of the whole programme
(the streaming path can also encode MP3 with loudness normalisation).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from tts_export.common.units import samples_to_ms

RATE = 24000
PAUSE_MS = 400
VARIANTS = 64  # distinct clip files; placements reuse them (a real cache has one per clip)


def make_clips(folder: Path) -> list[tuple[Path, int]]:
    rng = np.random.default_rng(0)
    clips = []
    for i in range(VARIANTS):
        n = int(rng.uniform(0.6, 2.4) * RATE)
        t = np.arange(n) / RATE
        env = np.abs(np.sin(np.pi * t * rng.uniform(3, 6)))
        x = (np.sin(2 * np.pi * rng.uniform(110, 220) * t) + 0.1 * rng.standard_normal(n)) * env
        x *= 10 ** (rng.uniform(-30, -15) / 20) / np.sqrt(np.mean(x**2))
        path = folder / f"clip{i:02d}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(np.round(np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
        clips.append((path, samples_to_ms(n, RATE)))
    return clips


def timeline(clips: list[tuple[Path, int]], count: int):  # type: ignore[no-untyped-def]
    from tts_export.models import Chapter, Clip, Placement, Timeline, Utterance

    placements = []
    cursor = 500
    for i in range(count):
        path, ms = clips[i % len(clips)]
        u = Utterance(f"u{i}", f"Section {i // 500}", f"S{i % 3}", "x", "x", i, i, i // 500)
        clip = Clip(u.id, str(path), RATE, ms, (), "bench", "v", False)
        placements.append(Placement(u, clip, cursor, cursor + ms))
        cursor += ms + PAUSE_MS
    total = cursor + 1000
    starts = [p.start_ms if k else 0 for k, p in enumerate(placements[::500])]
    chapters = tuple(
        Chapter(f"Section {k}", s, starts[k + 1] if k + 1 < len(starts) else total)
        for k, s in enumerate(starts)
    )
    return Timeline(tuple(placements), chapters, total, RATE)


def run_stream(folder: Path, count: int, fmt: str, loudness: float | None) -> dict[str, float]:
    from tts_export.audio import write_audio

    clips = make_clips(folder)
    tl = timeline(clips, count)
    start = time.perf_counter()
    result = write_audio(tl, folder / f"out.{fmt}", fmt=fmt, loudness=loudness)
    elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "programme_s": tl.duration_ms / 1000,
        "decoded_s": result.duration_ms / 1000,
        "lufs": result.integrated_lufs or 0.0,
        "encodes": result.encodes,
    }


def run_pydub(folder: Path, count: int) -> dict[str, float]:
    from pydub import AudioSegment

    from tts_export.audio.ffmpeg import ffmpeg_exe

    AudioSegment.converter = ffmpeg_exe()
    clips = make_clips(folder)
    tl = timeline(clips, count)
    segments = {str(p): AudioSegment.from_wav(str(p)) for p, _ in clips}
    start = time.perf_counter()
    song = AudioSegment.silent(duration=0, frame_rate=RATE)
    cursor = 0
    for p in tl.placements:
        assert p.clip is not None
        song += AudioSegment.silent(duration=p.start_ms - cursor, frame_rate=RATE)
        song += segments[p.clip.path]
        cursor = p.end_ms
    song += AudioSegment.silent(duration=tl.duration_ms - cursor, frame_rate=RATE)
    song.export(str(folder / "out.wav"), format="wav").close()
    elapsed = time.perf_counter() - start
    return {
        "seconds": elapsed,
        "programme_s": tl.duration_ms / 1000,
        "decoded_s": len(song) / 1000,
        "lufs": 0.0,
        "encodes": 1,
    }


def worker(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.worker == "stream":
            figures = run_stream(folder, args.count, args.format, args.loudness_db)
        else:
            figures = run_pydub(folder, args.count)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({**figures, "rss_mb": own, "child_rss_mb": children}))


def measure(kind: str, count: int, args: argparse.Namespace) -> dict[str, float]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        kind,
        "--count",
        str(count),
        "--format",
        args.format,
        "--loudness",
        args.loudness,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=10_000)
    parser.add_argument("--pydub", default="250,500,1000")
    parser.add_argument("--format", default="wav")
    parser.add_argument("--loudness", default="off")
    parser.add_argument("--worker", choices=["stream", "pydub"])
    parser.add_argument("--count", type=int, default=0)
    args = parser.parse_args()
    args.loudness_db = None if args.loudness == "off" else float(args.loudness)
    if args.worker:
        worker(args)
        return
    sizes = [int(s) for s in args.pydub.split(",") if s]
    print(
        f"format={args.format} loudness={args.loudness}; clips 0.6-2.4 s at {RATE} Hz, "
        f"{PAUSE_MS} ms apart"
    )
    print(
        f"{'clips':>6} {'method':>7} {'programme':>10} {'time s':>8} {'x realtime':>10} "
        f"{'RSS MB':>7} {'ffmpeg MB':>9}"
    )
    rows: dict[tuple[str, int], dict[str, float]] = {}
    for count in [*sizes, args.clips]:
        for kind in ("stream", "pydub"):
            if kind == "pydub" and count not in sizes:
                continue
            f = measure(kind, count, args)
            rows[(kind, count)] = f
            print(
                f"{count:>6} {kind:>7} {f['programme_s'] / 3600:>8.2f} h {f['seconds']:>8.2f} "
                f"{f['programme_s'] / f['seconds']:>10.0f} {f['rss_mb']:>7.0f} "
                f"{f['child_rss_mb']:>9.0f}"
            )
    print()
    for count in sizes:
        ratio = rows[("pydub", count)]["seconds"] / rows[("stream", count)]["seconds"]
        print(f"{count:>6} clips: pydub + takes {ratio:.1f}x the time of the streaming path")
    if len(sizes) >= 2:
        a, b = sizes[-2], sizes[-1]
        growth = rows[("pydub", b)]["seconds"] / rows[("pydub", a)]["seconds"]
        stream_growth = rows[("stream", b)]["seconds"] / rows[("stream", a)]["seconds"]
        print(
            f"{a} -> {b} clips ({b / a:.1f}x): pydub time x{growth:.1f}, "
            f"streaming time x{stream_growth:.1f}"
        )
    big = rows[("stream", args.clips)]
    print(
        f"{args.clips} clips, {big['programme_s'] / 3600:.2f} h: {big['seconds']:.1f} s, "
        f"peak RSS {big['rss_mb']:.0f} MB (python) / {big['child_rss_mb']:.0f} MB (ffmpeg), "
        f"decoded length {big['decoded_s']:.1f} s of {big['programme_s']:.1f} s"
    )


if __name__ == "__main__":
    main()
