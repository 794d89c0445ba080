"""A ctypes binding to espeak-ng (the library in the ``espeakng-loader`` wheel).

Takes text and a voice name, gives 16-bit PCM with word events, or IPA
phonemes. Shared by the ``espeak`` engine (speech) and the ``kokoro`` engine
(phonemes for Latin words). The library is not thread safe: every call goes
through one lock. Each call runs in a fresh session (``image``: the library
loaded anew, initialized, its noise generator seeded, then unloaded), so the
same input always gives the same output, whatever was rendered before it.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tts_export.engines.espeak.image import LibraryImage
from tts_export.errors import EngineError, EngineUnavailable, VoiceError

# Values from espeak-ng's speak_lib.h (API revision 12).
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PHONEMES_IPA = 0x02
_EE_OK = 0
EVENT_WORD = 1
EVENT_SENTENCE = 2
_EVENT_LIST_TERMINATED = 0
PARAM_RATE = 1
PARAM_PITCH = 3

RATE_MIN, RATE_MAX = 80, 450
# Breathy variants (f2, f3, ...) mix in noise from espeak-ng's generator, which
# espeak_Initialize seeds from the clock: seed it with a constant instead.
NOISE_SEED = 1

_VOICE_RE = re.compile(r"[A-Za-z0-9_/-]+(\+[A-Za-z0-9_]+)?")
_VOICE_HINT = (
    "use an espeak-ng language code such as cmn, en-us or en-gb, optionally with a "
    "variant: cmn+f3, en-gb+m3"
)


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


def _declare(lib: ctypes.CDLL) -> None:
    """Give ctypes the signatures of the functions used (per load: each load is a new handle)."""
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synchronize.argtypes = []
    lib.espeak_Synchronize.restype = ctypes.c_int
    lib.espeak_TextToPhonemes.argtypes = [
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.c_int,
        ctypes.c_int,
    ]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_Terminate.argtypes = []
    lib.espeak_Terminate.restype = ctypes.c_int


@dataclass(frozen=True)
class Event:
    """A word or sentence event: ``text_position`` is 1-based, in characters."""

    kind: int
    text_position: int
    length: int
    audio_ms: int


@dataclass(frozen=True)
class Rendered:
    """The output of one ``synthesize`` call: mono int16 PCM and its events."""

    pcm: bytes
    sample_rate: int
    events: tuple[Event, ...]


class EspeakLibrary:
    """espeak-ng, loaded anew for each call; use ``library()`` to get the one instance."""

    def __init__(
        self, image: LibraryImage, data_path: str, version: str, *, engine: str = "espeak"
    ) -> None:
        """Load the library once to prove it works and learn its sample rate.

        Raises:
            EngineUnavailable: the library does not load or does not start.
        """
        self._image = image
        self._engine = engine
        self._lock = threading.Lock()
        self.version = version
        self.data_path = data_path
        self._chunks: list[bytes] = []
        self._events: list[Event] = []
        self._resolved: dict[str, str] = {}
        self._language_map: dict[str, str] | None = None
        # Kept on the instance: a ctypes callback that is garbage-collected
        # while the library still holds its address crashes the process.
        self._callback = _CALLBACK(self._on_audio)
        self.sample_rate = 0
        with self._lock, self._session():
            pass

    @contextmanager
    def _session(self) -> Iterator[ctypes.CDLL]:
        """A freshly loaded, initialized and seeded library; unloaded afterwards.

        Caller holds the lock.

        Raises:
            EngineUnavailable: the library does not load or does not start.
        """
        try:
            lib = self._image.load()
        except OSError as exc:
            raise EngineUnavailable(
                self._engine, f"cannot load espeak-ng: {exc}", hint="pip install espeakng-loader"
            ) from None
        started = False
        try:
            _declare(lib)
            rate = int(
                lib.espeak_Initialize(
                    _AUDIO_OUTPUT_SYNCHRONOUS, 200, self.data_path.encode(), _INITIALIZE_DONT_EXIT
                )
            )
            if rate <= 0:
                raise EngineUnavailable(
                    self._engine,
                    f"espeak-ng failed to start with data at {self.data_path}",
                    hint="reinstall the espeakng-loader package",
                )
            started = True
            self.sample_rate = rate
            lib.espeak_SetSynthCallback(self._callback)
            seed = getattr(lib, "espeak_ng_SetRandSeed", None)
            if seed is not None:  # espeak-ng >= 1.52; older ones use rand(), seeded at load
                seed.argtypes = [ctypes.c_long]
                seed.restype = None
                seed(NOISE_SEED)
            yield lib
        finally:
            if started:
                lib.espeak_Terminate()
            self._image.unload(lib)

    def _on_audio(self, wav: Any, count: int, events: Any) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        i = 0
        while events and events[i].type != _EVENT_LIST_TERMINATED:
            ev = events[i]
            if ev.type in (EVENT_WORD, EVENT_SENTENCE):
                self._events.append(Event(ev.type, ev.text_position, ev.length, ev.audio_position))
            i += 1
        return 0

    def _voice_name(self, voice: str) -> str:
        """The name espeak_SetVoiceByName takes for ``voice`` (checked once, then remembered).

        Caller holds the lock.

        Raises:
            VoiceError: unknown voice or variant, or a malformed name.
        """
        name = self._resolved.get(voice)
        if name is None:
            with self._session() as lib:  # its own session: a probe must not shape the audio
                name = self._resolve(lib, voice)
            self._resolved[voice] = name
        return name

    def _set_voice(self, lib: ctypes.CDLL, voice: str) -> None:
        # Caller holds the lock; ``lib`` is a fresh session.
        if lib.espeak_SetVoiceByName(self._voice_name(voice).encode()) != _EE_OK:
            raise VoiceError(voice, "espeak-ng has no such voice", hint=_VOICE_HINT)

    def _resolve(self, lib: ctypes.CDLL, voice: str) -> str:
        """Map ``lang[+variant]`` to a name espeak_SetVoiceByName accepts.

        espeak-ng looks voices up by file name (``en-us``, ``cmn``), not by the
        language codes the files declare (``en-gb`` lives in ``gmw/en``), and
        it silently ignores an unknown variant; both are checked here.
        """
        base, plus, variant = voice.partition("+")
        if not base or (plus and not variant) or not _VOICE_RE.fullmatch(voice):
            raise VoiceError(voice, "not an espeak-ng voice name", hint=_VOICE_HINT)
        data = Path(self.data_path)
        if variant and not (data / "voices" / "!v" / variant).is_file():
            raise VoiceError(
                voice,
                f"espeak-ng has no voice variant {variant!r}",
                hint="variants are m1-m8, f1-f5 and names under espeak-ng-data/voices/!v",
            )
        if lib.espeak_SetVoiceByName(base.encode()) == _EE_OK:
            return voice
        target = self._languages().get(base.lower())
        if target is None:
            raise VoiceError(voice, "espeak-ng has no such voice", hint=_VOICE_HINT)
        return f"{target}+{variant}" if variant else target

    def _languages(self) -> dict[str, str]:
        """Language code -> voice file (relative to ``lang/``), best priority first."""
        if self._language_map is None:
            found: dict[str, tuple[int, str]] = {}
            root = Path(self.data_path) / "lang"
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root).as_posix()
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                    parts = line.split()
                    if len(parts) >= 2 and parts[0] == "language":
                        prio = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 5
                        code = parts[1].lower()
                        if code not in found or prio < found[code][0]:
                            found[code] = (prio, rel)
            self._language_map = {code: rel for code, (_, rel) in found.items()}
        return self._language_map

    def languages(self) -> tuple[str, ...]:
        """Every language code the data declares, sorted (usable as a voice name)."""
        with self._lock:
            return tuple(sorted(self._languages()))

    def check_voice(self, voice: str) -> None:
        """Select ``voice`` once to prove it exists.

        Raises:
            VoiceError: espeak-ng does not know the voice.
        """
        with self._lock:
            self._voice_name(voice)

    def synthesize(self, text: str, voice: str, *, rate: int, pitch: int) -> Rendered:
        """Speak ``text`` with ``voice`` at ``rate`` words/min and ``pitch`` (0-99).

        Raises:
            VoiceError: unknown voice.
            EngineError: espeak-ng refused the text.
        """
        data = text.encode("utf-8") + b"\0"
        with self._lock:
            self._voice_name(voice)
            with self._session() as lib:
                self._set_voice(lib, voice)
                lib.espeak_SetParameter(PARAM_RATE, max(RATE_MIN, min(RATE_MAX, rate)), 0)
                lib.espeak_SetParameter(PARAM_PITCH, max(0, min(99, pitch)), 0)
                self._chunks, self._events = [], []
                buf = ctypes.create_string_buffer(data)
                code = lib.espeak_Synth(
                    buf, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
                )
                lib.espeak_Synchronize()
            pcm, events = b"".join(self._chunks), tuple(self._events)
            self._chunks, self._events = [], []
        if code != _EE_OK:
            raise EngineError(
                "espeak",
                f"espeak_Synth returned {code}",
                hint="reinstall espeakng-loader; try again with --engine kokoro",
            )
        return Rendered(pcm, self.sample_rate, events)

    def phonemes(self, text: str, voice: str = "en-us") -> str:
        """IPA phonemes for ``text`` (clauses joined by a space).

        Raises:
            VoiceError: unknown voice.
        """
        buf = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
        pointer = ctypes.c_void_p(ctypes.addressof(buf))
        parts: list[str] = []
        with self._lock:
            self._voice_name(voice)
            with self._session() as lib:
                self._set_voice(lib, voice)
                # Each call consumes one clause and advances the pointer (NULL at the end).
                while pointer.value:
                    out = lib.espeak_TextToPhonemes(
                        ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA
                    )
                    if out:
                        parts.append(out.decode("utf-8", "replace").strip())
        return " ".join(p for p in parts if p)


_lock = threading.Lock()
_instance: EspeakLibrary | None = None


def library(
    *, engine: str = "espeak", loader: Callable[[], tuple[str, str]] | None = None
) -> EspeakLibrary:
    """The process-wide espeak-ng library, loaded on first use.

    Args:
        engine: the engine asking, named in errors.
        loader: returns (library path, data path); defaults to espeakng-loader's.

    Raises:
        EngineUnavailable: the espeakng-loader wheel is missing or its library does not load.
    """
    global _instance
    with _lock:
        if _instance is not None:
            return _instance
        try:
            lib_path, data_path = (loader or _wheel_paths)()
            image = LibraryImage(lib_path)
        except (ImportError, OSError) as exc:
            raise EngineUnavailable(
                engine, f"cannot load espeak-ng: {exc}", hint="pip install espeakng-loader"
            ) from None
        _instance = EspeakLibrary(image, data_path, _wheel_version(), engine=engine)
        return _instance


def _wheel_paths() -> tuple[str, str]:
    import espeakng_loader

    return str(espeakng_loader.get_library_path()), str(espeakng_loader.get_data_path())


def _wheel_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"espeakng-loader-{version('espeakng-loader')}"
    except PackageNotFoundError:
        return "espeakng-loader-unknown"
