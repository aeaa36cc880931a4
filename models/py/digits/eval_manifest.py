"""Eval-set manifests: one JSON object per line, {"path", "words", "digits", "duration", "voice"},
with "path" relative to the manifest's folder so a set can be moved or copied as a whole."""
from __future__ import annotations

import json
import os

MANIFEST = "manifest.jsonl"


def write_manifest(set_dir: str, rows: list[dict]) -> str:
    path = os.path.join(set_dir, MANIFEST)
    with open(path, "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path


def read_manifest(set_dir: str) -> list[dict]:
    """Rows with "audio" added: the absolute path of each WAV."""
    path = os.path.join(set_dir, MANIFEST)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing; run /usr/bin/python3 models/py/digits/make_eval_sets.py")
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                row["audio"] = os.path.join(set_dir, row["path"])
                rows.append(row)
    return rows
