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

import base64
import datetime as dt
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

Value = object  # a Python value written out as YAML or TOML


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


# --- building blocks ---------------------------------------------------------------


def _pool(text: str) -> tuple[str, ...]:
    """The items of ``text`` separated by `` ¦ `` (so that items may hold newlines)."""
    return tuple(text.strip("\n").split(" ¦ "))


PERSONAS = _pool("en-f-bright ¦ en-m-warm ¦ en-narrator ¦ zh-f-bright ¦ zh-m-deep ¦ zh-narrator")
NAMES = _pool(
    "Host ¦ Guest ¦ Alice ¦ Bob ¦ Gary Null ¦ SPEAKER_00 ¦ Speaker 1 ¦ JAMES ¦ MARY ¦ 主持人 ¦ 嘉宾"
    " ¦ 闲哥 ¦ 老修 ¦ 张三 ¦ Ａｌｉｃｅ ¦ 김민수 ¦ محمد ¦ R&D Lead ¦ Q&A Bot ¦ Tom & Jerry ¦ O'Brien"
    " ¦ Dr. Smith ¦ Jean-Luc ¦ Anna (guest) ¦ Mr. T (host) ¦ J.R.R. ¦ [red]Bob ¦ [/x] ¦ Note ¦ http"
    " ¦ [bold]Al[/bold] ¦ Bob[/] ¦ Zoe\u0301 ¦ A\u200bB ¦ 🎙️ Mic ¦ Host  ¦ Ä-Ö (ü) ¦ Name: Colon ¦ '"
    " ¦ " + "x" * 45
)
SENTENCES = _pool(
    "Welcome back to the show. ¦ I think that is exactly right, and here is why."
    " ¦ Well... maybe? Let's see! ¦ It costs $5, or 50% off, about 1,000,000 units in 2024."
    " ¦ Version 3.14.159 shipped on 2024-10-01 at 12:30. ¦ 抖音危险了。 ¦ 真的吗？对，没错！"
    " ¦ 我觉得这个还是几件事情结合起来，还是蛮有的聊的。 ¦ 他说：“你想要邀请码吗？点关注点Like。”"
    " ¦ Sora要是未来能够把流量再做起来，30年的帝国也可能被踹倒一面墙。"
)
FRAGMENTS = _pool(
    "(laughs) ¦ [laughs] ¦ [笑] ¦ 【笑声】 ¦ （笑） ¦ [applause] ¦ (Intro music: soft piano)"
    " ¦ **AI**（Artificial Intelligence: 人工智能） ¦ **entropy** (a measure of disorder)"
    " ¦ **Sora 2**（OpenAI公司开发的模型） ¦ **term**（ ¦ **unclosed bold ¦ <https://x.org>"
    " ¦ https://example.com/a?b=1&c=[2] ¦ [the docs](https://docs.example.com) ¦ ![i](cover.png)"
    " ¦ [^1] ¦ [[Wiki|Shown]] ¦ {#anchor} ¦ {\\an8} ¦ {\\b1}bold{\\b0} ¦ <b>bold</b> ¦ <!-- x -->"
    " ¦ <script>alert(1)</script> ¦ &amp; &lt;tag&gt; &#x1F600; ¦ `code: x` ¦ [red]red[/red]"
    " ¦ [/x] ¦ [bold] ¦ [link=file:///etc/passwd]x[/link] ¦ 00:00:01,000 --> 00:00:02,000"
    " ¦ WEBVTT ¦ \\N ¦ \\ ¦ --> ¦ <v Bob> ¦ </v> ¦ 1e999 ¦ 0x1F ¦ NaN ¦ -0 ¦ ½ ⅓ ²³ ¦ 10^100"
    " ¦ 😀👍🏽 ¦ \u200b\u200d\ufeff ¦ \u202eRTL override ¦ \u2028 ¦ \u0085 ¦ \x1b[31m ¦ \x07"
    " ¦ \x0c ¦ \t\t ¦ ... ¦ ？？？ ¦ —— ¦ ⋯⋯ ¦ 、 ¦ · ¦ " + "3" * 120
)
TIMESTAMPS = _pool("0:00:36.2 ¦ [05:42] ¦ (00:12:34) ¦ 12:34 - ¦ 00:01 | ¦ [1:02:03.456] ¦ 99:99")
LABELS = dict(
    item.split("=", 1)
    for item in _pool(
        "colon={n}:  ¦ colon-fullwidth={n}： ¦ bold-inside=**{n}:**  ¦ bold-outside=**{n}**: "
        " ¦ bold-plain=**{n}**  ¦ bracket-colon=[{n}]:  ¦ bracket=[{n}]  ¦ bracket-cjk=【{n}】"
        " ¦ screenplay={N}:  ¦ asr={n} ({t}):\n ¦ otter={n}  {t}\n ¦ prose="
    )
)
# Each setting's values as [good, bad], in YAML (YAML 1.1 reads .nan, .inf, yes, ~).
SETTINGS: dict[str, list[list[Value]]] = yaml.safe_load("""
engine: [[espeak, kokoro, edge], [piper, 5, "", "[red]espeak", [espeak], ~]]
fallback: [[none, auto, espeak, kokoro], [x, 0, true]]
jobs: [[1, 2, 0], [-1, 1.5, "4", four, true, 1000000000000000000000000000000, 65, ~, [1]]]
loudness: [[-16, -19.5, "off", false], [loud, -100, 0, .nan, .inf, "-16", true]]
max_chars: [[42, 16], [abc, 0, 3, 100000000000000000000, 1.5, "42", [], {a: 1}]]
max_lines: [[1, 2], [0, 5, "2", 2.0]]
bitrate: [[96k, 128k], [96, abc, 0k, 999k, 96 k, 96K, 96.0, "[/x]"]]
dialect: [[colon, bold, timestamped-bracket, prose, auto], [5, klingon, [colon]]]
sample_rate: [[24000, 44100, 8000], [x, 0, 7999, 1000000000, 22050.5, "44100", -1]]
channels: [[1, 2], [3, 0, "2", stereo, true]]
format: [[mp3, wav, flac, ogg, opus, m4a, m4b], [aac, 3, "", MP3]]
captions: [[netflix, bbc, podcast], [x, 1, ~]]
captions_formats: [[[srt], "srt,vtt", [srt, srt], "srt, ass"], [[docx], "", [], 5, [5]]]
pauses: [[{turn: 300}, {sentence: 0, tail: 60000}, {}],
         [{turn: long}, {nope: 1}, long, [1, 2], {head: -5}, {sound: 1000000000000},
          {sentence: 1.5}]]
voices: [[{Host: en-m-warm}, {主持人: zh-f-bright, 嘉宾: zh-f-bright}, {Host: x-custom}],
         [{Nobody: en-f-calm}, {Host: no-such}, en-m-warm, {Host: 5}, {"": ""}]]
glossary: [[drop, keep], [both, true]]
voice_dirs: [[[voices], []], [voices, [nope], [5], [cover.png], [badvoices]]]
group: [[true, false], ["yes", 1]]
strict: [[true, false], ["no", 0]]
speed: [[], [1.5]]
out_dir: [[], [/tmp/elsewhere]]
enigne: [[], [espeak]]
""")
# Front matter values other than the settings, in YAML.
META: dict[str, list[Value]] = yaml.safe_load("""
title: [The Talk, "[/x] Title", "[red]Red[/red]", "", "2024", 访谈, .nan, -.inf, 2024-05-01]
language: [en, zh, zh-CN, Chinese, 中文, xx, 5, "", "[/x]", ~, [en]]
speakers: [{H: Host, G: Guest}, [Alice, Bob], [{id: A, name: Alice}], Host, [~, 5],
           {R&D Lead: {name: Rd}}, {"[/x]": "[red]"}]
""")
TOML_JUNK = _pool(
    'jobs = \n ¦ jobs = "4\n ¦ jobs = 1\njobs = 2\n ¦ engine = "caf\xe9"\n ¦ \xef\xbb\xbfjobs = 1\n'
    " ¦ [pauses]\nturn = 'x'\n[pauses]\n ¦ = 1\n ¦ [tts-export]\njobs = 2\n ¦ pauses = 5\n[pauses]\n"
)
FILE_NAMES = _pool("[red]talk.md ¦ my talk (final).md ¦ 访谈.md ¦ a'b&c.txt ¦ noext")
COVERS: tuple[Value, ...] = (
    *_pool(
        "cover.png ¦ missing.png ¦ covers ¦ /dev/zero ¦ /dev/urandom ¦ ../outside.png ¦ 5.png"
        " ¦ /etc/passwd ¦ fake.png ¦  ¦ ~/secret.png ¦ [/x].png ¦ http://example.com/a.png"
        " ¦ zero-link.png ¦ out-link.png ¦ in-link.png"
    ),
    5,
)
# A 1x1 PNG, so that a real image exists to be embedded (or refused).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
PROFILE = (
    '[[profile]]\nid = "x-custom"\ngender = "female"\nlanguage = "en"\n'
    'espeak = {{ voice = "{voice}", speed = {speed} }}\n'
)
BROKEN_YAML = _pool(
    "title: a: b ¦ title: 'unclosed ¦ \ttitle: x ¦ - a\n- b ¦ just a string ¦ 42 ¦ key: [1, 2"
    " ¦ title: x\n  bad: indent ¦ key: {a: 1 ¦ ? [a, b]\n: c ¦ a: !!binary 'notbase64@@'"
    " ¦ a: !!python/object/apply:os.system [ls] ¦ date: 2024-02-30 ¦ a: &x [*x] ¦ a: &x {b: *x}"
    " ¦ a: *undefined ¦ <<: [1, 2] ¦ title: \x07bell ¦ title: x\ntitle: y ¦ : nokey ¦ a: b\n- c"
    " ¦ %TAG ! tag:x,2000:\na: !x 1 ¦ title: |\n ¦ a: 12:30:45 ¦ a: 1\n...\nb: 2"
    " ¦ tts-export:\n  jobs: 4\n   max_chars: 5"
)
BROKEN_YAML += tuple(  # alias bombs ("billion laughs"), then deep nesting
    "\n".join(
        ['a0: &a0 ["lol"]']
        + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * n)}]" for i in range(1, n)]
    )
    for n in (3, 6, 9)
) + tuple(f"title: {'[' * depth}{']' * depth}" for depth in (50, 900, 5000))
META_EXTRAS = _pool(
    "date: 2024-05-01 ¦ date: 2024-05-01T10:00:00Z ¦ draft: no ¦ draft: yes ¦ time: 12:30"
    " ¦ neg: -.inf ¦ tags: [a, [b, [c, {d: e}]]] ¦ base: &b {x: 1}\nother: *b\nm: {<<: *b, y: 2}"
    " ¦ empty: ¦ ~: nullkey ¦ 1: intkey ¦ bin: !!binary aGVsbG8= ¦ set: !!set {a, b}"
    " ¦ nested:\n  a:\n    b:\n      c: [1, {d: [2, 3]}] ¦ '[/x]': '[bold]' ¦ big: 1" + "0" * 400
)
INTERLUDES = _pool(
    "# Part One ¦ ## [/x] heading ¦ ### [red] ¦ ###### 第一章 ¦ ## ¦ Section Two\n=========== ¦ ---"
    " ¦ *** ¦ ```\n{n}: inside code\n``` ¦ ```python\nprint('{n}: x') ¦ ~~~\n[05:42]\n~~~"
    " ¦ <div>{n}: in html</div> ¦ <!--\n{n}: commented out\n--> ¦ > {n}: quoted ¦ | a | b |"
    "\n|---|---|\n| 1 | 2 | ¦ - {n}: Jane Doe\n- Guest: John ¦ Note: this is prose. ¦ [id]: http://x"
    " ¦ http://x.org: a link ¦ (laughs) ¦ [笑] ¦ [05:42] ¦ 12:30: lunch ¦ [^1]: a footnote ¦ <br>"
    " ¦     indented code: x ¦ 本期嘉宾： ¦ Cast: ¦   ¦ \u3000"
)


