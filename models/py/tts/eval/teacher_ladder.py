"""The reference ladder's top rung: each teacher voice's own WER on the evaluation texts.

    nice -n 19 /usr/bin/python3 models/py/tts/eval/teacher_ladder.py [--data DIR] [--voices flite/rms ...]

Reads DIR/eval/teachers/<engine>-<voice>/manifest.jsonl (written by make_tts_data.py) and
scores every voice: template sentences with the generic LM and with the template grammar,
hifitts-6097 sentences with the generic LM. A trained model reading the same texts cannot
be expected to beat its teachers; report models as points above these ceilings. Results go
to DIR/eval/teacher-ladder.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    __package__ = "tts.eval"

from ..data.make_tts_data import DEFAULT_OUT  # noqa: E402
from .pocketsphinx_wer import evaluate  # noqa: E402


def voice_dirs(teachers_dir: str) -> dict[str, str]:
    out = {}
    for name in sorted(os.listdir(teachers_dir)):
        path = os.path.join(teachers_dir, name)
        if os.path.isfile(os.path.join(path, "manifest.jsonl")):
            out[name.replace("-", "/", 1)] = path
    return out


def score_voice(vdir: str, grammar: str, workers: int) -> dict:
    with open(os.path.join(vdir, "manifest.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    out = {}
    for set_name in ("templates", "hifitts"):
        items = [(os.path.join(vdir, r["wav"]), r["text"]) for r in rows if r["set"] == set_name]
        if not items:
            continue
        r = evaluate(items, grammar_path=grammar if set_name == "templates" else None, workers=workers)
        out[set_name] = {k: v for k, v in r.items() if k != "per_utterance"}
        out[set_name]["examples"] = [u for u in r["per_utterance"] if u.get("generic") != u["ref"]][:5]
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_OUT)
    ap.add_argument("--voices", nargs="*", default=None, help="engine/voice names (default all)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    eval_dir = os.path.join(args.data, "eval")
    grammar = os.path.join(eval_dir, "grammar.gram")
    results = {}
    for voice, vdir in voice_dirs(os.path.join(eval_dir, "teachers")).items():
        if args.voices and voice not in args.voices:
            continue
        results[voice] = score_voice(vdir, grammar, args.workers)
        t, h = results[voice].get("templates", {}), results[voice].get("hifitts", {})
        print(f"{voice:<32} templates: generic {100 * t.get('wer_generic', float('nan')):5.1f}%  "
              f"grammar {100 * t.get('wer_grammar', float('nan')):5.1f}%   "
              f"hifitts: generic {100 * h.get('wer_generic', float('nan')):5.1f}%", flush=True)
    with open(os.path.join(eval_dir, "teacher-ladder.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
