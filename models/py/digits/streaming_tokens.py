"""The streaming model's token table, in NeMo's SentencePiece convention: id 0 `<unk>`,
then one word piece per spoken word with the `▁` word-start mark, blank appended last by
the exporter (`<blk>` 12). The runtime and sherpa both render `▁four ▁oh ▁seven` as
"four oh seven", so a word-level vocabulary needs no tokenizer model.

Word order follows vocab.WORDS (zero..nine, oh): piece id = word id + 1.
"""
from __future__ import annotations

from typing import List, Sequence

from .vocab import WORD_TO_ID, WORDS

WORD_MARK = "\u2581"
UNK = "<unk>"
PIECES: tuple[str, ...] = (UNK,) + tuple(WORD_MARK + w for w in WORDS)
VOCAB_SIZE = len(PIECES)  # 12, without blank
BLANK_ID = VOCAB_SIZE  # the exporter appends <blk> as id 12


def words_to_ids(words: str | Sequence[str]) -> List[int]:
    tokens = words.split() if isinstance(words, str) else words
    return [WORD_TO_ID[w] + 1 for w in tokens]


def ids_to_words(ids: Sequence[int]) -> str:
    """Drops <unk> and blank; "▁four ▁oh" -> "four oh"."""
    return " ".join(PIECES[i][len(WORD_MARK):] for i in ids if 0 < i < VOCAB_SIZE)
