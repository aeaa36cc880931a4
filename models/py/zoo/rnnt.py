"""RNN-T prediction network and joiner in NeMo's shapes (`RNNTDecoder`, `RNNTJoint`),
plus the RNN-T loss. Blank is the last id V.

Prediction network: Embedding(V+1, H) whose blank row is the padding index (a zero
vector, so "start of sequence" and "after blank" both feed zeros), then an LSTM.
Joiner: Linear(enc) + Linear(dec), broadcast add, ReLU, Linear to V+1 raw logits.
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F
import torchaudio
from torch import nn


class RNNTPredictor(nn.Module):
    def __init__(self, vocab_size: int, hidden: int, layers: int = 1, dropout: float = 0.0) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.blank = vocab_size
        self.hidden = hidden
        self.layers = layers
        self.embed = nn.Embedding(vocab_size + 1, hidden, padding_idx=vocab_size)
        self.lstm = nn.LSTM(hidden, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)

    def initial_state(self, batch: int) -> Tuple[torch.Tensor, torch.Tensor]:
        zeros = torch.zeros(self.layers, batch, self.hidden)
        return zeros, zeros.clone()

    def forward(
        self, tokens: torch.Tensor, h: torch.Tensor, c: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """tokens [B, U] -> (out [B, U, H], h', c'). Consumes exactly the given tokens
        (NeMo's export mode: no implicit start symbol)."""
        out, (h_next, c_next) = self.lstm(self.embed(tokens.long()), (h, c))
        return out, h_next, c_next

    def forward_training(self, targets: torch.Tensor) -> torch.Tensor:
        """targets [B, U] -> [B, U+1, H]: blank (zero embedding) prepended as the start symbol."""
        start = torch.full((targets.shape[0], 1), self.blank, dtype=torch.long, device=targets.device)
        h, c = self.initial_state(targets.shape[0])
        out, _, _ = self.forward(torch.cat([start, targets.long()], dim=1), h.to(targets.device), c.to(targets.device))
        return out


class RNNTJoiner(nn.Module):
    def __init__(self, enc_dim: int, pred_dim: int, joint_dim: int, vocab_size: int) -> None:
        super().__init__()
        self.enc_proj = nn.Linear(enc_dim, joint_dim)
        self.pred_proj = nn.Linear(pred_dim, joint_dim)
        self.out = nn.Linear(joint_dim, vocab_size + 1)

    def forward(self, encoded: torch.Tensor, predicted: torch.Tensor) -> torch.Tensor:
        """encoded [B, T, D], predicted [B, U, H] -> raw logits [B, T, U, V+1]."""
        joint = self.enc_proj(encoded).unsqueeze(2) + self.pred_proj(predicted).unsqueeze(1)
        return self.out(F.relu(joint))


def rnnt_loss(
    logits: torch.Tensor,
    encoded_lengths: torch.Tensor,
    targets: torch.Tensor,
    target_lengths: torch.Tensor,
    blank: int,
) -> torch.Tensor:
    """logits [B, T, U+1, V+1] from the joiner over the blank-prefixed prediction output;
    mean over the batch. torchaudio wants int32 targets and lengths."""
    return torchaudio.functional.rnnt_loss(
        logits,
        targets.int(),
        encoded_lengths.int(),
        target_lengths.int(),
        blank=blank,
        reduction="mean",
    )
