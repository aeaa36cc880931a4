"""Evaluates the shipped digits models on the eval sets, through the real runtimes, next to
the pocketsphinx peer baseline.

    /usr/bin/python3 models/py/digits/eval_models.py                 # everything (~20 min on 2 cores)
    /usr/bin/python3 models/py/digits/eval_models.py --limit 40      # a quick look
    /usr/bin/python3 models/py/digits/eval_models.py --models streaming --sets theo --no-sherpa

For each set (theo 16 kHz, theo-8k, heldout-synthetic) it runs eval_runtime.ts with `npx tsx`:
- digits-fastconformer through our NeMo streaming runtime at every lookahead R, with the CTC
  and the RNN-T head, greedy, decoded as the product decodes (windows of 8(R+1)+9 frames from
  frame 0, zero caches, 0.66 s tail padding), and through sherpa-onnx-node (transducer and
  fused CTC at the metadata's default R, with sherpa's own knf features);
- digits-paraformer through our offline Paraformer runtime and sherpa-onnx-node, whole utterance;
- two-pass: the product's 2-pass mode (eval_runtime.ts --two-pass), digits-fastconformer's CTC
  head at every lookahead finding the segments and digits-paraformer re-decoding each one;
  two-pass-vote: the same with each final voted among the Paraformer (pivot) and the CTC and
  RNN-T heads (--decoder hybrid --combine vote; the product's default for this model).
Scores: digit error rate (the product metric), string error rate, errors by kind and voice, and
decode speed as x real time (one onnxruntime thread per process, --jobs processes at once).
Results: a markdown table on stdout and in models/py/work/eval/model-results.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

from .error_breakdown import breakdown  # noqa: E402
from .eval_sets import EVAL_DIR, SETS, pocketsphinx_results  # noqa: E402
from .metrics import score, score_by  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
EMBEDDED = os.path.join(ROOT, "models", "embedded")
RUNNER = os.path.join(HERE, "eval_runtime.ts")
MODELS = {"streaming": "digits-fastconformer", "paraformer": "digits-paraformer"}


def run_runtime(model_dir: str, set_name: str, engine: str, limit: Optional[int],
                extra: List[str]) -> List[dict]:
    """One eval_runtime.ts process; returns its JSON lines (utterances and summaries)."""
    cmd = ["npx", "tsx", RUNNER, "--model", model_dir, "--manifest",
           os.path.join(EVAL_DIR, set_name, "manifest.jsonl"), "--engine", engine, *extra]
    if limit:
        cmd += ["--limit", str(limit)]
    started = time.time()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    print(f"  {os.path.basename(model_dir)} {engine} {set_name} {' '.join(extra)}: "
          f"{time.time() - started:.0f} s", file=sys.stderr, flush=True)
    return [dict(line, set=set_name, model=os.path.basename(model_dir)) for line in lines]


def jobs_for(embedded: str, models: List[str], sets: List[str], sherpa: bool) -> List[tuple]:
    jobs = []
    for key in models:
        if key in ("two-pass", "two-pass-vote"):
            streaming, second = (os.path.join(embedded, MODELS[k]) for k in ("streaming", "paraformer"))
            if not (os.path.isdir(streaming) and os.path.isdir(second)):
                print(f"skipping {key}: both models must be exported", file=sys.stderr)
                continue
            mode = (["--decoder", "ctc", "--combine", "replace"] if key == "two-pass"
                    else ["--decoder", "hybrid", "--combine", "vote"])
            jobs += [(streaming, s, "speechstream", [*mode, "--two-pass", second]) for s in sets]
            continue
        model_dir = os.path.join(embedded, MODELS[key])
        if not os.path.isdir(model_dir):
            print(f"skipping {model_dir}: not exported yet", file=sys.stderr)
            continue
        for s in sets:
            if key == "streaming":
                jobs.append((model_dir, s, "speechstream", ["--decoder", "ctc,rnnt"]))
                if sherpa:
                    jobs.append((model_dir, s, "sherpa", ["--decoder", "rnnt,ctc"]))
            else:
                jobs.append((model_dir, s, "speechstream", []))
                if sherpa:
                    jobs.append((model_dir, s, "sherpa", []))
    return jobs


def _order(item) -> tuple:
    model, engine, decoder, lookahead, set_name = item[0]
    return (model, engine != "speechstream", decoder or "", -1 if lookahead is None else lookahead, set_name)


def engine_name(line: dict) -> str:
    """The runtime column: the engine, marked when the 2-pass mode wrote the transcript."""
    if not line.get("twoPass"):
        return line["engine"]
    return line["engine"] + (" 2-pass vote" if line.get("combine") == "vote" else " 2-pass")


def summarise(lines: List[dict]) -> List[dict]:
    """One row per (model, engine, decoder, lookahead, set)."""
    groups: Dict[tuple, dict] = {}
    for line in lines:
        if "summary" in line:
            s = line["summary"]
            key = (line["model"], engine_name(s), s["decoder"], s["lookahead"], line["set"])
            groups.setdefault(key, {"utts": []})["timing"] = s
        else:
            key = (line["model"], engine_name(line), line["decoder"], line["lookahead"], line["set"])
            groups.setdefault(key, {"utts": []})["utts"].append(line)
    rows = []
    for (model, engine, decoder, lookahead, set_name), g in sorted(groups.items(), key=_order):
        refs = [u["words"] for u in g["utts"]]
        hyps = [u["text"] for u in g["utts"]]
        rates = score(refs, hyps)
        timing = g.get("timing", {})
        rows.append({
            "model": model, "engine": engine, "decoder": decoder, "lookahead": lookahead, "set": set_name,
            "strings": rates.strings, "digit_error_rate": rates.digit_error_rate,
            "string_error_rate": rates.string_error_rate, "word_error_rate": rates.word_error_rate,
            "by_voice": {k: v.digit_error_rate for k, v in
                         score_by([u["voice"] for u in g["utts"]], refs, hyps).items()},
            "errors": breakdown(refs, hyps).as_dict(),
            "x_real_time": (timing["audioSeconds"] / timing["decodeSeconds"]) if timing.get("decodeSeconds") else None,
            "wrong": [{"path": u["path"], "ref": u["words"], "hyp": u["text"]}
                      for u, h in zip(g["utts"], hyps) if score([u["words"]], [h]).digit_errors][:20],
        })
    return rows


def pct(x: Optional[float]) -> str:
    return "-" if x is None else f"{100 * x:.2f} %"


def markdown(rows: List[dict], sets: List[str]) -> str:
    by_key: Dict[tuple, Dict[str, dict]] = {}
    for r in rows:
        by_key.setdefault((r["model"], r["engine"], r["decoder"], r["lookahead"]), {})[r["set"]] = r
    head = "| model | runtime | head | R (chunk) | " + " | ".join(f"{s} DER (SER)" for s in sets) + " | x real time |"
    out = [head, "|" + " --- |" * (5 + len(sets))]
    for (model, engine, decoder, lookahead), per_set in by_key.items():
        chunk = "whole utterance" if model == MODELS["paraformer"] else (
            "default (R=1, 160 ms)" if lookahead is None else f"R={lookahead} ({80 * (lookahead + 1)} ms)")
        cells = [f"{pct(per_set[s]['digit_error_rate'])} ({100 * per_set[s]['string_error_rate']:.1f} %)"
                 if s in per_set else "-" for s in sets]
        speeds = [per_set[s]["x_real_time"] for s in sets if s in per_set and per_set[s]["x_real_time"]]
        speed = f"{sum(speeds) / len(speeds):.0f}x" if speeds else "-"
        head_name = "-" if decoder is None else decoder.upper()
        out.append(f"| {model} | {engine} | {head_name} | {chunk} | " + " | ".join(cells) + f" | {speed} |")
    ps = pocketsphinx_results()
    if ps:
        cells = [f"{pct(ps[s]['digit_error_rate'])} ({100 * ps[s]['string_error_rate']:.1f} %)" if s in ps else "-"
                 for s in sets]
        speeds = [ps[s]["audio_s"] / ps[s]["wall_s"] for s in sets if s in ps]
        out.append("| pocketsphinx (en-us, JSGF digits) | pocketsphinx | - | whole utterance | " + " | ".join(cells)
                   + f" | {sum(speeds) / len(speeds):.0f}x (2 processes) |")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--models", default="streaming,paraformer,two-pass,two-pass-vote")
    p.add_argument("--limit", type=int, default=None, help="first N strings of each set")
    p.add_argument("--jobs", type=int, default=2, help="runtime processes at once (one thread each)")
    p.add_argument("--no-sherpa", action="store_true")
    p.add_argument("--embedded", default=EMBEDDED, help="folder holding the model directories")
    p.add_argument("--out", default=os.path.join(EVAL_DIR, "model-results"))
    args = p.parse_args(argv)
    sets = args.sets.split(",")
    jobs = jobs_for(args.embedded, args.models.split(","), sets, not args.no_sherpa)
    started = time.time()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda j: run_runtime(j[0], j[1], j[2], args.limit, j[3]), jobs))
    rows = summarise([line for lines in results for line in lines])
    table = markdown(rows, sets)
    print(table)
    with open(args.out + ".json", "w") as f:
        json.dump({"rows": rows, "limit": args.limit, "wall_s": time.time() - started}, f, indent=1)
    with open(args.out + ".md", "w") as f:
        f.write(table + "\n")
    for r in rows:
        e = r["errors"]
        print(f"{r['model']} {r['engine']} {r['decoder']} R={r['lookahead']} {r['set']}: "
              f"sub {e['substitutions']} ins {e['insertions']} del {e['deletions']} / {e['ref_digits']}; "
              f"{', '.join(e['top_confusions'][:3])}; by voice "
              + ", ".join(f"{k} {100 * v:.1f}%" for k, v in r["by_voice"].items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
