"""Every error the package raises on purpose says what to do: a non-empty hint at each site.

The sites are found in the source with ``ast``: every construction of a ``TtsExportError``
subclass (``raise X(...)``, ``error = X(...)``, ``return X(...)``) in ``tts_export/``.
A site passes when it gives ``hint=`` something other than an empty string, or when the
class builds the hint itself for that call (``CLASS_DEFAULTS``, checked at run time below).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from conftest import ROOT, run_cli

from tts_export.audio.ffmpeg_errors import FfmpegError
from tts_export.errors import SynthesisFailed

PACKAGE = ROOT / "tts_export"

# Classes whose constructor writes the hint for the calls the predicate accepts.
CLASS_DEFAULTS: dict[str, Callable[[ast.Call], bool]] = {
    # the hint lists the failures' remedies (rerun, --fallback) whatever the failures are
    "SynthesisFailed": lambda call: True,
    # classify() diagnoses ffmpeg's log and always gives a hint, unless problem= replaces it
    "FfmpegError": lambda call: not any(k.arg == "problem" for k in call.keywords),
}

# Sites still without a hint, in files another helper is rewriting right now
# (pipeline.py, batch.py, repair.py, casting.py, synth/, engines/). Each entry is
# (file relative to tts_export/, the construction as ``ast.unparse`` writes it: one line,
# independent of formatting).
# The merger gives each a hint and deletes its entry: a stale entry fails the test too.
NOT_YET: dict[tuple[str, str], str] = {}  # site -> a suggested hint, while one is missing


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")}


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """Names of ``TtsExportError`` and every class deriving from it, anywhere in the package."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute)
                }
    found = {"TtsExportError"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found


def _constants(tree: ast.Module) -> dict[str, object]:
    """Module-level ``NAME = "text"`` assignments, to see through ``hint=_HINT``."""
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = node.value.value
    return values


def _gives_hint(call: ast.Call, constants: dict[str, object]) -> bool:
    for keyword in call.keywords:
        if keyword.arg is None:
            return True  # **options: decided where they are built
        if keyword.arg != "hint":
            continue
        value = keyword.value
        if isinstance(value, ast.Constant):
            return bool(value.value)
        if isinstance(value, ast.Name) and value.id in constants:
            return bool(constants[value.id])
        return True  # an expression (an f-string, a call, a parameter): not empty by itself
    return False


def _sites_without_hint() -> list[tuple[str, int, str]]:
    trees = _trees()
    classes = _error_classes(trees)
    missing = []
    for path, tree in sorted(trees.items()):
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in classes or _gives_hint(node, constants):
                continue
            if name in CLASS_DEFAULTS and CLASS_DEFAULTS[name](node):
                continue
            rel = path.relative_to(PACKAGE).as_posix()
            missing.append((rel, node.lineno, ast.unparse(node)))
    return missing


def test_every_error_raised_on_purpose_carries_a_hint() -> None:
    missing = _sites_without_hint()
    new = [f"tts_export/{f}:{n}: {text}" for f, n, text in missing if (f, text) not in NOT_YET]
    assert not new, "errors raised without a hint (give hint=... what the user can do):\n" + (
        "\n".join(new)
    )
    stale = set(NOT_YET) - {(f, text) for f, _, text in missing}
    assert not stale, f"these sites have a hint now: delete them from NOT_YET: {sorted(stale)}"


def test_the_scan_finds_the_error_classes_and_sees_an_empty_hint() -> None:
    classes = _error_classes(_trees())
    assert {"ConfigError", "EngineUnavailable", "PageError", "FfmpegError", "RenderNotFound"} <= (
        classes
    )
    call = ast.parse('raise ConfigError("x", 1, "bad", hint="")').body[0]
    assert isinstance(call, ast.Raise) and isinstance(call.exc, ast.Call)
    assert not _gives_hint(call.exc, {})
    named = ast.parse('ConfigError("x", 1, "bad", hint=_H)').body[0]
    assert isinstance(named, ast.Expr) and isinstance(named.value, ast.Call)
    assert not _gives_hint(named.value, {"_H": ""}) and _gives_hint(named.value, {"_H": "do"})


def test_the_classes_counted_as_giving_a_default_hint_do() -> None:
    assert SynthesisFailed([("u0001", "Host", 3, "timed out")]).hint
    for log, code in (("", 1), ("Unknown encoder 'x'\n", 1), ("x.wav: No such file", 1), ("", -9)):
        error = FfmpegError(["ffmpeg", "-i", "x.wav", "y.mp3"], log, returncode=code)
        assert error.hint, (log, code)
        assert "hint: " + error.hint in str(error)
    assert FfmpegError.missing("not found").hint


def test_the_cli_prints_the_hint_with_the_error(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text("Host: Hello there.\n\nGuest: Hi.\n", encoding="utf-8")
    proc = run_cli("inspect", str(source), "--config", str(tmp_path / "missing.toml"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "file not found" in proc.stderr
    assert "hint: check the path given to --config" in proc.stderr
    bad = tmp_path / "tts-export.toml"
    bad.write_text("jobs = 99\n", encoding="utf-8")
    proc = run_cli("inspect", str(source), "--config", str(bad))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "hint: e.g. --jobs 3, or `jobs = 3` in tts-export.toml" in proc.stderr, proc.stderr
