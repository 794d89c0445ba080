"""Speech recogniser: 16 kHz mono samples in, text out (faster-whisper, imported lazily).

The ``qa`` extra installs faster-whisper; nothing else in the package needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from tts_export.errors import EngineUnavailable
from tts_export.qa import bundled

SAMPLE_RATE = 16000  # what whisper models take
_HINT = "install the QA extra: pip install 'tts-export[qa]' (or pip install faster-whisper)"


class Recognizer(Protocol):
    """Anything that turns speech into text."""

    def transcribe(self, samples: npt.NDArray[np.float32], language: str) -> str:
        """The text heard in ``samples`` (16 kHz mono float32), read as ``language``."""
        ...


@dataclass
class WhisperRecognizer:
    """faster-whisper behind ``Recognizer``.

    Attributes:
        model: the loaded ``faster_whisper.WhisperModel``.
    """

    model: Any

    def transcribe(self, samples: npt.NDArray[np.float32], language: str) -> str:
        segments, _ = self.model.transcribe(
            samples,
            language=language,
            beam_size=1,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,
            # No initial prompt: on short clips whisper-base repeats the prompt as the
            # transcript (measured on the seed); traditional script is normalised in scoring.
        )
        return "".join(segment.text for segment in segments).strip()


def load_recognizer(model: str | Path = "base", *, threads: int = 0) -> WhisperRecognizer:
    """Load a faster-whisper model on the CPU (int8).

    Args:
        model: a CTranslate2 model directory, or a model name: ``"base"`` is the
            whisper-base the QA extra installs (joined on first use, offline); other names
            are downloaded by faster-whisper (needs the network the first time).
        threads: CPU threads; 0 lets CTranslate2 choose.

    Returns:
        The recogniser.

    Raises:
        EngineUnavailable: faster-whisper is not installed, or the model cannot be loaded.
    """
    try:
        from faster_whisper import WhisperModel
    except ImportError:
        raise EngineUnavailable("faster-whisper", "is not installed", hint=_HINT) from None
    if model == bundled.NAME and bundled.installed():
        model = bundled.model_folder()  # offline: the model the QA extra installs
    if isinstance(model, Path) and not (model / "model.bin").is_file():
        raise EngineUnavailable(
            "faster-whisper",
            f"no model.bin in {model}" if model.is_dir() else f"no model folder {model}",
            hint="pass --asr-model DIR, a folder holding a CTranslate2 whisper model",
        )
    try:
        loaded = WhisperModel(str(model), device="cpu", compute_type="int8", cpu_threads=threads)
    except (OSError, RuntimeError, ValueError) as error:
        if isinstance(model, Path):
            problem = f"cannot load the model in {model}: {_first_line(error)}"
        else:  # a download name: not cached here and the hub cannot be reached (or no such name)
            problem = f"cannot find or download model {model!r}: {_first_line(error)}"
        raise EngineUnavailable(
            "faster-whisper",
            problem,
            hint="pass --asr-model DIR (a CTranslate2 whisper model), or go online once",
        ) from None
    return WhisperRecognizer(loaded)


def _first_line(error: BaseException) -> str:
    """An error's first line, short: library messages run to several sentences."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."
