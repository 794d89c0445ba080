"""Text -> Kokoro phonemes: only vocabulary symbols, Latin words and numbers read."""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts_export.engines.kokoro.align import Word, align
from tts_export.engines.kokoro.engine import KokoroEngine
from tts_export.engines.kokoro.g2p import (
    G2P,
    ipa_to_kokoro,
    is_initialism,
    load_misaki_zh,
    normalize_zh,
    split_camel,
)
from tts_export.engines.kokoro.tokens import load_vocab
from tts_export.engines.kokoro.voicepack import data_dir
from tts_export.errors import EngineUnavailable

VOCAB = load_vocab(data_dir())
TONES = set("→↗↓↘")


@pytest.fixture(scope="module")
def g2p() -> G2P:
    return G2P(VOCAB)


def only_vocab(phonemes: str) -> bool:
    return all(ch in VOCAB for ch in phonemes)


def test_han_text_gives_vocab_symbols_with_tones(g2p: G2P) -> None:
    out = g2p("我们今天讨论社交电商的未来。")
    assert out and only_vocab(out)
    assert sum(ch in TONES for ch in out) >= 10  # one tone mark per syllable, nearly
    assert not re.search(r"[\u4e00-\u9fff]", out)
    assert out.endswith(".")


def test_latin_words_are_phonemized_not_left_as_letters(g2p: G2P) -> None:
    out = g2p("这一次Sora 2非常强大。")
    assert only_vocab(out)
    assert "Sora" not in out and "sˈɔɹə" in out  # espeak's reading, mapped
    # "2" in a Chinese sentence is read in Chinese (er4).
    assert "ɚ↘" in out
    for word in ("OpenAI", "TikTok", "Model", "Tesla"):
        assert word not in g2p(f"我用{word}做了测试。")


def test_acronyms_are_spelled(g2p: G2P) -> None:
    ui = g2p("新的UI很好看。")
    letters = g2p("U") + " " + g2p("I")
    assert letters in ui  # ju + aI, one letter at a time
    ai = g2p("AI生态")
    assert ai.startswith("ˈA ˈI")  # not the article "a"
    assert "ˈA" in g2p("A") and is_initialism("GPT") and not is_initialism("NASA")


def test_numbers_in_latin_terms_and_chinese_are_read(g2p: G2P) -> None:
    gpt = g2p("GPT-5发布了。")
    assert only_vocab(gpt)
    assert "ʤˈi pˈi tˈi" in gpt
    assert "u↓" in gpt  # five (wu3), not "minus five"
    assert "fu↘" not in gpt
    year = g2p("2025年10月1日")
    assert not re.search(r"\d", year) and year.count("↘") >= 3
    assert "tau↘" in g2p("3-5年")  # a range: "san dao wu"
    assert "pai↓fə→n" in g2p("增长了50%")  # bai3fen1: "per cent"


def test_english_sentences_keep_clause_punctuation(g2p: G2P) -> None:
    out = g2p("Hello there, my dear world. Second sentence here!")
    assert only_vocab(out)
    assert out.count(",") == 1 and out.count(".") == 1 and out.endswith("!")
    assert "həlˈO" in out  # oU -> O, misaki's US diphthong


def test_ipa_mapping_uses_misaki_symbols() -> None:
    assert ipa_to_kokoro("dʒˈʌdʒ tʃˈɜːtʃ", VOCAB) == "ʤˈʌʤ ʧˈɜɹʧ"
    assert ipa_to_kokoro("ˈeɪ ˈaɪ ˈaʊ ˈɔɪ ˈoʊ", VOCAB) == "ˈA ˈI ˈW ˈY ˈO"
    assert ipa_to_kokoro("bˈʌɾɚ ɐ", VOCAB) == "bˈʌɾəɹ ə"
    assert ipa_to_kokoro("jˈuːzɚɹ ˈɪntɚfˌeɪs", VOCAB) == "jˈuzəɹ ˈɪntəɹfˌAs"  # linking r once
    assert ipa_to_kokoro("x☃y", VOCAB) == "xy"  # symbols outside the vocabulary go


def test_helpers() -> None:
    assert split_camel("OpenAI") == "Open AI"
    assert split_camel("ChatGPT") == "Chat GPT"
    assert split_camel("iPhone") == "i Phone"
    assert normalize_zh("GPT-5和3-5年，10:30开会") == "GPT 5和3到5年，10点30开会"
    assert normalize_zh("ＧＰＴ５") == "GPT5"