def _yaml(value: Value, rng: random.Random | None) -> str:
    """``value`` in flow-style YAML, choosing among YAML 1.1's spellings (``rng`` None: TOML)."""
    toml = rng is None
    if isinstance(value, bool) or value is None:
        spellings = {True: "true yes on True", False: "false no off", None: "~ null"}[value]
        return spellings.split()[0] if rng is None else rng.choice(spellings.split())
    if isinstance(value, float) and not math.isfinite(value):
        return ("" if toml else ".") + ("nan" if math.isnan(value) else "inf")
    if isinstance(value, int | float | dt.date):
        return str(value)
    if isinstance(value, str):
        plain = value[:1].isalnum() and not any(c in value for c in ":#,[]{}&*!|>'\"%@`")
        if plain and rng is not None and rng.random() < 0.5:
            return value
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v, rng) for v in value if not toml or v is not None) + "]"
    assert isinstance(value, dict)
    pairs = ((_yaml(str(k) if toml else k, rng), _yaml(v, rng)) for k, v in value.items())
    return "{" + ", ".join(f"{k} {'=' if toml else ':'} {v}" for k, v in pairs) + "}"


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
                    text = _yaml(value, y)
                alias = {"language": ("language", "lang"), "speakers": ("speakers", "cast")}
                lines.append(f"{y.choice(alias.get(key, (key,)))}: {text}")
                self.notes.append(f"{key} {value!r}")
        if self.chance(0.3):
            voices = y.choice(SETTINGS["voices"][self.chance(0.4)])
            lines.append(f"voices: {_yaml(voices, y)}")
            self.notes.append(f"voices {voices!r}")
        if self.chance(0.3):
            cover = y.choice(COVERS)
            self.side_files(cover)
            lines.append(f"cover: {_yaml(cover, y)}")
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
                lines += [f"  {_yaml(k, y)}: {_yaml(v, y)}" for k, v in self.settings().items()]
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
                    f"{json.dumps(key) if self.chance(0.2) else key} = {_yaml(value, None)}"
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
