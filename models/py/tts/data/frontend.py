"""The TypeScript text front end, called from Python in batch (models/py/tts/tokenize_text.ts).

Training text is normalised and tokenised by the very code that serves requests, so the
two can never drift apart. One Node process handles a whole list (start-up about 1 s).
"""
from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
BRIDGE = os.path.join("models", "py", "tts", "tokenize_text.ts")


@dataclass(frozen=True)
class Tokenised:
    text: str  # normalised text, what a teacher synthesiser reads
    words: tuple[str, ...]  # lowercase spoken words: the recogniser reference
    symbols: tuple[str, ...]  # phone tokens
    ids: tuple[int, ...]
    oov: tuple[str, ...]  # words pronounced by rule or derivation, not found in the lexicon

    @property
    def reference(self) -> str:
        return " ".join(self.words)


def _run(stdin: str, *args: str) -> str:
    cmd = ["npx", "--no-install", "tsx", BRIDGE, *args]
    result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.strip()[-1000:]}")
    return result.stdout


def tokenise(texts: list[str]) -> list[Tokenised]:
    """Front-end output for each text, in order."""
    if not texts:
        return []
    stdin = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    rows = [json.loads(line) for line in _run(stdin).splitlines() if line.strip()]
    if [r["id"] for r in rows] != list(range(len(texts))):
        raise RuntimeError(f"tokenizer returned {len(rows)} rows for {len(texts)} texts")
    return [Tokenised(r["text"], tuple(r["words"]), tuple(r["symbols"]), tuple(r["ids"]), tuple(r["oov"])) for r in rows]


def inventory() -> list[str]:
    """Token symbols, index = id (tts/text/phone-tokens.ts)."""
    return json.loads(_run("", "--inventory"))["tokens"]
