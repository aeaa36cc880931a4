"""FastConformer ASR models: one encoder with a CTC head, an RNN-T head, or both
(NeMo's hybrid), and the training losses. Multi-lookahead training picks R per batch
(`random_lookahead`) and passes it to `encode`."""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import torch
from torch import nn

from .fastconformer import FastConformerConfig, FastConformerEncoder
from .fastconformer_ctc import CTCHead, ctc_loss
from .rnnt import RNNTJoiner, RNNTPredictor, rnnt_loss

HEADS = ("ctc", "rnnt", "hybrid")


@dataclass(frozen=True)
class HeadConfig:
    vocab_size: int  # pieces without blank; blank = vocab_size
    pred_hidden: int = 64
    pred_rnn_layers: int = 1
    joint_hidden: int = 64


class FastConformerASR(nn.Module):
    def __init__(self, encoder: FastConformerConfig, heads: HeadConfig, kind: str) -> None:
        super().__init__()
        if kind not in HEADS:
            raise ValueError(f"kind must be one of {HEADS}, got {kind!r}")
        self.kind = kind
        self.head_config = heads
        self.blank = heads.vocab_size
        self.encoder = FastConformerEncoder(encoder)
        self.ctc: Optional[CTCHead] = None
        self.predictor: Optional[RNNTPredictor] = None
        self.joiner: Optional[RNNTJoiner] = None
        if kind in ("ctc", "hybrid"):
            self.ctc = CTCHead(encoder.d_model, heads.vocab_size)
        if kind in ("rnnt", "hybrid"):
            self.predictor = RNNTPredictor(heads.vocab_size, heads.pred_hidden, heads.pred_rnn_layers)
            self.joiner = RNNTJoiner(encoder.d_model, heads.pred_hidden, heads.joint_hidden, heads.vocab_size)

    def random_lookahead(self, rng: random.Random) -> int:
        return rng.choice(self.encoder.config.lookaheads)

    def encode(
        self, features: torch.Tensor, lengths: torch.Tensor, lookahead: Optional[int], drop_frames: int = 0
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(features, lengths, lookahead, drop_frames)

    def losses(
        self,
        encoded: torch.Tensor,
        encoded_lengths: torch.Tensor,
        targets: torch.Tensor,
        target_lengths: torch.Tensor,
    ) -> Dict[str, torch.Tensor]:
        """encoded [B, D, T] from `encode`; returns {'ctc': ..., 'rnnt': ...} for the heads present."""
        out: Dict[str, torch.Tensor] = {}
        if self.ctc is not None:
            out["ctc"] = ctc_loss(self.ctc(encoded), encoded_lengths, targets, target_lengths, self.blank)
        if self.predictor is not None and self.joiner is not None:
            predicted = self.predictor.forward_training(targets)
            logits = self.joiner(encoded.transpose(1, 2), predicted)
            out["rnnt"] = rnnt_loss(logits, encoded_lengths, targets, target_lengths, self.blank)
        return out