def test_seed_transcript_phonemizes_into_the_vocab(g2p: G2P) -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "000_ca70ea49c8ed113c.txt"
    body = seed.read_text(encoding="utf-8").split("---", 2)[2]
    lines = [ln for ln in body.splitlines() if ln.strip() and not ln.startswith("#")][:80]
    for line in lines:
        out = g2p(line)
        assert only_vocab(out), line
        assert not re.search(r"[A-Z]{2}|[\u4e00-\u9fff]|\d", out), (line, out)


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("我们的AI模型GPT-5 Sora 2，。！？abcXYZ0123456789%:-()“”《》 ")
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_mixed_text_gives_only_vocab_symbols(g2p: G2P, text: str) -> None:
    # Hypothesis reuses the module fixture across examples on purpose (G2P is stateless).
    assert only_vocab(g2p(text))


def test_missing_misaki_is_reported_as_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    # What Python 3.13 users meet: misaki cannot be imported.
    monkeypatch.setitem(sys.modules, "misaki.zh", None)
    with pytest.raises(EngineUnavailable) as info:
        load_misaki_zh()
    assert "3.12" in info.value.hint and "espeak" in info.value.hint
    with pytest.raises(EngineUnavailable):
        G2P(VOCAB)("你好")


def test_kokoro_refuses_to_start_without_misaki(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "misaki" else real(name, *a)
    )
    with pytest.raises(EngineUnavailable) as info:
        KokoroEngine()
    assert "--engine espeak" in info.value.hint


# --- phonemes back to text (align) ---


def said(g2p: G2P, text: str) -> list[tuple[str, str]]:
    phonemes = g2p(text)
    return [
        (text[w.start : w.end], phonemes[w.ph_start : w.ph_end]) for w in align(g2p, text, phonemes)
    ]


def test_each_han_character_number_and_latin_run_finds_its_phonemes(g2p: G2P) -> None:
    assert said(g2p, "你好，世界。") == [
        ("你", "ni↓"),
        ("好", "xau↓"),
        ("世", "ʂɨ↘"),
        ("界", "ʨje↘"),
    ]
    words = dict(said(g2p, "OpenAI发布了Sora 2，价格从3.5元涨到12元，50%的人在用。"))
    assert words["OpenAI"] == "ˈOpən ˈA ˈI" and words["Sora"] == "sˈɔɹə"
    assert words["2"] == "ɚ↘"  # read in Chinese
    assert words["3.5"] == "sa→ntjɛ↓n u↓" and words["12"] == "ʂɨ↗ɚ↘"
    assert words["50%"].startswith("pai↓fə→n")  # "per cent fifty": the whole run
    # Polyphones follow the word jieba cut: 银行 háng, 行长 háng zhǎng.
    assert said(g2p, "银行行长。")[1:4] == [("行", "xa↗ŋ"), ("行", "xa↗ŋ"), ("长", "ꭧa↓ŋ")]


def test_english_words_find_their_phonemes(g2p: G2P) -> None:
    assert said(g2p, "The quick brown fox, jumps.") == [
        ("The", "ðə"),
        ("quick", "kwˈɪk"),
        ("brown", "bɹˈWn"),
        ("fox", "fˈɑks"),
        ("jumps", "ʤˈʌmps"),
    ]


def test_every_seed_sentence_is_aligned(g2p: G2P) -> None:
    from tts_export.script import build_script
    from tts_export.transcript import read_transcript

    seed = Path(__file__).resolve().parent.parent / "seeds" / "000_ca70ea49c8ed113c.txt"
    spoken = [
        u.spoken for u in build_script(read_transcript(seed)).utterances if u.kind == "speech"
    ]
    missed = [text for text in spoken if not align(g2p, text, g2p(text))]
    assert len(spoken) > 700 and missed == []


def _check_alignment(text: str, phonemes: str, words: tuple[Word, ...]) -> None:
    for a, b in itertools.pairwise(words):
        assert a.end <= b.start and a.ph_end <= b.ph_start
    for w in words:
        assert 0 <= w.start < w.end <= len(text) and 0 <= w.ph_start < w.ph_end <= len(phonemes)
        assert text[w.start : w.end].strip() and phonemes[w.ph_start : w.ph_end].strip()
    # Every Han character is some word's, or something in it was read differently.
    covered = {i for w in words for i in range(w.start, w.end)}
    han = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    assert not words or all(i in covered for i in han), (text, words)


@settings(max_examples=80, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("我们的模型银行长了AI GPT-5 Sora 2，。！？、abcXYZ0123456789%.:-()“”《》（） ")
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_mixed_text_aligns_in_order_or_not_at_all(g2p: G2P, text: str) -> None:
    phonemes = g2p(text)
    words = align(g2p, text, phonemes)
    _check_alignment(text, phonemes, words)
    if re.fullmatch(r"[\u4e00-\u9fff，。！？、 ]+", text) and re.search(r"[\u4e00-\u9fff]", text):
        assert words  # plain Chinese always aligns


def test_an_alignment_that_does_not_reproduce_the_phonemes_is_none(g2p: G2P) -> None:
    text = "你好，世界。"
    assert align(g2p, text, g2p(text)) and align(g2p, text, g2p(text) + "x") == ()
