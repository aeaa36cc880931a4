"""The digit-string vocabulary: 11 spoken words, 10 digits, and the mapping between them.

"oh" and "zero" are two spoken words for one digit, so transcripts keep the word actually said
(a word-level model can learn both) while digit strings, the unit users care about, merge them.
"""
from __future__ import annotations

# Index order is part of the data contract: bundles store word ids, not strings.
WORDS: tuple[str, ...] = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "oh")
WORD_TO_ID: dict[str, int] = {w: i for i, w in enumerate(WORDS)}
OH_ID = WORD_TO_ID["oh"]

WORD_TO_DIGIT: dict[str, str] = {w: str(i) for i, w in enumerate(WORDS[:10])} | {"oh": "0"}
DIGIT_TO_WORD: dict[str, str] = {str(i): w for i, w in enumerate(WORDS[:10])}


def word_id_to_digit(word_id: int) -> str:
    return WORD_TO_DIGIT[WORDS[word_id]]


def words_to_digits(words: str | list[str]) -> str:
    """"four oh seven" -> "407". Raises KeyError naming the first word outside the vocabulary."""
    tokens = words.split() if isinstance(words, str) else words
    out = []
    for token in tokens:
        if token not in WORD_TO_DIGIT:
            raise KeyError(f"word {token!r} is not one of {WORDS}")
        out.append(WORD_TO_DIGIT[token])
    return "".join(out)


def digits_to_words(digits: str, oh_for_zero: bool = False) -> str:
    """"407" -> "four zero seven" (or "four oh seven"). Non-digit characters are ignored."""
    return " ".join("oh" if (d == "0" and oh_for_zero) else DIGIT_TO_WORD[d] for d in digits if d.isdigit())
