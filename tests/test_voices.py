"""Casting: deterministic, distinct, honours explicit choices, refuses bad profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tts_export.casting import cast_voices, gender_hint, load_profiles
from tts_export.errors import VoiceError

PROFILES = load_profiles()


def test_bundled_profiles_cover_every_engine_for_both_languages() -> None:
    for language in ("zh", "en"):
        personas = [p for p in PROFILES.values() if p.language == language]
        assert len(personas) >= 5
        for p in personas:
            assert {r.engine for r in p.realizations} >= {"kokoro", "espeak", "edge"}


def test_seed_speakers_get_three_distinct_voices_with_gender_hints() -> None:
    casting = cast_voices(
        ["主持人", "闲哥", "老修"], language="zh", engine="kokoro", profiles=PROFILES
    )
    ids = [casting.profiles[s].id for s in ("主持人", "闲哥", "老修")]
    assert len(set(ids)) == 3
    assert casting.profiles["闲哥"].gender == "male"
    voices = {casting.profiles[s].realization("kokoro").voice for s in casting.profiles}  # type: ignore[union-attr]
    assert len(voices) == 3


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5, unique=True))
def test_casting_is_deterministic_and_distinct(speakers: list[str]) -> None:
    first = cast_voices(speakers, language="zh", engine="espeak", profiles=PROFILES)
    second = cast_voices(speakers, language="zh", engine="espeak", profiles=PROFILES)
    assert first == second
    assert len({p.id for p in first.profiles.values()}) == len(speakers)


def test_explicit_choice_wins_and_unknown_profile_is_an_error() -> None:
    casting = cast_voices(
        ["A", "B"], language="en", engine="edge", profiles=PROFILES, chosen={"B": "en-f-bright"}
    )
    assert casting.profiles["B"].id == "en-f-bright"
    assert casting.profiles["A"].id != "en-f-bright"
    with pytest.raises(VoiceError, match="no such profile"):
        cast_voices(["A"], language="en", engine="edge", profiles=PROFILES, chosen={"A": "nope"})


def test_running_out_of_personas_says_what_to_do() -> None:
    many = [f"S{i}" for i in range(20)]
    with pytest.raises(VoiceError, match="no unused persona") as info:
        cast_voices(many, language="zh", engine="kokoro", profiles=PROFILES)
    assert "--voice" in info.value.hint


def test_gender_hints() -> None:
    assert gender_hint("闲哥") == "male"
    assert gender_hint("王女士") == "female"
    assert gender_hint("Mrs Smith") == "female"
    assert gender_hint("主持人") is None


def test_user_voice_folder_is_validated(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        '[[profile]]\nid = "x"\ngender = "robot"\nlanguage = "zh"\nkokoro = { voice = "jf_alpha" }\n',
        encoding="utf-8",
    )
    with pytest.raises(VoiceError, match="gender"):
        load_profiles([tmp_path])
    (tmp_path / "mine.toml").write_text(
        '[[profile]]\nid = "mine"\ngender = "female"\nlanguage = "zh"\n'
        'kokoro = { voice = "jf_alpha", speed = 1.1 }\n',
        encoding="utf-8",
    )
    loaded = load_profiles([tmp_path])
    assert loaded["mine"].realization("kokoro").speed == 1.1  # type: ignore[union-attr]
