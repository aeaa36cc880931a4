"""Error rates for digit strings: edit distance over digits (the product metric) and over words.

Digit error rate = total edit distance between reference and hypothesis digit sequences divided
by the total number of reference digits, pooled over a set (not averaged per string, so long
strings weigh as much as their digits). It can exceed 1 when the hypothesis inserts a lot.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .vocab import WORD_TO_DIGIT


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    """Levenshtein distance (substitutions, insertions, deletions all cost 1)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def normalize_digits(text: str) -> str:
    """Accepts "407", "4 0 7" or "four oh seven"; words outside the vocabulary are dropped
    (a recogniser that says "um" is judged on the digits it produced)."""
    out = []
    for token in text.lower().split():
        if token.isdigit():
            out.append(token)
        elif token in WORD_TO_DIGIT:
            out.append(WORD_TO_DIGIT[token])
    return "".join(out)


@dataclass(frozen=True)
class ErrorRates:
    digit_errors: int
    ref_digits: int
    word_errors: int
    ref_words: int
    strings: int
    wrong_strings: int

    @property
    def digit_error_rate(self) -> float:
        return self.digit_errors / max(self.ref_digits, 1)

    @property
    def word_error_rate(self) -> float:
        return self.word_errors / max(self.ref_words, 1)

    @property
    def string_error_rate(self) -> float:
        return self.wrong_strings / max(self.strings, 1)

    def summary(self) -> str:
        return (f"digit error rate {100 * self.digit_error_rate:.2f}% ({self.digit_errors}/{self.ref_digits}), "
                f"WER {100 * self.word_error_rate:.2f}%, "
                f"string error rate {100 * self.string_error_rate:.1f}% ({self.wrong_strings}/{self.strings})")


def digit_error_rate(refs: Iterable[str], hyps: Iterable[str]) -> float:
    return score(refs, hyps).digit_error_rate


def word_error_rate(refs: Iterable[str], hyps: Iterable[str]) -> float:
    return score(refs, hyps).word_error_rate


def score(ref_texts: Iterable[str], hyp_texts: Iterable[str]) -> ErrorRates:
    """Pools errors over pairs of texts. Word errors compare the words as said ("oh" != "zero");
    digit errors compare the digits they stand for ("oh" == "zero")."""
    d_err = d_ref = w_err = w_ref = n = wrong = 0
    for ref, hyp in zip(ref_texts, hyp_texts, strict=True):
        ref_digits, hyp_digits = normalize_digits(ref), normalize_digits(hyp)
        ref_words, hyp_words = ref.lower().split(), hyp.lower().split()
        e = edit_distance(ref_digits, hyp_digits)
        d_err += e
        d_ref += len(ref_digits)
        w_err += edit_distance(ref_words, hyp_words)
        w_ref += len(ref_words)
        n += 1
        wrong += e > 0
    return ErrorRates(d_err, d_ref, w_err, w_ref, n, wrong)


def score_by(keys: Iterable[str], ref_texts: Iterable[str], hyp_texts: Iterable[str]) -> dict[str, ErrorRates]:
    """Error rates per group (e.g. per voice of a mixed eval set), groups in sorted order."""
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for key, ref, hyp in zip(keys, ref_texts, hyp_texts, strict=True):
        refs, hyps = groups.setdefault(key, ([], []))
        refs.append(ref)
        hyps.append(hyp)
    return {k: score(*groups[k]) for k in sorted(groups)}
