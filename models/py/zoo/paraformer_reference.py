"""Reference cases for the Paraformer graphs: named input and output tensors from PyTorch,
written so onnxruntime-node can replay them (check_paraformer_onnx.mjs, the vitest tests).

reference.json:
  {"tolerance": float, "cases": [{"name", "model": "model.onnx",
    "inputs":  [{"name", "dtype", "dims", "file" | "values"}, ...],   # graph order
    "outputs": [{"name", "dtype", "dims", "file" | "values"}, ...]}]}
Float tensors go to raw little-endian float32 files (paths relative to reference.json);
integer tensors are small and stay inline as flat `values`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch

_DTYPES = {torch.float32: "float32", torch.int32: "int32", torch.int64: "int64"}


class ReferenceWriter:
    def __init__(self, root: Path, folder: str = "reference") -> None:
        self.root = root
        self.folder = folder
        self.cases: List[Dict[str, object]] = []

    def _tensor(self, case: str, name: str, value: torch.Tensor) -> Dict[str, object]:
        dtype = _DTYPES.get(value.dtype)
        if dtype is None:
            raise TypeError(f"{case}/{name}: unsupported dtype {value.dtype}")
        entry: Dict[str, object] = {"name": name, "dtype": dtype, "dims": list(value.shape)}
        if dtype == "float32":
            rel = f"{self.folder}/{case}.{name}.f32"
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            np.ascontiguousarray(value.detach().numpy(), dtype="<f4").tofile(path)
            entry["file"] = rel
        else:
            entry["values"] = [int(v) for v in value.reshape(-1).tolist()]
        return entry

    def add(
        self,
        name: str,
        model: str,
        inputs: Sequence[Tuple[str, torch.Tensor]],
        outputs: Sequence[Tuple[str, torch.Tensor]],
    ) -> None:
        self.cases.append(
            {
                "name": name,
                "model": model,
                "inputs": [self._tensor(name, n, t) for n, t in inputs],
                "outputs": [self._tensor(name, n, t) for n, t in outputs],
            }
        )

    def write(self, tolerance: float, extra: Dict[str, object] | None = None) -> Path:
        path = self.root / "reference.json"
        value = {"tolerance": tolerance, "cases": self.cases, **(extra or {})}
        path.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return path
