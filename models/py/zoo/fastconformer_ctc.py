"""CTC head of NeMo's `ConvASRDecoder`: a kernel-1 Conv1d from d_model to V+1 classes
(blank = V, last) on the channel-first encoder output, then log-softmax."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class CTCHead(nn.Module):
    def __init__(self, d_model: int, vocab_size: int) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.blank = vocab_size
        self.proj = nn.Conv1d(d_model, vocab_size + 1, 1)

    def forward(self, encoded: torch.Tensor) -> torch.Tensor:
        """encoded [B, D, T] -> log-probs [B, T, V+1]."""
        return F.log_softmax(self.proj(encoded), dim=1).transpose(1, 2)


def ctc_loss(
    log_probs: torch.Tensor,
    encoded_lengths: torch.Tensor,
    targets: torch.Tensor,
    target_lengths: torch.Tensor,
    blank: int,
) -> torch.Tensor:
    """Mean over the batch of per-utterance CTC losses divided by target length (NeMo's
    'mean_batch' style keeps long utterances from dominating). log_probs [B, T, V+1];
    targets [B, U] padded with anything, only the first target_lengths[b] count."""
    return F.ctc_loss(
        log_probs.transpose(0, 1),
        targets.long(),
        encoded_lengths.long(),
        target_lengths.long(),
        blank=blank,
        reduction="mean",
        zero_infinity=True,
    )
