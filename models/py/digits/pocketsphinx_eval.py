"""Peer baseline: CMU pocketsphinx (en-us acoustic model) with a digits grammar, scored on the
eval sets with the same metrics as our models.

    /usr/bin/python3 models/py/digits/pocketsphinx_eval.py [--sets theo theo-8k heldout-synthetic]

The en-us model expects 16 kHz, so 8 kHz sets are upsampled first, as the product itself does.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

from .audio_io import MODEL_RATE, read_wav, resample  # noqa: E402
from .eval_manifest import read_manifest  # noqa: E402
from .make_eval_sets import DEFAULT_EVAL_DIR  # noqa: E402
from .metrics import score, score_by  # noqa: E402
from .pocketsphinx_decoder import decode  # noqa: E402


def evaluate_set(set_dir: str, workers: int = 2) -> dict:
    rows = read_manifest(set_dir)
    audios = []
    for row in rows:
        audio, rate = read_wav(row["audio"])
        audios.append(resample(audio, rate, MODEL_RATE))
    hyps, wall = decode(audios, workers=workers)
    refs = [row["words"] for row in rows]
    audio_s = sum(len(a) for a in audios) / MODEL_RATE
    return {"set": os.path.basename(set_dir.rstrip("/")), "strings": len(rows), "audio_s": audio_s, "wall_s": wall,
            "rates": score(refs, hyps), "pairs": list(zip(refs, hyps)),
            # engine/speaker, so a mixed set (heldout-synthetic) shows each held-out voice separately
            "by_voice": score_by(["/".join(row["voice"].split("/")[:2]) for row in rows], refs, hyps)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval-dir", default=DEFAULT_EVAL_DIR)
    ap.add_argument("--sets", nargs="+", default=["theo", "theo-8k", "heldout-synthetic"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--examples", type=int, default=2, help="wrong strings to print per set")
    args = ap.parse_args(argv)
    summary = {}
    for name in args.sets:
        r = evaluate_set(os.path.join(args.eval_dir, name), args.workers)
        rates = r["rates"]
        print(f"pocketsphinx {r['set']:>18}: {rates.summary()}; {r['strings']} strings, {r['audio_s']:.0f} s audio "
              f"in {r['wall_s']:.1f} s wall on {args.workers} processes (RTF {r['wall_s'] * args.workers / r['audio_s']:.3f})")
        if len(r["by_voice"]) > 1:
            for voice, vr in r["by_voice"].items():
                print(f"    {voice:<28} {vr.summary()}")
        for ref, hyp in [p for p in r["pairs"] if score([p[0]], [p[1]]).digit_errors][: args.examples]:
            print(f"    ref: {ref}\n    hyp: {hyp}")
        summary[name] = {"digit_error_rate": rates.digit_error_rate, "word_error_rate": rates.word_error_rate,
                         "string_error_rate": rates.string_error_rate, "strings": r["strings"],
                         "audio_s": r["audio_s"], "wall_s": r["wall_s"], "workers": args.workers,
                         "by_voice": {k: v.digit_error_rate for k, v in r["by_voice"].items()}}
    with open(os.path.join(args.eval_dir, "pocketsphinx-results.json"), "w") as f:
        json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
