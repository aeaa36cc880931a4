"""Where digit errors come from: substitutions, insertions and deletions from one minimal
alignment, and which reference digits get lost or confused, for diagnosing a model."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, List, Tuple

from .metrics import normalize_digits


@dataclass
class Breakdown:
    substitutions: int = 0
    insertions: int = 0
    deletions: int = 0
    ref_digits: int = 0
    confusions: Counter = field(default_factory=Counter)  # (ref, hyp) digit pairs
    deleted: Counter = field(default_factory=Counter)
    inserted: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"substitutions": self.substitutions, "insertions": self.insertions, "deletions": self.deletions,
                "ref_digits": self.ref_digits,
                "top_confusions": [f"{r}->{h}: {n}" for (r, h), n in self.confusions.most_common(6)],
                "deleted": dict(sorted(self.deleted.items())), "inserted": dict(sorted(self.inserted.items()))}


def align(ref: str, hyp: str) -> List[Tuple[str, str]]:
    """Levenshtein alignment as (ref, hyp) pairs; '' marks an insertion or a deletion."""
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs, i, j = [], n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and d[i][j] == d[i - 1][j] + 1:
            pairs.append((ref[i - 1], ""))
            i -= 1
        else:
            pairs.append(("", hyp[j - 1]))
            j -= 1
    return pairs[::-1]


def breakdown(refs: Iterable[str], hyps: Iterable[str]) -> Breakdown:
    out = Breakdown()
    for ref_text, hyp_text in zip(refs, hyps, strict=True):
        ref, hyp = normalize_digits(ref_text), normalize_digits(hyp_text)
        out.ref_digits += len(ref)
        for r, h in align(ref, hyp):
            if r and h and r != h:
                out.substitutions += 1
                out.confusions[(r, h)] += 1
            elif r and not h:
                out.deletions += 1
                out.deleted[r] += 1
            elif h and not r:
                out.insertions += 1
                out.inserted[h] += 1
    return out
