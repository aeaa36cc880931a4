"""What both TTS exporters write beside the graphs: the speechstream.json manifest that
models/runtime/tts-manifest.ts reads (task "tts", the family, the vocoder id, voices)."""
from __future__ import annotations

import json
import os
from typing import Dict, List, Optional


def write_manifest(out_dir: str, model_id: str, family: str, description: str, default_voice: Optional[str],
                   voices: Optional[List[str]] = None, vocoder: str = "tts-vocoder") -> str:
    manifest: Dict = {"id": model_id, "family": family, "task": "tts", "description": description,
                      "vocoder": vocoder, "licence": "Apache-2.0", "languages": ["en"]}
    if default_voice:
        manifest["defaultVoice"] = default_voice
    if voices is not None:
        manifest["voices"] = voices
    path = os.path.join(out_dir, "speechstream.json")
    with open(path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return path
