#!/usr/bin/python3
"""What voting among several systems' hypotheses would give (ROVER-style system combination),
measured on the hypotheses eval_runtime.ts printed, whole strings, any pivot. It said the
vote was worth building; the product's vote (asr/text/word-vote.ts, the 2-pass default of the
digits model) follows this one, with the second pass as its pivot, per endpoint segment
(eval_runtime.ts --decoder hybrid --two-pass DIR --combine vote measures it). vote_golden.py
writes this function's answers as the TypeScript vote's golden cases.

    npx tsx models/py/digits/eval_runtime.ts --model models/embedded/digits-fastconformer \\
        --manifest models/py/work/eval/theo/manifest.jsonl --lookahead 1 --decoder ctc,rnnt > S.jsonl
    npx tsx models/py/digits/eval_runtime.ts --model models/embedded/digits-paraformer \\
        --manifest models/py/work/eval/theo/manifest.jsonl > P.jsonl
    /usr/bin/python3 -m digits.vote_eval S.jsonl P.jsonl --pivot ctc:1 --others paraformer,rnnt:1
        (run from models/py)

Systems are named decoder:lookahead (streaming) or "paraformer" (a line without a decoder).
Each utterance's hypotheses are aligned to the pivot's by edit distance; at each pivot slot
the majority word wins (more than half the systems), otherwise the pivot's word. Words that
other systems insert between pivot slots are not voted on. Prints each system's digit error
rate and the vote's (metrics.py).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

from .error_breakdown import align as breakdown_align
from .metrics import digit_error_rate


def load(paths: Sequence[str]) -> Tuple[Dict[str, str], Dict[str, Dict[str, str]]]:
    """(reference words by utterance, {system: {utterance: hypothesis}})."""
    refs: Dict[str, str] = {}
    systems: Dict[str, Dict[str, str]] = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                row = json.loads(line)
                if "path" not in row:
                    continue  # the summary line
                name = f"{row['decoder']}:{row['lookahead']}" if row.get("decoder") else "paraformer"
                refs[row["path"]] = row["words"]
                systems.setdefault(name, {})[row["path"]] = row["text"]
    return refs, systems


def align(pivot: Sequence[str], other: Sequence[str]) -> List[Optional[str]]:
    """For each pivot word, the other hypothesis's word aligned to it (None: deleted there)."""
    return [h or None for p, h in breakdown_align(list(pivot), list(other)) if p]


def vote(pivot: Sequence[str], others: Sequence[Sequence[str]]) -> List[str]:
    columns = [[w] for w in pivot]
    for other in others:
        for slot, word in enumerate(align(pivot, other)):
            columns[slot].append(word)
    out = []
    for column in columns:
        word, count = Counter(column).most_common(1)[0]
        chosen = word if 2 * count > len(column) else column[0]
        if chosen is not None:
            out.append(chosen)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl", nargs="+", help="eval_runtime.ts outputs")
    ap.add_argument("--pivot", required=True)
    ap.add_argument("--others", required=True, help="comma-separated system names")
    args = ap.parse_args()
    refs, systems = load(args.jsonl)
    names = [args.pivot, *args.others.split(",")]
    missing = [n for n in names if n not in systems]
    if missing:
        raise SystemExit(f"no system {missing}; have {sorted(systems)}")
    keys = sorted(refs)
    ref_texts = [refs[k] for k in keys]
    for name in sorted(systems):
        print(f"{name:>12}: {100 * digit_error_rate(ref_texts, [systems[name][k] for k in keys]):.2f}%")
    voted = [" ".join(vote(systems[args.pivot][k].split(), [systems[n][k].split() for n in names[1:]]))
             for k in keys]
    print(f"{'vote':>12}: {100 * digit_error_rate(ref_texts, voted):.2f}%  (pivot {args.pivot}, others {args.others})")


if __name__ == "__main__":
    main()
