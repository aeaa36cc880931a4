"""Export helpers shared by every family: one TorchScript-exporter call that works on
torch 1.13 and torch >= 2.9, metadata_props writing, tokens.txt writing, and a
byte-stable save.

Contracts: ../shared/reference/asr-model-contracts.md sections 0.2, 0.3, 4.3, 4.4.
"""
from __future__ import annotations

import inspect
import io
import os
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple, Union

import onnx
import torch

OPSET = 17  # onnx 1.12 understands <= 17; NeMo exports at 16/17, FunASR at 14.

MetaValue = Union[str, int, float, Sequence[float]]


def _meta_str(value: MetaValue) -> str:
    # sherpa-onnx reads every value as a string; float vectors are comma-joined.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return ",".join(repr(float(v)) for v in value)


def export_onnx(
    model: torch.nn.Module,
    args: Tuple[torch.Tensor, ...],
    path: str,
    input_names: List[str],
    output_names: List[str],
    dynamic_axes: Mapping[str, Mapping[int, str]],
    metadata: Mapping[str, MetaValue] | None = None,
    opset: int = OPSET,
) -> onnx.ModelProto:
    """Exports with the TorchScript exporter, adds metadata_props, saves, and returns the proto.

    The `dynamo` keyword does not exist on torch 1.13 and defaults to True on torch >= 2.9,
    so it is passed only when the installed torch knows it.
    """
    model.eval()
    kwargs = dict(
        input_names=input_names,
        output_names=output_names,
        dynamic_axes={k: dict(v) for k, v in dynamic_axes.items()},
        opset_version=opset,
        do_constant_folding=True,
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, args, buf, **kwargs)
    proto = onnx.load_model_from_string(buf.getvalue())
    # The exporter stamps the producer version; keep it, it is deterministic per torch build.
    if metadata:
        add_metadata(proto, metadata)
    onnx.checker.check_model(proto)
    save_model(proto, path)
    return proto


def add_metadata(proto: onnx.ModelProto, metadata: Mapping[str, MetaValue]) -> None:
    existing = {p.key: p for p in proto.metadata_props}
    for key, value in metadata.items():
        if key in existing:
            existing[key].value = _meta_str(value)
        else:
            entry = proto.metadata_props.add()
            entry.key = key
            entry.value = _meta_str(value)


def save_model(proto: onnx.ModelProto, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # Deterministic serialisation so fixtures regenerate byte for byte.
    data = proto.SerializeToString(deterministic=True)
    with open(path, "wb") as f:
        f.write(data)


def write_tokens(path: str, symbols: Iterable[str]) -> None:
    """tokens.txt: `<symbol> <id>` per line, ids in order (section 0.3)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for i, sym in enumerate(symbols):
            if any(c.isspace() for c in sym) or sym == "":
                raise ValueError(f"token {i} {sym!r} is empty or has whitespace")
            f.write(f"{sym} {i}\n")


def read_metadata(path: str) -> Dict[str, str]:
    proto = onnx.load(path, load_external_data=False)
    return {p.key: p.value for p in proto.metadata_props}
