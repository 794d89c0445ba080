"""The pronunciation lexicon: matching rules, file validation, and on real parts (espeak,
the clip cache, the written captions) that it changes speech but never captions."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import wave
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tts_export.errors import ConfigError, TranscriptError
from tts_export.lexicon import (
    Entry,
    Lexicon,
    apply_lexicon,
    bundled_lexicon,
    find_hits,
    from_front_matter,
    lexicon_usage,
    load_lexicon,
    read_lexicons,
)
from tts_export.lexicon.load import parse_lexicon
from tts_export.models import Realization
from tts_export.script import build_script
from tts_export.synth.cache import clip_key
from tts_export.transcript.parse import parse_text

TOML = """\
[terms]
"Sora" = "索拉"
"模型" = "魔性"

[[entry]]
term = "OpenAI"
spoken = "Open A I"

[[entry]]
pattern = 'GPT-(\\d+)(o?)'
spoken = 'G P T \\1 \\2'

[[entry]]
term = "app"
spoken = "艾普"
case = "insensitive"
language = "zh"
"""


def lex(text: str = TOML) -> Lexicon:
    return parse_lexicon(text, path="lex.toml")


def say(text: str, language: str = "zh", engine: str = "", lexicon: Lexicon | None = None) -> str:
    return apply_lexicon(lexicon or lex(), text, language=language, engine=engine)


def test_latin_terms_match_whole_words_only() -> None:
    assert say("Sora 2发布了") == "索拉 2发布了"
    assert say("用Sora做视频") == "用索拉做视频"  # Han characters are not word characters
    assert say("Soraya, Sora2, MySora") == "Soraya, Sora2, MySora"
    assert say("OpenAI的ChatGPT-5") == "Open A I的ChatGPT-5"  # no GPT inside ChatGPT


def test_cjk_terms_match_exactly_even_next_to_latin() -> None:
    assert say("GPT模型很大") == "GPT魔性很大"


def test_case_rule_is_per_entry() -> None:
    assert say("openai 和 OPENAI") == "openai 和 OPENAI"  # sensitive by default
    assert say("这个App和APP和app") == "这个艾普和艾普和艾普"


def test_pattern_covers_a_family() -> None:
    assert say("GPT-4o、GPT-5和GPT-45") == "G P T 4 o、G P T 5 和G P T 45 "
    assert say("GPT-x和GPT-") == "GPT-x和GPT-"


def test_longest_match_wins_and_later_sources_win() -> None:
    base = Lexicon((Entry("Open", "欧喷"), Entry("OpenAI Sora", "全称")))
    assert say("Open 和 OpenAI Sora", lexicon=base) == "欧喷 和 全称"
    override = Lexicon((Entry("Open", "偶盆", source="user"),))
    merged = base.merged(override)
    assert [e.term for e in merged.entries] == ["OpenAI Sora", "Open"]
    assert say("Open", lexicon=merged) == "偶盆"


def test_language_and_engine_limit_an_entry() -> None:
    assert say("an app", language="en") == "an app"  # the "app" entry is zh only
    only_kokoro = Lexicon((Entry("Meta", "麦塔", engine="kokoro"),))
    assert say("Meta", engine="kokoro", lexicon=only_kokoro) == "麦塔"
    assert say("Meta", engine="espeak", lexicon=only_kokoro) == "Meta"


@given(st.text(alphabet="abcxyz 你好。，-4GPTSor", max_size=40))
def test_text_without_a_term_is_untouched_and_hits_never_overlap(text: str) -> None:
    hits = find_hits(lex(), text, language="zh")
    assert all(a.end <= b.start for a, b in itertools.pairwise(hits))
    if not hits:
        assert say(text) == text
    for hit in hits:
        assert text[hit.start : hit.end] == hit.matched


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[[entry]]\nterm = 'x'\n", "line 1, entry 1: 'spoken' must be a non-empty string"),
        (
            "[terms]\nA = 'a'\n\n[[entry]]\nterm='b'\nspoken='c'\n[[entry]]\nterm='d'\nspoken=3\n",
            "line 7, entry 2: 'spoken' must be a string, not int",
        ),
        ("[[entry]]\npattern = 'GPT-('\nspoken='x'\n", "not a valid regular expression"),
        ("[[entry]]\npattern = 'GPT-(\\d)'\nspoken='\\2'\n", "does not fit the pattern"),
        ("[[entry]]\npattern = 'x*'\nspoken='y'\n", "matches empty text"),
        ("[[entry]]\nterm = 'x'\nspoken='y'\ncase='upper'\n", "must be 'sensitive' or"),
        ("[[entry]]\nterm = 'x'\nspoken='y'\nengine='nope'\n", "engine 'nope' is unknown"),
        ("[[entry]]\nterm = 'x'\nspoken='y'\nphonemes='j'\n", "unknown key(s) phonemes"),
        ("[[entry]]\nterm='x'\npattern='y'\nspoken='z'\n", "exactly one of 'term'"),
        ("[terms]\nA = 'a'\nB = 1\n", "line 3, term 'B'"),
        ("[word]\n", "unknown table(s) word"),
        ("[terms\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_a_config_error_naming_file_line_and_entry(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_lexicon(text, path="my.toml")
    assert caught.value.setting == "lexicon" and caught.value.value == "my.toml"
    assert where in str(caught.value) and caught.value.hint


def test_files_and_front_matter_merge_later_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text('[terms]\n"Sora" = "A"\n"Meta" = "麦塔"\n', encoding="utf-8")
    second.write_text('[terms]\n"Sora" = "B"\n', encoding="utf-8")
    meta = {"pronounce": {"Meta": "梅塔", "Altman": {"spoken": "奥特曼", "language": "zh"}}}
    merged = read_lexicons([first, second], meta=meta, transcript_path="t.md")
    spoken = {e.term: (e.spoken, e.source) for e in merged.entries}
    assert spoken == {
        "Sora": ("B", str(second)),
        "Meta": ("梅塔", "front matter"),
        "Altman": ("奥特曼", "front matter"),
    }
    with pytest.raises(ConfigError, match="cannot read it"):
        load_lexicon(tmp_path / "missing.toml")
    with pytest.raises(TranscriptError, match=r"t\.md: front matter pronounce 'X': 'spoken'"):
        from_front_matter({"pronounce": {"X": {"spoken": 3}}}, path="t.md")
    with pytest.raises(TranscriptError, match="must be a mapping"):
        from_front_matter({"pronounce": ["Sora"]}, path="t.md")


def test_bundled_default_loads_and_is_empty_until_entries_are_measured() -> None:
    assert bundled_lexicon().entries == ()


SOURCE = """\
主持人：这一次Sora 2非常强大。
嘉宾：我们今天不谈视频。
主持人：OpenAI也发布了GPT-5。
嘉宾：Sora的App上线了，Meta也在追赶。
"""


def test_script_changes_spoken_only_and_usage_reports_what_fired() -> None:
    transcript = parse_text(SOURCE)
    plain = build_script(transcript)
    spoken = build_script(transcript, lexicon=lex())
    assert [u.display for u in plain.utterances] == [u.display for u in spoken.utterances]
    changed = [u.id for u, v in zip(plain.utterances, spoken.utterances, strict=True)
               if u.spoken != v.spoken]  # fmt: skip
    assert len(changed) == 3 and "索拉" in spoken.utterances[0].spoken
    usage = lexicon_usage(spoken.utterances, lex())
    fired = {f.term: f.utterance_ids for f in usage.fired}
    assert fired["Sora"] == (spoken.utterances[0].id, spoken.utterances[3].id)
    assert fired["/GPT-(\\d+)(o?)/"] == (spoken.utterances[2].id,)
    assert [u.term for u in usage.uncovered] == ["Meta"]
    assert usage.to_json()["uncovered"] == [{"term": "Meta", "utterances": [changed[-1]]}]


def _keys(lexicon: Lexicon) -> dict[str, str]:
    script = build_script(parse_text(SOURCE), lexicon=lexicon)
    voice = Realization("espeak", "cmn")
    return {u.id: clip_key("espeak", "1", voice, u.spoken, "") for u in script.utterances}


def test_editing_one_entry_changes_only_the_keys_of_its_sentences() -> None:
    before = _keys(lex())
    after = _keys(lex(TOML.replace('"Sora" = "索拉"', '"Sora" = "搜拉"')))
    moved = sorted(uid for uid in before if before[uid] != after[uid])
    script = build_script(parse_text(SOURCE))
    assert moved == sorted(u.id for u in script.utterances if "Sora" in u.display)
    assert len(moved) == 2 and len(before) == 4


# --- real render with espeak: the audio follows the lexicon, captions do not --------------


def _render(tmp_path: Path, out: str, lexicon: Lexicon) -> tuple[str, str, int, int]:
    """Render SOURCE with espeak through the real stages; (srt, audio digest, synthesized, cached)."""
    from tts_export import pipeline
    from tts_export.config import RenderConfig

    base = RenderConfig(out_dir=tmp_path / out, engine="espeak", fallback="none",
                        cache_dir=tmp_path / "cache", loudness=None, audio_format="wav")  # fmt: skip
    prepared = pipeline.prepare_file(pipeline.Source("talk", text=SOURCE), base, {})
    prepared = dataclasses.replace(
        prepared, script=build_script(prepared.transcript, lexicon=lexicon, engine="espeak")
    )
    with pipeline.synthesis(prepared.config) as synth:
        clips, failed = synth.synthesize([prepared.work])
    assert not failed
    done = pipeline.finish(prepared, clips[0])
    with wave.open(str(done.files["audio"]), "rb") as audio:
        pcm = audio.readframes(audio.getnframes())
    srt = Path(done.files["srt"]).read_text(encoding="utf-8")
    return srt, hashlib.sha256(pcm).hexdigest(), done.synthesized, done.cached


def test_espeak_render_speech_follows_the_lexicon_captions_do_not(tmp_path: Path) -> None:
    srt_plain, audio_plain, made, cached = _render(tmp_path, "plain", Lexicon())
    assert (made, cached) == (4, 0)
    srt_lex, audio_lex, made, cached = _render(tmp_path, "lex", lex())
    assert srt_lex.count("Sora") == srt_plain.count("Sora") == 2 and "索拉" not in srt_lex
    assert audio_lex != audio_plain
    assert (made, cached) == (3, 1)  # only the three sentences the lexicon touches
    edited = lex(TOML.replace('"Sora" = "索拉"', '"Sora" = "搜拉"'))
    _, audio_edit, made, cached = _render(tmp_path, "edit", edited)
    assert (made, cached) == (2, 2) and audio_edit != audio_lex  # only the two Sora sentences
