"""Paraformer token tables: the fixed specials, a small English piece list for random-weight
fixtures, and the id -> text rule sherpa applies to Paraformer output (section 3.1.6).

Layout (FunASR / sherpa): 0 `<blank>`, 1 `<s>`, 2 `</s>`, then pieces, then `<unk>` last.
English pieces use the `@@` suffix for "the word continues" (`re@@ ad` -> "read").
"""
from __future__ import annotations

from typing import List, Sequence

SPECIALS = ["<blank>", "<s>", "</s>"]
UNK = "<unk>"

# Generic English words and pieces picked by hand; deliberately not derived from any
# transcript in ../shared/data.
FIXTURE_PIECES = [
    "the", "of", "and", "in", "it", "is", "that", "on", "he", "she",
    "was", "with", "as", "at", "be", "this", "have", "from", "or", "by",
    "re@@", "in@@", "ex@@", "un@@", "con@@", "pro@@", "st@@", "th@@", "a@@", "o@@",
    "ed", "ing", "er", "ly", "s", "tion",
]  # fmt: skip


def token_table(pieces: Sequence[str]) -> List[str]:
    """Specials + pieces + <unk>; validates what sherpa's SymbolTable and Convert need."""
    symbols = SPECIALS + list(pieces) + [UNK]
    if len(set(symbols)) != len(symbols):
        raise ValueError("duplicate token")
    for s in pieces:
        if not s or any(c.isspace() for c in s):
            raise ValueError(f"token {s!r} is empty or has whitespace")
        # sherpa treats any trailing "@@" as a continuation mark; a piece that is only
        # "@@" (or has other '@') would render as nothing or garble the text.
        if "@" in s.removesuffix("@@") or s == "@@":
            raise ValueError(f"token {s!r}: '@' is allowed only as a trailing '@@'")
    return symbols


def fixture_tokens() -> List[str]:
    return token_table(FIXTURE_PIECES)


def tokens_to_text(symbols: Sequence[str]) -> str:
    """sherpa's offline/online Paraformer `Convert` for ASCII tokens: a piece ending in @@
    starts or continues a word; a plain token ends the current word or stands alone; every
    new word gets a leading space (so English results start with a space)."""
    text: List[str] = []
    in_word = False
    for sym in symbols:
        if sym.endswith("@@") and len(sym) > 2:
            text.append(sym[:-2] if in_word else " " + sym[:-2])
            in_word = True
        else:
            text.append(sym if in_word else " " + sym)
            in_word = False
    return "".join(text)
