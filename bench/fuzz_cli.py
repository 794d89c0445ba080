"""Generated hostile transcripts → the real CLI, run as a user would; a table of what went wrong.

Each case from ``tests/fuzzgen.py`` is written to its own temporary folder (with
its side files and any ``tts-export.toml``) and run there as a subprocess:

    python -m tts_export inspect --json FILE
    python -m tts_export render FILE --engine espeak --captions-formats srt,vtt,json,txt,html
                                     --cache-dir TMP/cache -o TMP/out

A run fails when it prints a traceback or an exception repr, exits with a code
other than 0 or 1, outlives its timeout (a hang), hits the memory limit, prints
an error that names neither a place (file, line, setting, option) nor a hint,
or, on success, writes something broken (inspect: stdout not exactly one strict
JSON object; render: a listed file missing, no manifest). A failed render must
leave no outputs and no temporary files behind. Failing inputs are copied to
``--failures`` (default ``out/fuzz-failures``) with the command and stderr; the
exit status is 1 when anything failed. Render cases are ``make_case(seed,
100000 + i, small=True)``, so they differ from the inspect cases.

    python bench/fuzz_cli.py --inspect 1000 --render 50 [--seed 1] [--minimize]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fuzzgen import Case, make_case, write_case  # noqa: E402

TIMEOUTS = {"inspect": 60.0, "render": 300.0}
MEMORY_LIMIT = 4 << 30  # address space per run: a runaway read fails instead of eating the host
RENDER_ARGS = ("--engine", "espeak", "--captions-formats", "srt,vtt,json,txt,html")
RENDER_OFFSET = 100_000
_TRACEBACK = "Traceback (most recent call last)"
_EXC_REPR = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Group)(?:\(|: |$)", re.MULTILINE)
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>\S+)')
_EXC_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Group|Exit|Interrupt))\b")
_PLACE = re.compile(r"\.toml|front matter|:\d+[:\s]|line \d+|^\S*\w=|--\w|\w+=", re.MULTILINE)


@dataclass
class Outcome:
    """One run of one case."""

    kind: str
    case: Case
    command: list[str]
    folder: Path
    code: int | None = None  # None: killed at the timeout
    stdout: str = ""
    stdout_bytes: bytes = b""  # the written files are listed as the file system's bytes
    stderr: str = ""
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    signature: str = ""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _execute(
    command: list[str], cwd: Path, timeout: float, encoding: str
) -> tuple[int | None, str, str, float, bytes]:
    """Run ``command`` in its own process group; kill the whole group at the timeout."""
    start = time.monotonic()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": encoding, "COLUMNS": "100"}
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_limit,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        code = None
    stdout, stderr = (b.decode(encoding, errors="backslashreplace") for b in (out, err))
    return code, stdout, stderr, time.monotonic() - start, out


def command_for(kind: str, path: Path, case: Case, work: Path) -> list[str]:
    """The CLI call for one case (relative to its folder)."""
    base = [sys.executable, "-m", "tts_export", kind]
    if kind == "inspect":
        return [*base, "--json", *case.cli_args(), "--", path.name]
    out, cache = str(work / "out"), str(work / "cache")
    return [*base, *RENDER_ARGS, *case.cli_args(), "--cache-dir", cache, "-o", out, "--", path.name]


def run_case(kind: str, case: Case, root: Path) -> Outcome:
    """Write ``case`` under ``root`` and run the CLI on it."""
    folder = root / f"{kind}-{case.index:06d}"
    path = write_case(case, folder)
    outcome = Outcome(kind, case, command_for(kind, path, case, folder), folder)
    outcome.code, outcome.stdout, outcome.stderr, outcome.seconds, outcome.stdout_bytes = _execute(
        outcome.command, path.parent, TIMEOUTS[kind], case.stdout_encoding
    )
    judge(outcome)
    return outcome


def _strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def judge(o: Outcome) -> None:
    """Fill in ``problems`` and ``signature``."""
    err = o.stderr
    if o.code is None:
        o.problems.append(f"hang (killed after {TIMEOUTS[o.kind]:.0f} s)")
    elif "MemoryError" in err:
        o.problems.append("memory limit")
    if _TRACEBACK in err:
        o.problems.append("traceback")
    elif _EXC_REPR.search(err):
        o.problems.append("exception repr")
    if o.code is not None and o.code not in (0, 1):
        o.problems.append(f"exit {o.code}")
    if o.code == 1 and not o.problems:
        message = err[err.find("error:") :] if "error:" in err else ""
        if not message:
            o.problems.append("exit 1 without an error message")
        elif "hint:" not in message and not _PLACE.search(message) and o.case.name not in message:
            o.problems.append("unhelpful error (no place, no hint)")
    if o.code == 0:
        o.problems += _check_outputs(o)
    if o.kind == "render" and o.code != 0:
        o.problems += _check_leftovers(o)
    o.signature = signature(o)


def _check_outputs(o: Outcome) -> list[str]:
    if o.kind == "inspect":
        try:
            data = _strict_json(o.stdout)
        except ValueError as exc:
            return [f"stdout is not one JSON object ({str(exc)[:60]})"]
        return [] if isinstance(data, dict) else ["stdout JSON is not an object"]
    out = o.folder / "out"
    problems = [
        f"listed but missing: {line}"
        for line in map(os.fsdecode, o.stdout_bytes.splitlines())
        if line.startswith("/") and not Path(line).exists()
    ]
    manifests = list(out.glob("*.manifest.json"))
    if not manifests:
        problems.append("no manifest written")
    for path in manifests:
        try:
            _strict_json(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(f"manifest is not strict JSON ({str(exc)[:60]})")
    problems += _check_leftovers(o, outputs=False)
    return problems


def _check_leftovers(o: Outcome, *, outputs: bool = True) -> list[str]:
    problems = []
    for where in ("out", "cache"):
        folder = o.folder / where
        files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
        temps = [p.name for p in files if ".tmp" in p.name or p.name.startswith(".tts-meta")]
        if temps:
            problems.append(f"temporary files left in {where}: {', '.join(temps[:3])}")
        if outputs and where == "out" and len(files) > len(temps):
            problems.append(f"failed render left {len(files) - len(temps)} outputs")
    return problems


def signature(o: Outcome) -> str:
    """What makes two failures the same bug: the exception and the innermost project frame."""
    if not o.problems:
        return ""
    lines = [re.sub(r"^[\s|+\-]*", "", line) for line in o.stderr.splitlines()]
    if _TRACEBACK in o.stderr:
        frames = [m for line in lines if (m := _FRAME.search(line))]
        ours = [m for m in frames if "/tts_export/" in m["file"]] or frames
        where = ""
        if ours:
            m = ours[-1]
            where = f" at {m['file'].split('/tts_export/')[-1]}:{m['line']} in {m['func']}"
        types = [m["type"] for line in lines if (m := _EXC_LINE.match(line))]
        return f"{types[-1] if types else 'traceback'}{where}"
    first = next((line for line in lines if line.startswith("error:")), lines[0] if lines else "")
    first = re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "_", first)[:80]
    return f"{o.problems[0].split(' (')[0]}: {first}" if first else o.problems[0]


def save_failure(o: Outcome, into: Path) -> Path:
    """Copy the failing input with the command, problems, stderr and stdout."""
    target = into / o.folder.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(o.folder / "in", target / "in", symlinks=True)
    rel = [
        a if not a.startswith(str(o.folder)) else a.replace(str(o.folder), "..") for a in o.command
    ]
    report = [
        f"case: {o.case.description}",
        f"command (run in in/): {' '.join(rel)}",
        f"exit: {o.code}  seconds: {o.seconds:.1f}",
        f"problems: {'; '.join(o.problems)}",
        f"signature: {o.signature}",
        "--- stderr ---",
        o.stderr,
        "--- stdout (first 4000 characters) ---",
        o.stdout[:4000],
    ]
    (target / "report.txt").write_text("\n".join(report), encoding="utf-8")
    return target


def minimize(o: Outcome, root: Path, budget: int = 120) -> Case:
    """Drop chunks of lines, then side files, while the failure keeps its signature."""
    tries = 0

    def same(case: Case) -> bool:
        nonlocal tries
        tries += 1
        again = run_case(o.kind, replace(case, index=900_000 + tries), root)
        shutil.rmtree(again.folder, ignore_errors=True)
        return again.signature == o.signature

    case: Case = o.case
    lines = case.data.splitlines(keepends=True)
    chunks = 2
    while len(lines) >= 2 and tries < budget:
        size = -(-len(lines) // chunks)
        for start in range(0, len(lines), size):
            trial = lines[:start] + lines[start + size :]
            if trial and same(replace(case, data=b"".join(trial))):
                lines, chunks = trial, max(chunks - 1, 2)
                break
        else:
            if chunks >= len(lines):
                break
            chunks = min(len(lines), chunks * 2)
    case = replace(case, data=b"".join(lines))
    for item in case.files:
        if tries < budget and same(
            fewer := replace(case, files=tuple(f for f in case.files if f != item))
        ):
            case = fewer
    return case


def _table(outcomes: dict[str, list[Outcome]]) -> str:
    heads = (
        "runs",
        "exit 0",
        "exit 1",
        "other",
        "traceback",
        "hang",
        "unhelpful",
        "bad out",
        "failed",
    )
    rows = [f"{'':8}" + "".join(f"{h:>10}" for h in heads)]
    for kind, items in outcomes.items():

        def count(*words: str, of: list[Outcome] = items) -> int:
            return sum(any(w in p for w in words for p in o.problems) for o in of)

        cells = (
            len(items),
            sum(o.code == 0 for o in items),
            sum(o.code == 1 for o in items),
            sum(o.code not in (0, 1, None) for o in items),
            count("traceback", "exception repr"),
            count("hang"),
            count("unhelpful", "without an error"),
            count("JSON", "missing", "manifest", "left"),
            sum(bool(o.problems) for o in items),
        )
        rows.append(f"{kind:8}" + "".join(f"{c:>10}" for c in cells))
    return "\n".join(rows)


def _excerpt(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    if _TRACEBACK in stderr and len(lines) > 9:
        lines = [*lines[:5], "    ...", *lines[-4:]]
    return "\n".join("    | " + line[:160] for line in lines[:10])


def _run_all(kind: str, cases: list[Case], root: Path, workers: int) -> list[Outcome]:
    done: list[Outcome] = []

    def one(case: Case) -> Outcome:
        outcome = run_case(kind, case, root)
        done.append(outcome)
        if len(done) % 50 == 0 or len(done) == len(cases):
            bad = sum(bool(o.problems) for o in done)
            print(f"{kind}: {len(done)}/{len(cases)} run, {bad} failed", file=sys.stderr)
        if not outcome.problems:
            shutil.rmtree(outcome.folder, ignore_errors=True)
        return outcome

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, cases))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    ap.add_argument("--inspect", type=int, default=1000, metavar="N", help="inspect cases")
    ap.add_argument("--render", type=int, default=50, metavar="M", help="render cases")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--failures", type=Path, default=ROOT / "out" / "fuzz-failures")
    ap.add_argument("--workers", type=int, default=1, help="runs at a time (default 1)")
    ap.add_argument("--minimize", action="store_true", help="shrink one input per distinct bug")
    ap.add_argument("--only", type=int, nargs="*", help="run only these case numbers")
    args = ap.parse_args(argv)
    plan: dict[str, list[Case]] = {
        "inspect": [make_case(args.seed, i) for i in range(args.inspect)],
        "render": [make_case(args.seed, RENDER_OFFSET + i, small=True) for i in range(args.render)],
    }
    probe = subprocess.run(
        [sys.executable, "-m", "tts_export", "--version"], capture_output=True, text=True
    )
    if probe.returncode != 0:  # not a finding: this interpreter cannot run the CLI at all
        print(f"{sys.executable} -m tts_export does not start:\n{probe.stderr}", file=sys.stderr)
        return 2
    if args.only is not None:
        plan = {k: [c for c in v if c.index in args.only] for k, v in plan.items()}
    outcomes: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="tts-fuzz-") as tmp:
        for kind, cases in plan.items():
            outcomes[kind] = _run_all(kind, cases, Path(tmp), max(1, args.workers))
        failed = [o for items in outcomes.values() for o in items if o.problems]
        print(f"seed {args.seed}\n{_table(outcomes)}\n")
        for o in failed:
            where = save_failure(o, args.failures)
            print(f"FAIL {o.kind} {o.case.description}\n  problems: {'; '.join(o.problems)}")
            print(f"  saved: {where}\n{_excerpt(o.stderr)}\n")
        by_sig: dict[str, list[Outcome]] = {}
        for o in failed:
            by_sig.setdefault(o.signature, []).append(o)
        print(f"{len(by_sig)} distinct failures:")
        for sig, items in sorted(by_sig.items(), key=lambda kv: -len(kv[1])):
            kinds = Counter(o.kind for o in items)
            cases_list = ", ".join(f"{o.kind[0]}{o.case.index}" for o in items[:8])
            print(f"  {len(items):4}  {sig}  [{dict(kinds)}; e.g. {cases_list}]")
            if args.minimize and not any("hang" in p for p in items[0].problems):
                small = minimize(items[0], Path(tmp))
                path = save_failure(items[0], args.failures) / f"minimal-{small.name}"
                path.write_bytes(small.data)
                print(
                    f"        minimal input ({len(small.data)} bytes, side files "
                    f"{[f for f, _ in small.files]}): {path}"
                )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
