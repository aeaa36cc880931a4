"""File and process plumbing shared by the Paraformer fixture builders: where the repo and
../shared/data are, reading a reference clip, writing stable JSON, and running the
onnxruntime-node check script."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Optional

import torch

from .paraformer_features import read_wav

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
CHECK_SCRIPT = Path(__file__).resolve().parent / "check_paraformer_onnx.mjs"


def load_clip(relative: str) -> torch.Tensor:
    """A 16 kHz mono clip from ../shared/data as float samples in [-1, 1]."""
    path = SHARED_DATA / relative
    if not path.exists():
        raise FileNotFoundError(f"{path}: the Paraformer fixture references need ../shared/data")
    samples, rate = read_wav(str(path))
    if rate != 16000:
        raise ValueError(f"{relative}: {rate} Hz; reference clips must be 16 kHz")
    return samples


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def fresh_dir(path: Path) -> Path:
    """Empties a fixture directory so no stale file survives a rebuild."""
    if not path.name.startswith("paraformer-"):
        raise ValueError(f"refusing to clear {path}: not a paraformer fixture directory")
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def run_ort_check(reference_json: Path, model_dir: Optional[Path] = None) -> Dict[str, object]:
    """Replays reference_json in onnxruntime-node; raises with the per-output diffs on mismatch."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node not found: the ONNX check runs through onnxruntime-node")
    args = [node, str(CHECK_SCRIPT), str(reference_json)]
    if model_dir is not None:
        args.append(str(model_dir))
    proc = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError(f"ORT check produced no result:\n{proc.stdout}\n{proc.stderr}")
    summary = json.loads(lines[-1])
    if proc.returncode != 0:
        raise RuntimeError(f"ONNX graph differs from PyTorch: {json.dumps(summary, indent=1)}")
    return summary["cases"]
