"""The material hostile transcripts are made of (``fuzzgen``): small pools to draw from.

Names, sentences, labels and timestamps; every ``tts-export:`` setting with
good and bad values; front matter values, broken YAML, covers, TOML junk and
file names; and ``as_yaml``, which writes a value out as YAML or TOML.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import random

import yaml

Value = object  # a Python value written out as YAML or TOML


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


def as_yaml(value: Value, rng: random.Random | None) -> str:
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
        return "[" + ", ".join(as_yaml(v, rng) for v in value if not toml or v is not None) + "]"
    assert isinstance(value, dict)
    pairs = ((as_yaml(str(k) if toml else k, rng), as_yaml(v, rng)) for k, v in value.items())
    return "{" + ", ".join(f"{k} {'=' if toml else ':'} {v}" for k, v in pairs) + "}"
