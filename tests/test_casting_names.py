"""First names in casting: clear ones say a gender, unclear ones say nothing, honorifics first."""

from __future__ import annotations

import importlib.resources
import tomllib

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import given
from hypothesis import strategies as st

from tts_export.casting import cast_voices, load_profiles
from tts_export.casting_names import gender_hint
from tts_export.transcript.parse import read_transcript

PROFILES = load_profiles()
NAMES = tomllib.loads(
    importlib.resources.files("tts_export").joinpath("casting_names.toml").read_text("utf-8")
)
# Names given to both sexes: a guess from them would be wrong half the time.
UNISEX = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Casey",
    "Jamie",
    "Morgan",
    "Riley",
    "Avery",
    "Quinn",
    "Robin",
    "Kelly",
    "Leslie",
    "Lee",
    "Terry",
    "Chris",
    "Pat",
    "Dana",
    "Drew",
    "Kim",
    "Jean",
    "Andrea",
    "Nicola",
    "Sasha",
    "Ashley",
    "Charlie",
    "Jackie",
    "Billie",
    "Toni",
    "Jo",
    "Kai",
    "Rowan",
    "Sydney",
    "Blake",
    "Cameron",
    "Logan",
    "Parker",
    "Reese",
    "Skyler",
    "Hayden",
    "Kendall",
    "Lindsay",
    "Tracy",
    "Courtney",
    "Devin",
    "Eden",
    "Ellis",
    "Elliot",
    "Francis",
    "Kerry",
    "Lou",
    "Mel",
    "Noel",
    "Sage",
    "Val",
    "Angel",
    "Ariel",
    "Aubrey",
    "Lynn",
    "Vivian",
    "Hilary",
    "Madison",
    "Harper",
    "Jesse",
    "Jessie",
    "Ali",
    "Luca",
    "Glen",
    "Dean",
    "Jan",
    "May",
]


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Jane", "female"),
        ("Anna", "female"),
        ("ANNA", "female"),  # screenplay labels are upper case
        ("Jane Smith", "female"),
        ("Dr. Anna Lee", "female"),
        ("Prof. John Doe", "male"),
        ("Gary Null", "male"),
        ("Michael", "male"),
        ("李娜", "female"),
        ("小芳", "female"),
        ("欧阳娜娜", "female"),
        ("王伟", "male"),
        ("阿强", "male"),
    ],
)
def test_clear_first_names_give_a_gender(name: str, gender: str) -> None:
    assert gender_hint(name) == gender


@pytest.mark.parametrize(
    "name",
    [
        *UNISEX[:6],
        "Host",
        "Guest",
        "Speaker 1",
        "Jean-Luc",
        "主持人",
        "老修",
        "嘉宾",
        "将军",  # a general: a word that ends like 军, not a name
        "李将军",
        "解放军",
        "美丽",
        "我们的老朋友小芳",  # too long to be a name: a phrase
    ],
)
def test_unclear_names_and_words_give_no_gender(name: str) -> None:
    assert gender_hint(name) is None


def test_honorifics_come_before_the_first_name() -> None:
    assert gender_hint("Mrs John Smith") == "female"
    assert gender_hint("Mr. Anna") == "male"
    assert gender_hint("娜姐") == "female" and gender_hint("伟哥") == "male"


def test_the_bundled_list_is_clear_and_ships_with_the_wheel() -> None:
    female = {n.casefold() for n in NAMES["en"]["female"]}
    male = {n.casefold() for n in NAMES["en"]["male"]}
    assert len(female) >= 200 and len(male) >= 200
    assert not female & male
    assert not {n.casefold() for n in UNISEX} & (female | male)
    assert not set(NAMES["zh"]["female_endings"]) & set(NAMES["zh"]["male_endings"])
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "casting_names.toml" in pyproject["tool"]["setuptools"]["package-data"]["tts_export"]


def test_jane_and_anna_get_female_voices() -> None:
    casting = cast_voices(
        ["Host", "Jane", "Anna", "Bob"], language="en", engine="espeak", profiles=PROFILES
    )
    genders = {s: p.gender for s, p in casting.profiles.items()}
    assert genders["Jane"] == genders["Anna"] == "female" and genders["Bob"] == "male"


CAST_BEFORE_NAMES = {  # what honorifics alone gave; first names must not change it
    "short_zh": {"主持人": "zh-f-bright", "闲哥": "zh-m-warm", "老修": "zh-f-calm"},
    "short_en": {"Host": "en-f-bright", "Guest": "en-m-warm"},
    "replies_en": {"Host": "en-f-bright", "Guest": "en-m-warm"},
    "one_section_en": {"Anna": "en-f-bright", "Ben": "en-m-warm"},
}


@pytest.mark.parametrize("name", sorted(CAST_BEFORE_NAMES))
@pytest.mark.parametrize("engine", ["kokoro", "espeak", "edge"])
def test_the_golden_and_render_fixtures_are_cast_as_before(name: str, engine: str) -> None:
    transcript = read_transcript(FIXTURES / "render" / f"{name}.md")
    casting = cast_voices(
        transcript.speakers, language=transcript.language, engine=engine, profiles=PROFILES
    )
    assert {s: p.id for s, p in casting.profiles.items()} == CAST_BEFORE_NAMES[name]


def test_the_seed_is_cast_as_before() -> None:
    transcript = read_transcript(next((ROOT / "seeds").glob("*.txt")))
    casting = cast_voices(transcript.speakers, language="zh", engine="espeak", profiles=PROFILES)
    assert {s: p.id for s, p in casting.profiles.items()} == CAST_BEFORE_NAMES["short_zh"]


@given(st.text(max_size=12))
def test_the_hint_is_a_pure_function_of_the_name(name: str) -> None:
    first = gender_hint(name)
    assert first in {None, "female", "male"}
    assert gender_hint(name) == first


LISTED = st.sampled_from([(n, g) for g in ("female", "male") for n in NAMES["en"][g]])


@given(
    LISTED,
    st.sampled_from([str.upper, str.lower, str.title]),
    st.sampled_from(["", " Lee", " O'Brien"]),
)
def test_a_listed_name_gives_its_gender_in_any_case_and_with_a_surname(
    listed: tuple[str, str], case: object, surname: str
) -> None:
    name, gender = listed
    assert gender_hint(case(name) + surname) == gender  # type: ignore[operator]


def test_the_readme_gives_the_casting_rules_in_order_and_the_warning() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Voices")
    voices = " ".join(readme[start : readme.index("\n## ", start + 1)].split())
    rules = ["explicit", "front matter `speakers:` gender", "an honorific", "a clear first name"]
    places = [voices.index(f"**{rule}**") for rule in [*rules, "default"]]
    assert places == sorted(places)
    assert "speakers: {Anna: {gender: female}}" in voices and "casting_names.toml" in voices
    assert "is a warning" in voices and "front matter voices.Nobody" in voices
