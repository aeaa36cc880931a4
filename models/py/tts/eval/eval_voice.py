"""Intelligibility and speed of trained TTS voices next to the teacher ladder.

    nice -n 19 /usr/bin/python3 models/py/tts/eval/eval_voice.py OUT_DIR [OUT_DIR ...]
        [--ladder models/py/work/tts/data/eval/teacher-ladder.json] [--report PREFIX] [--force]

Each OUT_DIR is what synthesize_eval.ts wrote (WAVs, manifest.jsonl, summary.json). Rows of
the "templates" set are scored by pocketsphinx with the generic LM and with the template
grammar, rows of the "hifitts" set with the generic LM only (the grammar cannot express
them). The scores of a directory are kept in OUT_DIR/wer.json and reused while its
manifest.jsonl is older (--force re-scores). RTF and TTFA come from the synthesis timings
(one request at a time, as synthesize_eval.ts reads them).

The teacher ladder (teacher_ladder.py) is the ceiling: every row of it with WERs is listed
first, whatever its nesting (a teacher voice, or that voice's copy-synthesis through our
vocoder). A model evaluated on a --limit subset is not comparable row for row; the
utterance counts column says which texts each row covers. Writes PREFIX.md and PREFIX.json
(default: eval-report beside the first OUT_DIR).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    __package__ = "tts.eval"

from .pocketsphinx_wer import DEFAULT_GRAMMAR, REPO, evaluate  # noqa: E402

DEFAULT_LADDER = os.path.join(REPO, "models", "py", "work", "tts", "data", "eval", "teacher-ladder.json")
SETS = ("templates", "hifitts")


def percentile(values: list[float], p: float) -> float:
    """Nearest rank, as the TypeScript benches compute it."""
    if not values:
        return math.nan
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]


def score_dir(out_dir: str, grammar: str, workers: int, force: bool) -> dict:
    """WERs per set of one synthesize_eval.ts output directory (cached in wer.json)."""
    manifest = os.path.join(out_dir, "manifest.jsonl")
    cache = os.path.join(out_dir, "wer.json")
    if not force and os.path.exists(cache) and os.path.getmtime(cache) >= os.path.getmtime(manifest):
        with open(cache) as f:
            return json.load(f)
    with open(manifest) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    out = {}
    for set_name in SETS:
        items = [(os.path.join(out_dir, r["wav"]), r["raw"]) for r in rows if r["set"] == set_name]
        if not items:
            continue
        print(f"  {out_dir}: scoring {len(items)} {set_name} utterances", flush=True)
        out[set_name] = evaluate(items, grammar_path=grammar if set_name == "templates" else None,
                                 workers=workers)
    with open(cache, "w") as f:
        json.dump(out, f, indent=1)
    return out


def model_row(out_dir: str, wer: dict) -> dict:
    with open(os.path.join(out_dir, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out_dir, "manifest.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    knobs = [f"voice {summary['voice']}"] if summary.get("voice") else []
    if summary.get("t2s_steps") is not None:
        knobs.append(f"T2S {summary['t2s_steps']} steps")
    if summary.get("flow_steps") is not None:
        knobs.append(f"{summary['flow_steps']} flow steps")
    name = summary["model"] + (f" ({', '.join(knobs)})" if knobs else "")
    name += " [random-weight fixture]" if summary.get("fixture") else ""
    audio = sum(r["audio_s"] for r in rows)
    ttfa = [r["ttfa_ms"] for r in rows if r.get("ttfa_ms") is not None]
    # A copy-synthesis rung (copy_synthesize_eval.ts) has WERs but no synthesis timings.
    timed = audio and all("synthesis_s" in r for r in rows)
    kind = "copy-synthesis" if summary.get("family") == "copy-synthesis" else "model"
    return {"system": name, "kind": kind, "dir": out_dir, "fixture": bool(summary.get("fixture")),
            **wer_columns(wer), "rtf": sum(r["synthesis_s"] for r in rows) / audio if timed else None,
            "ttfa_p50_ms": percentile(ttfa, 50) if ttfa else None,
            "ttfa_p95_ms": percentile(ttfa, 95) if ttfa else None,
            "threads": summary.get("threads")}


def wer_columns(sets: dict) -> dict:
    t, h = sets.get("templates") or {}, sets.get("hifitts") or {}
    return {"wer_generic_templates": t.get("wer_generic"), "wer_grammar_templates": t.get("wer_grammar"),
            "wer_generic_hifitts": h.get("wer_generic"),
            "utterances": {"templates": t.get("utterances", 0), "hifitts": h.get("utterances", 0)}}


def ladder_rows(node: dict, name: str = "") -> list[dict]:
    """Every entry of the ladder JSON that holds per-set results, named by its path of keys."""
    rows = []
    if any(isinstance(node.get(s), dict) and "wer_generic" in node[s] for s in SETS):
        rows.append({"system": f"teacher {name}", "kind": "teacher", **wer_columns(node),
                     "rtf": None, "ttfa_p50_ms": None, "ttfa_p95_ms": None})
    for key, value in node.items():
        if key not in SETS and isinstance(value, dict):
            rows.extend(ladder_rows(value, f"{name} / {key}" if name else key))
    return rows


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _ms(x: float | None) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.0f}"


def markdown(rows: list[dict]) -> str:
    lines = ["| system | WER generic (templates) | WER grammar (templates) | WER generic (hifitts) | RTF "
             "| TTFA p50 / p95 (ms) | utterances (templates / hifitts) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        ttfa = "-" if r["ttfa_p50_ms"] is None else f"{_ms(r['ttfa_p50_ms'])} / {_ms(r['ttfa_p95_ms'])}"
        rtf = "-" if r["rtf"] is None else f"{r['rtf']:.3f}"
        u = r["utterances"]
        lines.append(f"| {r['system']} | {_pct(r['wer_generic_templates'])} | {_pct(r['wer_grammar_templates'])} "
                     f"| {_pct(r['wer_generic_hifitts'])} | {rtf} | {ttfa} | {u['templates']} / {u['hifitts']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dirs", nargs="+", help="synthesize_eval.ts output directories")
    ap.add_argument("--ladder", default=DEFAULT_LADDER, help="teacher-ladder.json (teacher_ladder.py)")
    ap.add_argument("--grammar", default=DEFAULT_GRAMMAR, help="template JSGF grammar")
    ap.add_argument("--report", default=None, help="output prefix (default: eval-report beside the first dir)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="re-score directories that have a wer.json")
    args = ap.parse_args(argv)

    rows = []
    if os.path.exists(args.ladder):
        with open(args.ladder) as f:
            rows.extend(ladder_rows(json.load(f)))
    else:
        print(f"no teacher ladder at {args.ladder} (teacher_ladder.py writes it): models only", flush=True)
    for out_dir in args.out_dirs:
        if not os.path.isfile(os.path.join(out_dir, "manifest.jsonl")):
            print(f"skipping {out_dir}: no manifest.jsonl (not a synthesize_eval.ts output)", flush=True)
            continue
        rows.append(model_row(out_dir, score_dir(out_dir, args.grammar, args.workers, args.force)))

    table = markdown(rows)
    notes = []
    if any(r.get("fixture") for r in rows):
        notes.append("Rows marked [random-weight fixture] are untrained graphs: their WER says nothing "
                     "about a voice, only that the pipeline runs.")
    ladder_n = {(r["utterances"]["templates"], r["utterances"]["hifitts"]) for r in rows if r["kind"] == "teacher"}
    if any((r["utterances"]["templates"], r["utterances"]["hifitts"]) not in ladder_n
           for r in rows if r["kind"] == "model") and ladder_n:
        notes.append("Some models were scored on other utterance counts than the teachers (--limit): "
                     "not comparable row for row.")
    text = table + "".join(f"\n{n}\n" for n in notes)
    print(text, end="")
    prefix = args.report or os.path.join(os.path.dirname(os.path.abspath(args.out_dirs[0])), "eval-report")
    with open(prefix + ".md", "w") as f:
        f.write(text)
    with open(prefix + ".json", "w") as f:
        json.dump({"ladder": args.ladder if os.path.exists(args.ladder) else None, "systems": rows}, f, indent=1)
    print(f"wrote {prefix}.md and {prefix}.json")


if __name__ == "__main__":
    main()
