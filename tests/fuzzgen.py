"""(seed, index) → a hostile but plausible transcript ``Case``: file bytes, side files, a description.

Deterministic: the same (seed, index) always gives the same bytes, so a failing
case can be rebuilt from its number. A case mixes front matter (valid and broken
YAML, wrong types for every ``tts-export:`` setting, ``voices:``, ``speakers:``,
``cover:``, aliases, dates, huge numbers), a body in any speaker-label dialect
(names with ``&'.-()``, CJK, Rich-markup look-alikes), markup traps (code fences,
HTML, glossary notes, sound cues, URLs, numbers, very long lines) and byte-level
damage (BOM, CRLF, invalid UTF-8, NUL). About a quarter of the cases carry their
settings in a ``tts-export.toml`` beside the transcript instead.

    case = make_case(seed=1, index=17)
    path = write_case(case, tmp_path)   # transcript plus side files
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from fuzzpool import (
    BROKEN_YAML,
    COVERS,
    FILE_NAMES,
    FRAGMENTS,
    INTERLUDES,
    LABELS,
    META,
    META_EXTRAS,
    NAMES,
    PERSONAS,
    PNG,
    PROFILE,
    SENTENCES,
    SETTINGS,
    TIMESTAMPS,
    TOML_JUNK,
    Value,
    as_yaml,
)


@dataclass(frozen=True)
class Case:
    """One generated transcript.

    Attributes:
        index: its number for this seed.
        data: the transcript file's bytes.
        description: what was put in it, for reports.
        name: the transcript's file name.
        files: side files (relative path → bytes; None for a folder; text for a
            symbolic link to that target); a path may start with ``../`` to lie
            outside the transcript's folder.
        options: extra choices, as (option, value): ``strict``, ``dialect``,
            ``glossary``, ``voice`` (``Name=profile``).
        stdout_encoding: what the CLI's stdout and stderr encode to (``PYTHONIOENCODING``).
    """

    index: int
    data: bytes
    description: str
    name: str = "transcript.md"
    files: tuple[tuple[str, bytes | str | None], ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    stdout_encoding: str = "utf-8"

    def cli_args(self) -> list[str]:
        """The options as command-line arguments."""
        args: list[str] = []
        for key, value in self.options:
            args += ["--strict"] if key == "strict" else [f"--{key}", value]
        return args


def write_case(case: Case, folder: Path) -> Path:
    """Write the transcript to ``folder/in/`` with its side files; return the transcript's path.

    Side files named ``../x`` land in ``folder`` itself, never higher.
    """
    home = folder / "in"
    home.mkdir(parents=True, exist_ok=True)
    for rel, content in case.files:
        target = (home / rel).resolve()
        if not target.is_relative_to(folder.resolve()):
            raise ValueError(f"side file {rel!r} leaves the case folder")
        if content is None:
            target.mkdir(parents=True, exist_ok=True)
        elif isinstance(content, str):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(content)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    path = home / case.name
    path.write_bytes(case.data)
    return path


class _Builder:
    """Accumulates one case's parts and notes what went in."""

    def __init__(self, rng: random.Random, small: bool) -> None:
        self.rng = rng
        self.small = small
        self.notes: list[str] = []
        self.files: dict[str, bytes | str | None] = {}
        self.options: list[tuple[str, str]] = []

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def settings(self) -> dict[str, Value]:
        chosen: dict[str, Value] = {}
        for key in self.rng.sample(sorted(SETTINGS), self.rng.randint(1, 4)):
            good, bad = SETTINGS[key]
            value = self.rng.choice(bad if not good or self.chance(0.3) else good)
            chosen[key.replace("_", "-") if self.chance(0.2) else key] = value
        self.notes.append("settings " + ", ".join(f"{k}={v!r}"[:60] for k, v in chosen.items()))
        for value in chosen.values():
            self.side_files(value)
        return chosen

    def side_files(self, value: Value) -> None:
        """Create what a setting or ``cover:`` value may point at."""
        text = repr(value)
        if "voices'" in text or "badvoices" in text:
            speed = self.rng.choice(("1.0", '"fast"', "-3", "1e9"))
            voice = self.rng.choice(("en-us+f3", "xx-nope", "en; rm -rf /", "../../etc"))
            self.files["voices/custom.toml"] = PROFILE.format(voice=voice, speed=speed).encode()
            self.files["badvoices/latin1.toml"] = b'[[profile]]\nid = "caf\xe9"\n'
            self.files["badvoices/dir.toml"] = None
            self.files["badvoices/shape.toml"] = b"profile = 5\n[[x]]\nid = 1\n"
        if "cover.png" in text or "outside" in text:
            self.files["cover.png"] = PNG
            self.files["../outside.png"] = PNG
        if "covers" in text:
            self.files["covers"] = None
        if "link" in text:  # symbolic links: to a device, out of the folder, and a fair one
            self.files.update({"zero-link.png": "/dev/zero", "out-link.png": "../outside.png"})
            self.files.update({"in-link.png": "cover.png", "cover.png": PNG, "../outside.png": PNG})
        if "fake.png" in text:
            self.files["fake.png"] = b"not an image\n"

    def front_matter(self, settings_in_toml: bool) -> str:
        kind = self.rng.choices(("none", "valid", "broken"), (25, 60, 15))[0]
        if kind == "none":
            return ""
        if kind == "broken":
            body = self.rng.choice(BROKEN_YAML)
            self.notes.append(f"front matter broken YAML {body[:70]!r} ({len(body)} chars)")
            unclosed = self.chance(0.1)
            return f"---\n{body}\n" + ("" if unclosed else "---\n")
        return "---\n" + "\n".join(self.meta_lines(settings_in_toml)) + "\n---\n"

    def meta_lines(self, settings_in_toml: bool) -> list[str]:
        y, lines = self.rng, []
        for key, p in (("title", 0.7), ("language", 0.4), ("speakers", 0.3)):
            if self.chance(p):
                value = y.choice(META[key])
                if key == "title" and self.chance(0.1):  # YAML escapes can make lone surrogates
                    value, text = "\ud83d", '"\\ud83d"'
                else:
                    text = as_yaml(value, y)
                alias = {"language": ("language", "lang"), "speakers": ("speakers", "cast")}
                lines.append(f"{y.choice(alias.get(key, (key,)))}: {text}")
                self.notes.append(f"{key} {value!r}")
        if self.chance(0.3):
            voices = y.choice(SETTINGS["voices"][self.chance(0.4)])
            lines.append(f"voices: {as_yaml(voices, y)}")
            self.notes.append(f"voices {voices!r}")
        if self.chance(0.3):
            cover = y.choice(COVERS)
            self.side_files(cover)
            lines.append(f"cover: {as_yaml(cover, y)}")
            self.notes.append(f"cover {cover!r}")
        if self.chance(0.3):
            extra = y.choice(META_EXTRAS)
            lines.append(extra)
            self.notes.append(f"meta {extra[:50]!r}")
        if self.chance(0.55) and not settings_in_toml:
            key = y.choice(("tts-export", "tts-export", "tts_export"))
            if self.chance(0.1):
                junk = y.choice(("5", "[jobs]", "espeak", "~", "{}"))
                self.notes.append(f"{key}: {junk}")
                lines.append(f"{key}: {junk}")
            else:
                lines.append(f"{key}:")
                lines += [f"  {as_yaml(k, y)}: {as_yaml(v, y)}" for k, v in self.settings().items()]
        return lines

    def toml(self) -> bytes:
        if self.chance(0.15):
            junk = self.rng.choice(TOML_JUNK).encode("latin-1")
            self.notes.append(f"tts-export.toml broken {junk!r}")
            return junk
        lines = []
        for key, value in self.settings().items():
            if value is not None:  # TOML has no null
                lines.append(
                    f"{json.dumps(key) if self.chance(0.2) else key} = {as_yaml(value, None)}"
                )
        self.notes.append("settings in tts-export.toml")
        return ("\n".join(lines) + "\n").encode()

    def text(self, long: bool = False) -> str:
        parts: list[str] = []
        for _ in range(self.rng.randint(1, 2 if self.small else 4)):
            parts.append(self.rng.choice(SENTENCES))
            if self.chance(0.35):
                parts.insert(self.rng.randrange(len(parts) + 1), self.rng.choice(FRAGMENTS))
        if long:
            size = self.rng.choice((600, 3000) if self.small else (3000, 20000, 120000))
            unit = self.rng.choice(("word ", "抖", "a", "(laughs) ", "**x**（y） ", "Host: "))
            parts.append(unit * (size // len(unit)))
            self.notes.append(f"long line of {unit!r} x {size // len(unit)}")
        return " ".join(parts) if self.chance(0.8) else "".join(parts)

    def interlude(self, speakers: list[str]) -> str:
        return self.rng.choice(INTERLUDES).replace("{n}", self.rng.choice(speakers))

    def body(self) -> str:
        y = self.rng
        if self.chance(0.03):
            self.notes.append("empty body")
            return y.choice(("", "\n", "   \n\n", "\u3000\n"))
        style = y.choice(sorted(LABELS))
        pool = list(NAMES)
        speakers = y.sample(pool, y.randint(1, 3 if self.small else 6))
        stamped = self.chance(0.25)
        self.notes.append(f"dialect {style}{' timestamped' if stamped else ''} speakers {speakers}")
        out: list[str] = []
        mixed = self.chance(0.1)
        turns = y.randint(1, 6 if self.small else 30)
        long_at = y.randrange(turns) if self.chance(0.08) else -1
        for turn in range(turns):
            if self.chance(0.15):
                out.append(self.interlude(speakers))
            name = y.choice(speakers)
            label_style = y.choice(sorted(LABELS)) if mixed else style
            t = y.choice(TIMESTAMPS)
            label = LABELS[label_style].format(n=name, N=name.upper(), t=t.strip("[]()| -"))
            prefix = f"{t} " if stamped and label_style not in ("asr", "otter") else ""
            out.append(prefix + label + ("" if self.chance(0.04) else self.text(turn == long_at)))
        if mixed:
            self.notes.append("mixed label styles")
        sep = "\n" if self.chance(0.3) else "\n\n"
        return sep.join(out) + ("\n" if self.chance(0.9) else "")

    def options_for(self) -> None:
        key = self.rng.choice(("strict", "dialect", "glossary", "voice"))
        value = self.rng.choice(
            {
                "strict": ("",),
                "glossary": ("keep", "drop"),
                "dialect": ("bold", "prose", "timestamped", "screenplay", "auto"),
                "voice": tuple(f"{n}={p}" for n in NAMES[:12] for p in PERSONAS),
            }[key]
        )
        self.options.append((key, value))
        self.notes.append(f"--{key} {value}".strip())


def _damage(b: _Builder, text: str) -> bytes:
    """Encode ``text``, sometimes with damage: BOM, CR/CRLF, bad bytes, NUL, other encodings."""
    y = b.rng
    ending = y.choices(("\n", "\r\n", "\r", "mixed"), (70, 20, 5, 5))[0]
    if ending == "mixed":
        text = "".join(ch + ("\r" if ch == "\n" and y.random() < 0.5 else "") for ch in text)
    elif ending != "\n":
        text = text.replace("\n", ending)
    if ending != "\n":
        b.notes.append(f"line endings {ending!r}")
    codec = y.choices(("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"), (84, 8, 3, 1, 4))[0]
    data = text.encode(codec, errors="replace")
    if codec != "utf-8":
        b.notes.append(f"encoded {codec}")
    if b.chance(0.07):
        bad = y.choice((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\xe4\xb8", b"\x80"))
        at = y.choice((0, len(data), y.randint(0, len(data))))
        data = data[:at] + bad + data[at:]
        b.notes.append(f"invalid UTF-8 {bad!r} at byte {at}")
    if b.chance(0.03):
        at = y.choice((y.randint(0, len(data)), 70000))
        data = data[:at] + b"\x00" + data[at:]
        b.notes.append(f"NUL byte at {min(at, len(data))}")
    if b.chance(0.01):
        data = y.choice((b"%PDF-1.4\n", b"", b"\xef\xbb\xbf", b"\n" * 3000))
        b.notes.append(f"whole file replaced by {data[:12]!r}")
    return data


def make_case(seed: int, index: int, *, small: bool = False) -> Case:
    """The case numbered ``index`` for ``seed``.

    Args:
        seed: the run's seed.
        index: the case's number.
        small: keep it short enough to render quickly (few turns, no huge lines).
    """
    b = _Builder(random.Random(f"{seed}:{index}"), small)
    in_toml = b.chance(0.25)
    front = b.front_matter(in_toml)
    if in_toml:
        b.files["tts-export.toml"] = None if b.chance(0.03) else b.toml()
        if b.files["tts-export.toml"] is None:
            b.notes.append("tts-export.toml is a folder")
    if b.chance(0.12):
        b.options_for()
    body = "" if b.chance(0.03) else b.body()
    if not body.strip() and front:
        b.notes.append("only front matter")
    name = b.rng.choice(FILE_NAMES) if b.chance(0.2) else "transcript.md"
    encoding = b.rng.choices(("utf-8", "cp1252", "ascii", "latin-1"), (88, 6, 3, 3))[0]
    if encoding != "utf-8":
        b.notes.append(f"stdout {encoding}")
    return Case(
        index=index,
        data=_damage(b, front + body),
        description=f"#{index} {name}: " + "; ".join(b.notes),
        name=name,
        files=tuple(sorted(b.files.items())),
        options=tuple(b.options),
        stdout_encoding=encoding,
    )
