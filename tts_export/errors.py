"""Errors: one base class; each subclass keeps its data and says what to do.

The CLI catches ``TtsExportError`` only and prints ``str(error)``; anything
else reaching the user is a bug.
"""

from __future__ import annotations


class TtsExportError(Exception):
    """Base of every error the project raises on purpose.

    Attributes:
        hint: what the user can do about it (may be empty).
    """

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class TranscriptError(TtsExportError):
    """The transcript cannot be read or understood.

    Attributes:
        path: the file.
        line: 1-based line number (0 when the whole file is at fault).
        column: 1-based column, or 0.
    """

    def __init__(
        self, path: str, line: int, problem: str, *, hint: str = "", column: int = 0
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
        where = path
        if line:
            where += f":{line}"
            if column:
                where += f":{column}"
        super().__init__(f"{where}: {problem}", hint=hint)


class ConfigError(TtsExportError):
    """An option, project file or front-matter setting has a bad value.

    Attributes:
        setting: the name of the setting.
        value: the value given.
    """

    def __init__(self, setting: str, value: object, problem: str, *, hint: str = "") -> None:
        self.setting = setting
        self.value = value
        self.problem = problem
        super().__init__(f"{setting}={value!r}: {problem}", hint=hint)


class VoiceError(TtsExportError):
    """A voice profile is missing, malformed or cannot serve a speaker.

    Attributes:
        profile: the profile id (or file) concerned; "" when no profile is known.
        speaker: the speaker, when one is concerned.
        path: the voice-profile file, when the fault is in one.
        key: the key at fault in that file (``kokoro.speed``), or "".
    """

    def __init__(
        self,
        profile: str,
        problem: str,
        *,
        speaker: str = "",
        hint: str = "",
        path: str = "",
        key: str = "",
    ) -> None:
        self.profile = profile
        self.speaker = speaker
        self.path = path
        self.key = key
        where = f"{path}: " if path else ""
        who = f"speaker {speaker!r}: " if speaker else ""
        what = f"voice profile {profile!r}: " if profile else ""
        at = f"{key}: " if key else ""
        super().__init__(f"{where}{who}{what}{at}{problem}", hint=hint)


class EngineError(TtsExportError):
    """An engine could not render a piece of text.

    Attributes:
        engine: the engine's name.
        detail: what happened.
        retryable: True when trying again may succeed (network, timeout).
        utterance_id: set by the synth stage when it knows the utterance.
        attempts: how many times the engine tried before giving up.
    """

    def __init__(
        self,
        engine: str,
        detail: str,
        *,
        retryable: bool = False,
        utterance_id: str = "",
        hint: str = "",
        attempts: int = 1,
    ) -> None:
        self.engine = engine
        self.detail = detail
        self.retryable = retryable
        self.utterance_id = utterance_id
        self.attempts = attempts
        where = f" (utterance {utterance_id})" if utterance_id else ""
        super().__init__(f"engine {engine!r}{where}: {detail}", hint=hint)


class EngineUnavailable(EngineError):
    """The engine cannot run on this machine (missing package, no network)."""


class SynthesisFailed(TtsExportError):
    """One or more utterances could not be rendered by any engine.

    Attributes:
        failures: (utterance id, speaker, source line, reason) per failure.
    """

    def __init__(self, failures: list[tuple[str, str, int, str]]) -> None:
        self.failures = failures
        lines = [
            f"  {uid} ({speaker}, line {line}): {reason}" for uid, speaker, line, reason in failures
        ]
        super().__init__(
            f"{len(failures)} utterance(s) could not be synthesized:\n" + "\n".join(lines),
            hint="rerun to retry them; everything already rendered is cached, "
            "or pass --fallback kokoro to render failures offline",
        )


class OutputError(TtsExportError):
    """An output file could not be written.

    Attributes:
        path: the file.
    """

    def __init__(self, path: str, problem: str, *, hint: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {problem}", hint=hint)


class RenderNotFound(OutputError):
    """No finished render where one was named: no manifest there (``page``, ``qa``, ``--repair``).

    Attributes:
        path: what was given (``OUTDIR/STEM``, a manifest, or a folder).
    """


class ManifestError(OutputError):
    """A render's manifest cannot be used: unreadable, not JSON, or not what tts-export writes.

    Attributes:
        path: the manifest file.
        problem: what is wrong with it (the field named, as in ``'utterances[3].start_ms'``).
    """

    def __init__(self, path: str, problem: str, *, hint: str = "") -> None:
        self.problem = problem
        super().__init__(path, problem, hint=hint)


class SubtitleError(TtsExportError):
    """A subtitle file given to ``check`` cannot be read.

    Attributes:
        path: the file.
    """

    def __init__(self, path: str, problem: str, *, hint: str = "") -> None:
        self.path = path
        super().__init__(f"{path}: {problem}", hint=hint)
