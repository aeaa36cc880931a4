"""The shipped offline Paraformer for digit strings: its token table and architecture.

Tokens (FunASR / sherpa layout): `<blank>` 0, `<s>` 1, `</s>` 2, the 11 words as plain
tokens (zero..nine, oh: whole words, no `@@` pieces), `<unk>` 14. Architecture: the zoo's
SAN-M encoder -> CIF -> NAR SAN-M decoder, d_model 128, 6 encoder blocks, 2 decoder blocks,
sized like the streaming model for a one-hour CPU run.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch

from zoo.paraformer_config import ParaformerConfig
from zoo.paraformer_model import Paraformer
from zoo.paraformer_tokens import token_table

from .vocab import WORD_TO_ID, WORDS

TOKENS: List[str] = token_table(WORDS)
FIRST_WORD_ID = 3  # after <blank>, <s>, </s>

CONFIG = ParaformerConfig(
    vocab_size=len(TOKENS),
    d_model=128,
    attention_heads=4,
    encoder_blocks=6,
    encoder_ffn=512,
    encoder_kernel=11,
    decoder_blocks=2,
    decoder_ffn=512,
    decoder_kernel=11,
    dropout=0.1,
)


def words_to_ids(words: str | Sequence[str]) -> List[int]:
    tokens = words.split() if isinstance(words, str) else words
    return [FIRST_WORD_ID + WORD_TO_ID[w] for w in tokens]


def ids_to_words(ids: Sequence[int]) -> str:
    return " ".join(TOKENS[i] for i in ids if FIRST_WORD_ID <= i < FIRST_WORD_ID + len(WORDS))


def load_trained(path: str) -> Tuple[Paraformer, dict]:
    state = torch.load(path, map_location="cpu")
    model = Paraformer(ParaformerConfig(**state["config"]))
    model.load_state_dict(state["model"])
    return model.eval(), state
