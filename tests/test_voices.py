"""Casting: deterministic, distinct, honours explicit choices, refuses bad profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from tts_export import Report, engines, inspect, render
from tts_export.casting import cast_voices, load_profiles
from tts_export.casting_names import gender_hint
from tts_export.errors import VoiceError
from tts_export.models import Casting, Realization

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


NAMES = st.text(min_size=1, max_size=8) | st.sampled_from(["王哥", "李姐", "Mrs Li", "旁白"])


# no deadline: the first example may load an engine's voice list (no wall-clock asserts)
@settings(deadline=None)
@given(
    st.lists(NAMES, min_size=1, max_size=14, unique=True),
    st.sampled_from(["kokoro", "espeak", "edge"]),
)
def test_casting_is_deterministic_and_distinct(speakers: list[str], engine: str) -> None:
    first = cast_voices(speakers, language="zh", engine=engine, profiles=PROFILES)
    second = cast_voices(speakers, language="zh", engine=engine, profiles=PROFILES)
    assert first == second
    assert len({p.id for p in first.profiles.values()}) == len(speakers)
    heard = {(voice_of(first, s, engine).voice, voice_of(first, s, engine).pitch) for s in speakers}
    assert len(heard) == len(speakers)


def test_explicit_choice_wins_and_unknown_profile_is_an_error() -> None:
    casting = cast_voices(
        ["A", "B"], language="en", engine="edge", profiles=PROFILES, chosen={"B": "en-f-bright"}
    )
    assert casting.profiles["B"].id == "en-f-bright"
    assert casting.profiles["A"].id != "en-f-bright"
    with pytest.raises(VoiceError, match="no such profile"):
        cast_voices(["A"], language="en", engine="edge", profiles=PROFILES, chosen={"A": "nope"})


def test_running_out_of_personas_says_what_to_do() -> None:
    many = [f"S{i}" for i in range(200)]
    with pytest.raises(VoiceError, match="no unused persona") as info:
        cast_voices(many, language="zh", engine="kokoro", profiles=PROFILES)
    assert "--voice" in info.value.hint


def voice_of(casting: Casting, speaker: str, engine: str) -> Realization:
    realization = casting.profiles[speaker].realization(engine)
    assert realization is not None
    return realization


@pytest.mark.parametrize("engine", ["kokoro", "espeak", "edge"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_ten_speakers_get_ten_distinct_voices_the_same_way_every_time(
    engine: str, language: str
) -> None:
    speakers = [f"Speaker {i}" for i in range(1, 11)]
    first = cast_voices(speakers, language=language, engine=engine, profiles=PROFILES)
    again = cast_voices(speakers, language=language, engine=engine, profiles=PROFILES)
    assert first == again
    assert set(first.profiles) == set(speakers)
    realizations = [voice_of(first, s, engine) for s in speakers]
    heard = {(r.voice, r.pitch) for r in realizations}
    assert len(heard) == 10
    assert len({first.profiles[s].id for s in speakers}) == 10
    derived = [first.profiles[s] for s in speakers if first.profiles[s].id not in PROFILES]
    # the narrator persona is kept for prose: ten speakers use the speaking ones, then derive
    speaking = [p for p in PROFILES.values() if p.language == language and not p.narrator]
    assert len(derived) == 10 - len(speaking)
    assert not any(first.profiles[s].narrator for s in speakers)
    for profile in derived:
        assert profile.language == language
        assert {r.engine for r in profile.realizations} == {"kokoro", "espeak", "edge"}


def test_derived_voices_follow_the_engine_syntax_and_the_gender_hint() -> None:
    speakers = ["主持人", *(f"{name}哥" for name in "赵钱孙李周吴郑王")]
    casting = cast_voices(speakers, language="zh", engine="kokoro", profiles=PROFILES)
    men = [casting.profiles[s] for s in speakers[1:]]
    assert all(p.gender == "male" for p in men)
    kokoro = [voice_of(casting, s, "kokoro").voice for s in speakers[1:]]
    assert len(set(kokoro)) == 8
    derived = [p for p in men if p.id not in PROFILES]
    assert derived
    for profile in derived:
        blend = profile.realization("kokoro")
        assert blend is not None and "+" in blend.voice
        parts = [part.split(":") for part in blend.voice.split("+")]
        assert abs(sum(float(w) for _, w in parts) - 1.0) < 1e-6
        espeak = profile.realization("espeak")
        assert espeak is not None and espeak.voice.startswith("cmn+m")
        edge = profile.realization("edge")
        assert edge is not None and edge.voice.startswith("zh-CN-")
    edge_heard = {
        (voice_of(casting, s, "edge").voice, voice_of(casting, s, "edge").pitch) for s in speakers
    }
    assert len(edge_heard) == len(speakers)


@pytest.mark.parametrize("engine", ["kokoro", "espeak", "edge"])
def test_derived_voices_are_accepted_by_the_real_engine(engine: str) -> None:
    speakers = [f"S{i}" for i in range(12)]
    casting = cast_voices(speakers, language="zh", engine=engine, profiles=PROFILES)
    adapter = engines.create(engine)
    for speaker in speakers:
        adapter.check_voice(voice_of(casting, speaker, engine))  # raises VoiceError if not


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


# --- malformed profile files -------------------------------------------------------

GOOD = {
    "id": '"mine"',
    "gender": '"female"',
    "language": '"zh"',
}


def profile_file(folder: Path, *, top: dict[str, str] | None = None, kokoro: str = "") -> Path:
    fields = {**GOOD, **(top or {})}
    lines = ["[[profile]]", *(f"{key} = {value}" for key, value in fields.items())]
    realization = kokoro or 'voice = "jf_alpha"'
    lines.append(f"kokoro = {{ {realization} }}")
    path = folder / "mine.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("top", "kokoro", "key", "expected"),
    [
        ({}, 'voice = "jf_alpha", speed = "fast"', "kokoro.speed", "a number from 0.5 to 2.0"),
        ({}, 'voice = "jf_alpha", speed = true', "kokoro.speed", "a number from 0.5 to 2.0"),
        ({}, 'voice = "jf_alpha", speed = 2.5', "kokoro.speed", "a number from 0.5 to 2.0"),
        ({}, 'voice = "jf_alpha", speed = nan', "kokoro.speed", "a number from 0.5 to 2.0"),
        ({}, 'voice = "jf_alpha", pitch = "x"', "kokoro.pitch", "a whole number of Hz"),
        ({}, 'voice = "jf_alpha", pitch = 101', "kokoro.pitch", "from -100 to 100"),
        ({}, 'voice = "jf_alpha", pitch = 2.5', "kokoro.pitch", "a whole number of Hz"),
        ({}, 'voice = "jf_alpha", gain_db = []', "kokoro.gain_db", "from -24 to 24"),
        ({}, 'voice = "jf_alpha", gain_db = -30', "kokoro.gain_db", "from -24 to 24"),
        ({}, "voice = 5", "kokoro.voice", "a voice name"),
        ({}, 'voice = "jf_alpha", speeed = 1.0', "kokoro.speeed", "unknown key"),
        ({"gender": "3"}, "", "gender", "one of female, male, neutral"),
        ({"language": '["zh"]'}, "", "language", "a language code"),
        ({"description": "5"}, "", "description", "a string"),
        ({"narrator": '"yes"'}, "", "narrator", "true or false"),
        ({"id": "7"}, "", "id", "letters, digits"),
    ],
)
def test_wrong_types_and_ranges_name_file_profile_key_and_expectation(
    tmp_path: Path, top: dict[str, str], kokoro: str, key: str, expected: str
) -> None:
    path = profile_file(tmp_path, top=top, kokoro=kokoro)
    with pytest.raises(VoiceError) as caught:
        load_profiles([tmp_path])
    error = caught.value
    assert error.path == str(path)
    assert error.key == key
    assert str(path) in str(error) and key in str(error) and expected in str(error)
    if key != "id":
        assert error.profile == "mine"


def test_extreme_but_valid_values_load(tmp_path: Path) -> None:
    profile_file(tmp_path, kokoro='voice = "jf_alpha", speed = 2, pitch = -100.0, gain_db = 24')
    realization = load_profiles([tmp_path])["mine"].realization("kokoro")
    assert realization is not None
    assert (realization.speed, realization.pitch, realization.gain_db) == (2.0, -100, 24.0)
    assert isinstance(realization.pitch, int)


def test_non_utf8_file_is_a_voice_error_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[[profile]]\nid = "x"\ndescription = "café"\n'.encode("latin-1"))
    with pytest.raises(VoiceError) as caught:
        load_profiles([tmp_path])
    assert caught.value.path == str(path)
    assert "UTF-8" in str(caught.value) and "line 3" in str(caught.value)


def test_directory_named_toml_is_a_voice_error(tmp_path: Path) -> None:
    (tmp_path / "sets.toml").mkdir()
    with pytest.raises(VoiceError) as caught:
        load_profiles([tmp_path])
    assert caught.value.path == str(tmp_path / "sets.toml")
    assert "directory" in str(caught.value)


def test_a_voice_folder_that_is_a_file_is_a_voice_error(tmp_path: Path) -> None:
    (tmp_path / "voices").write_text("not a folder", encoding="utf-8")
    with pytest.raises(VoiceError, match="not a folder"):
        load_profiles([tmp_path / "voices"])


# --- the narrator persona ---------------------------------------------------------


@pytest.mark.parametrize("engine", ["kokoro", "espeak", "edge"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_narrator_persona_never_goes_to_an_ordinary_speaker(engine: str, language: str) -> None:
    narrator = {"zh": "旁白", "en": "Narrator"}[language]
    speaking = [p for p in PROFILES.values() if p.language == language and not p.narrator]
    # one more speaker than there are speaking personas, and the prose voice last
    speakers = [f"Speaker {i}" for i in range(len(speaking) + 1)]
    casting = cast_voices(
        [*speakers, narrator], language=language, engine=engine, profiles=PROFILES
    )
    assert not any(casting.profiles[s].narrator for s in speakers)
    assert casting.profiles[narrator].narrator
    # without a prose voice in the transcript, the narrator persona stays unused
    alone = cast_voices(speakers, language=language, engine=engine, profiles=PROFILES)
    assert not any(p.narrator for p in alone.profiles.values())


def test_the_narrator_persona_goes_to_an_ordinary_speaker_only_when_chosen() -> None:
    casting = cast_voices(
        ["Host", "Guest"], language="en", engine="espeak", profiles=PROFILES,
        chosen={"Guest": "en-narrator"},
    )  # fmt: skip
    assert casting.profiles["Guest"].id == "en-narrator"
    assert not casting.profiles["Host"].narrator


def test_a_pool_of_narrators_only_derives_voices_for_speakers(tmp_path: Path) -> None:
    (tmp_path / "only.toml").write_text(
        '[[profile]]\nid = "xx-narrator"\ngender = "neutral"\nlanguage = "xx"\nnarrator = true\n'
        'espeak = { voice = "en-us" }\n',
        encoding="utf-8",
    )
    profiles = {**PROFILES, **load_profiles([tmp_path])}
    casting = cast_voices(["Host"], language="xx", engine="espeak", profiles=profiles)
    assert casting.profiles["Host"].id != "xx-narrator" and not casting.profiles["Host"].narrator


# --- front matter: speakers' genders and voices: entries that are not used -------------

TWO_TURNS = "Host: Hello there, and welcome.\n\n{a}: Thanks for having me.\n\n" * 2


def _report(front: str, second: str = "Kim") -> Report:
    text = f"---\n{front}\n---\n" + TWO_TURNS.format(a=second)
    return inspect(text, name="fm", engine="espeak")


def _voices(report: Report) -> dict[str, str]:
    return {s.name: s.voice for s in report.speakers}


@pytest.mark.parametrize(
    ("front", "gender"),
    [
        ("speakers: {Kim: {gender: female}}", "female"),
        ("speakers: {Kim: female}", "female"),  # the shorthand
        ("speakers: {Kim: male}", "male"),
        ("speakers: [{id: K, name: Kim, gender: female}]", "female"),
        ("speakers: {K: {name: Kim, gender: female}}", "female"),
    ],
)
def test_front_matter_speakers_sets_the_gender_a_speaker_is_cast_as(
    front: str, gender: str
) -> None:
    report = _report(front)
    assert PROFILES[_voices(report)["Kim"]].gender == gender
    assert [s.name for s in report.speakers] == ["Host", "Kim"]  # "female" is not a name
    assert report.warnings == ()


def test_the_front_matter_gender_comes_before_the_first_name() -> None:
    # Anna alone would be cast female; the front matter says otherwise
    assert PROFILES[_voices(_report("speakers: {Anna: male}", "Anna"))["Anna"]].gender == "male"
    neutral = cast_voices(
        ["Jane"], language="en", engine="espeak", profiles=PROFILES, genders={"Jane": "neutral"}
    )
    assert neutral.profiles["Jane"].id == "en-f-bright"  # neutral: no guess, the first persona
    male = cast_voices(
        ["Jane"], language="en", engine="espeak", profiles=PROFILES, genders={"Jane": "male"}
    )
    assert male.profiles["Jane"].gender == "male"


@pytest.mark.parametrize(
    ("front", "words"),
    [
        ("speakers: {Kim: {gender: femail}}", ["speakers.Kim.gender", "'femail'", "female"]),
        ("speakers: {Kim: {gendre: female}}", ["speakers.Kim", "unknown key 'gendre'", "gender"]),
        ("speakers: {Nobody: female}", ["speakers.Nobody", "no speaker 'Nobody'", "Host, Kim"]),
        ("speakers: {Kym: female}", ["speakers.Kym", "did you mean Kim?"]),
    ],
)
def test_a_speakers_entry_that_cannot_be_used_is_a_warning(front: str, words: list[str]) -> None:
    report = _report(front)
    assert len(report.warnings) == 1
    assert report.warnings[0].line == 1
    for word in words:
        assert word in report.warnings[0].message


def test_a_voices_entry_for_an_absent_speaker_or_persona_is_a_warning() -> None:
    report = _report("voices: {Nobody: en-f-calm, Ghost: no-such-persona, Kim: en-m-deep}")
    assert _voices(report)["Kim"] == "en-m-deep"  # the entry for a speaker who is here is used
    messages = [w.message for w in report.warnings]
    assert len(messages) == 2
    nobody = next(m for m in messages if "Nobody" in m)
    ghost = next(m for m in messages if "Ghost" in m)
    assert "voices.Nobody" in nobody and "'en-f-calm' is not used" in nobody
    assert "no persona" not in nobody
    assert "voices.Ghost" in ghost and "'no-such-persona' is no persona" in ghost
    assert "the speakers are Host, Kim" in ghost


def test_an_unknown_persona_for_a_present_speaker_stays_an_error() -> None:
    with pytest.raises(VoiceError, match="no such profile"):
        _report("voices: {Kim: no-such-persona}")


def test_the_cli_prints_the_warning_and_voice_for_an_absent_speaker_stays_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "fm.md"
    path.write_text("---\nvoices: {Nobody: en-f-calm}\n---\n" + TWO_TURNS.format(a="Kim"), "utf-8")
    shown = run_cli("inspect", str(path), "--engine", "espeak")
    assert shown.returncode == 0, shown.stderr
    assert "line 1: front matter voices.Nobody: no speaker 'Nobody'" in shown.stdout
    refused = run_cli("inspect", str(path), "--engine", "espeak", "--voice", "Nobody=en-f-calm")
    assert refused.returncode != 0
    assert "not in the transcript" in refused.stderr and "Host, Kim" in refused.stderr


def test_a_render_carries_the_casting_warning(tmp_path: Path) -> None:
    text = "---\nvoices: {Nobody: en-f-calm}\nspeakers: {Kim: female}\n---\n"
    result = render(
        text + TWO_TURNS.format(a="Kim"), name="fm", engine="espeak",
        out_dir=tmp_path / "out", cache_dir=tmp_path / "cache",
    )  # fmt: skip
    assert [w.line for w in result.warnings] == [1]
    assert "voices.Nobody" in result.warnings[0].message
    assert PROFILES[result.voices["Kim"]].gender == "female"
