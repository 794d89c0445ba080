"""The listening page without a browser: a real espeak render, its page parsed back, the CLI.

Browser behaviour (seeking, following, axe, reflow) is in ``test_page_browser``;
here the page's document is read with ``html.parser`` and checked against the
manifest it was made from.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, render_short_zh, run_cli
from hypothesis import given
from hypothesis import strategies as st

import tts_export
from tts_export import Manifest, ManifestError, RenderNotFound
from tts_export.output.manifest import transcript_fields
from tts_export.output.publish import PageError, page_html, write_page
from tts_export.output.publish.inline import foreign_runs, marked
from tts_export.transcript import read_transcript

FORMATS = ("srt", "vtt", "json", "txt", "html")
VOID = {"meta", "br", "hr", "img", "link", "input", "source", "track", "wbr", "area", "col"}


def render_page(source: Path, base: Path) -> Path:
    """Render ``source`` with the real espeak engine, then write its page; the page's path."""
    out = base / "out"
    result = tts_export.render(
        source, engine="espeak", out_dir=out, cache_dir=base / "cache", captions_formats=FORMATS
    )
    manifest_path = result.files["manifest"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if "turns" not in manifest:
        # The export stage adds these once it passes the transcript to build_manifest;
        # until then, add what it would add, from the same parse.
        manifest.update(transcript_fields(read_transcript(source)))
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return write_page(out / result.stem)


class Tree(HTMLParser):
    """Elements as (tag, attributes, text inside); checks that tags nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str], list[str]]] = []
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.parents: list[str] = []  # the tag each element sits in
        self.in_transcript: list[bool] = []  # whether it is inside div#transcript

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element: tuple[str, dict[str, str], list[str]] = (tag, {k: v or "" for k, v in attrs}, [])
        self.elements.append(element)
        self.parents.append(self.stack[-1][0] if self.stack else "")
        self.in_transcript.append(any(a.get("id") == "transcript" for _, a, _ in self.stack))
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1][0]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for _, _, text in self.stack:
            text.append(data)

    def find(self, tag: str, **attrs: str) -> list[tuple[str, dict[str, str], str]]:
        return [
            (t, a, "".join(x))
            for t, a, x in self.elements
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


def parse(page: Path) -> Tree:
    tree = Tree()
    tree.feed(page.read_text(encoding="utf-8"))
    tree.close()
    assert not tree.stack, f"unclosed: {[t for t, _, _ in tree.stack]}"
    return tree


@pytest.fixture(scope="module")
def zh_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_page(FIXTURES / "render" / "short_zh.md", tmp_path_factory.mktemp("page_zh"))


@pytest.fixture(scope="module")
def en_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_page(FIXTURES / "render" / "short_en.md", tmp_path_factory.mktemp("page_en"))


def manifest_of(page: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        page.with_name(page.name.replace(".html", ".manifest.json")).read_text(encoding="utf-8")
    )
    return data


def sentences(tree: Tree) -> list[tuple[dict[str, str], str]]:
    """The transcript's sentences: the spans directly inside a turn's paragraph."""
    return [
        (attrs, "".join(text))
        for (tag, attrs, text), parent, inside in zip(
            tree.elements, tree.parents, tree.in_transcript, strict=True
        )
        if tag == "span" and parent == "p" and inside
    ]


def test_every_utterance_is_a_sentence_with_its_start_and_id(zh_page: Path) -> None:
    tree, manifest = parse(zh_page), manifest_of(zh_page)
    expected = sorted(manifest["utterances"], key=lambda u: u["start_ms"])
    found = sentences(tree)
    assert [text for _, text in found] == [" ".join(u["display"].split()) for u in expected]
    (box,) = tree.find("div", id="transcript")
    starts = list(itertools.accumulate(int(d) for d in box[1]["data-times"].split()))
    assert starts == [u["start_ms"] for u in expected]
    # ids: on the sentence, or on its turn when the sentences are <turn>u00, <turn>u01...
    turns = [a["id"] for _, a, _ in tree.find("div") if "turn" in a.get("class", "")]
    named = {a["id"] for a, _ in found if "id" in a}
    for u in expected:
        assert u["id"] in named or u["id"][:-3] in turns


def test_player_tracks_and_downloads_link_the_files_beside_the_page(zh_page: Path) -> None:
    tree, folder = parse(zh_page), zh_page.parent
    for landmark in ("header", "main", "nav", "footer"):
        assert len(tree.find(landmark)) == 1, landmark
    assert tree.find("a", class_="skip")[0][1]["href"] == "#transcript-h"
    speeds = [a["value"] for _, a, _ in tree.find("option")]
    assert speeds[0] == "0.75" and speeds[-1] == "2"
    (audio,) = tree.find("audio")
    assert audio[1]["src"] == "short_zh.mp3" and audio[1]["preload"] == "metadata"
    assert "controls" in audio[1]
    tracks = {a["kind"]: a for _, a, _ in tree.find("track")}
    assert tracks["captions"]["src"] == "short_zh.vtt" and "default" in tracks["captions"]
    assert tracks["chapters"]["src"] == "short_zh.chapters.vtt"
    assert tracks["captions"]["srclang"] == "zh"
    links = {a["href"] for _, a, _ in tree.find("a")}
    for name in ("mp3", "srt", "vtt", "transcript.txt", "transcript.html", "transcript.json"):
        assert f"short_zh.{name}" in links
    local = [h for h in links if not h.startswith(("#", "http://", "https://"))]
    assert local and all((folder / h).is_file() for h in local)
    # nothing is loaded from the network: no external script, style, font or image
    assert not tree.find("script", src="") and not tree.find("link") and not tree.find("img")
    assert not re.search(r"url\(|@import|@font-face|https?://", _styles(zh_page))


def _styles(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return "".join(re.findall(r"<style>(.*?)</style>", text, re.S))


def test_language_of_page_and_of_english_terms(zh_page: Path, en_page: Path) -> None:
    tree = parse(zh_page)
    assert tree.find("html")[0][1]["lang"] == "zh"
    english = {"".join(x) for _, a, x in tree.elements if a.get("lang") == "en"}
    assert {"Sora 2", "AI"} <= english
    assert parse(en_page).find("html")[0][1]["lang"] == "en"
    assert "Noto Sans CJK SC" in _styles(zh_page) and "Microsoft YaHei" in _styles(zh_page)


def test_glossary_notes_are_definitions_beside_their_turn(zh_page: Path) -> None:
    tree = parse(zh_page)
    (dfn,) = tree.find("dfn")
    assert dfn[2] == "Sora 2" and dfn[1].get("lang") == "en"
    notes = [text for _, _, text in tree.find("dd")]
    assert "OpenAI公司开发的文本到视频生成模型的新版本" in notes
    # the term is bold in the sentence that says it; the note itself is not spoken
    assert any(t == "b" and "".join(x) == "Sora 2" for t, _, x in tree.elements)


def test_chapters_and_timeline_follow_the_manifest(zh_page: Path) -> None:
    tree, manifest = parse(zh_page), manifest_of(zh_page)
    chapters = tree.find("a", class_="chap")
    assert [int(a["data-c"]) for _, a, _ in chapters] == [
        c["start_ms"] for c in manifest["chapters"]
    ]
    assert [a["href"] for _, a, _ in chapters] == [
        f"#t={c['start_ms'] / 1000:g}" for c in manifest["chapters"]
    ]
    strips = tree.find("svg")
    assert len(strips) == len(manifest["chapters"])
    for _, attrs, _ in strips:
        assert attrs["role"] == "img"
        described = tree.find("li", id=attrs["aria-labelledby"])
        assert described and "主持人" in described[0][2]
    # one row per speaker, coloured in the ASS styles' order (white, yellow, cyan)
    legend = [(a["class"], text) for _, a, text in tree.find("li") if a.get("class", "")[:1] == "v"]
    assert legend == [("v0", "主持人"), ("v1", "闲哥"), ("v2", "老修")]


def test_cli_page_writes_the_page_from_a_finished_render(zh_page: Path) -> None:
    before = zh_page.read_bytes()
    zh_page.unlink()
    proc = run_cli("page", str(zh_page.parent / "short_zh"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(zh_page)
    assert zh_page.read_bytes() == before  # the same manifest makes the same page


def test_render_with_page_writes_it_with_the_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = render_short_zh(
        out, tmp_path / "cache", "--captions-formats", ",".join(FORMATS), "--page"
    )
    assert proc.returncode == 0, proc.stderr
    page = out / "short_zh.html"
    manifest = manifest_of(page)
    assert manifest["files"]["page"] == page.name
    assert {"language", "sections", "turns"} <= set(manifest)
    made_then = page.read_bytes()
    # the page made later from the same render, without synthesis, is the same page
    publish = getattr(tts_export, "publish", write_page)
    assert publish(out / "short_zh") == page
    assert page.read_bytes() == made_then
    assert any(t == "dfn" for t, _, _ in parse(page).elements)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "no render found"),
        ("not_json", "not valid JSON"),
        ("no_utterances", "'utterances' is missing"),
        ("escape", "not a file name beside the manifest"),
    ],
)
def test_cli_page_refuses_what_is_not_a_render(tmp_path: Path, setup: str, message: str) -> None:
    manifest = tmp_path / "ep.manifest.json"
    good = _older_manifest()
    if setup == "not_json":
        manifest.write_text("{", encoding="utf-8")
    elif setup == "no_utterances":
        manifest.write_text(json.dumps({**good, "utterances": []}), encoding="utf-8")
    elif setup == "escape":
        manifest.write_text(json.dumps({**good, "audio": "../x.mp3"}), encoding="utf-8")
    proc = run_cli("page", str(tmp_path / "ep"))
    assert proc.returncode == 1
    assert message in proc.stderr and "hint:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "ep.html").exists()


def _older_manifest() -> dict[str, Any]:
    """A manifest as the first versions wrote it: no turns, sections, language, meta or outputs."""

    def utterance(uid: str, speaker: str, line: int, start: int, end: int, text: str) -> Any:
        return {
            "id": uid, "kind": "speech", "section": None, "speaker": speaker, "line": line,
            "display": text, "spoken": text, "start_ms": start, "end_ms": end, "voice": "v",
            "engine": "espeak", "engine_voice": "en", "cached": False, "attempts": 1,
            "fallback": False,
        }  # fmt: skip

    return {
        "audio": "ep.mp3",
        "duration_ms": 4000,
        "engine": "espeak",
        "title": "Old <render>",
        "speakers": {"A": {"voice": "v", "engine": "espeak", "gender": "female"}},
        "utterances": [
            utterance("s00t000u00", "A", 3, 500, 1500, "Hello & welcome."),
            utterance("s00t001u00", "B", 5, 2000, 3500, "你好。"),
        ],
        "chapters": [],
        "stats": {"utterances": 2, "cached": 0, "synthesized": 2, "fallbacks": 0},
        "loudness": {"integrated_lufs": -16.0, "true_peak_dbtp": -1.0, "target_lufs": -16.0},
        "files": {"audio": "ep.mp3"},
    }


def test_an_older_manifest_still_makes_a_page(tmp_path: Path) -> None:
    manifest = _older_manifest()
    text = page_html(Manifest.from_json(manifest), stem="ep")
    assert '<html lang="en">' in text and "<title>Old &lt;render&gt;</title>" in text
    assert "<i lang=zh>你好。</i>" in text and "Hello &amp; welcome." in text
    # an id the page could not use as an HTML id: the manifest is refused when read, as any
    # malformed manifest is (this was a PageError from the page's own checks before)
    manifest["utterances"][0]["id"] = "x y"
    with pytest.raises(ManifestError) as caught:
        Manifest.from_json(manifest)
    assert "'utterances[0].id' is not a plain identifier" in str(caught.value)
    assert caught.value.hint


def test_publish_without_a_render_is_render_not_found(tmp_path: Path) -> None:
    # the same class `qa` and `qa --repair` raise (publish raised PageError for it before)
    with pytest.raises(RenderNotFound, match="no render found"):
        write_page(tmp_path / "ep")
    with pytest.raises(RenderNotFound, match="holds no"):
        write_page(tmp_path)


def test_a_page_needs_its_audio(zh_page: Path, tmp_path: Path) -> None:
    copy = tmp_path / "short_zh.manifest.json"
    copy.write_bytes(zh_page.with_name(copy.name).read_bytes())
    with pytest.raises(PageError, match=r"short_zh\.mp3 is not beside it"):
        write_page(copy)


@given(st.text(alphabet=st.sampled_from("ab Z9'.-<>&\"欢迎，。AI\u00a0"), max_size=40))
def test_marked_text_reads_back_as_the_text(text: str) -> None:
    for language in ("zh", "en"):
        out = marked(text, language)
        assert html.unescape(re.sub(r"</?i[^>]*>", "", out)) == text
        assert "<" not in re.sub(r"</?i[^>]*>", "", out)
        for start, end, tag in foreign_runs(text, language):
            assert f"<i lang={tag}>{html.escape(text[start:end], quote=False)}</i>" in out
