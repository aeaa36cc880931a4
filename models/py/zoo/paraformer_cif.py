"""CIF (continuous integrate-and-fire) predictor of the zoo Paraformer.

Weights: Conv1d(D->D, k = l_order + r_order + 1, full) -> ReLU -> Linear(D->1) -> sigmoid,
then relu(alpha * smooth_factor - noise_threshold), masked by length (FunASR's
CifPredictorV2). Inference appends one zero frame whose alpha is tail_threshold at the
position right after each utterance's last valid frame, so a last token that integrated
more than 1 - tail_threshold still fires; token_num = floor(sum alpha).

Integrate-and-fire is written as a dense overlap matrix instead of FunASR's scatter-based
`cif_v1_export`: with prefix sums c_t (float64, as FunASR computes them) and c_{t-1}, the
weight of frame t in token k is the length of [c_{t-1}, c_t] ∩ [k, k+1). That is the same
fire rule (a token fires when the running sum reaches the next integer, the crossing
frame's weight is split between the two tokens), needs only CumSum/Min/Max/MatMul, and
has no data-dependent indexing, so one graph serves every batch and length.

BiCif-style timestamps (`upsampled_timestamps`): FunASR's timestamp Paraformer returns
`us_alphas` and `us_cif_peak` at 3x the LFR rate (20 ms per index), and sherpa-onnx reads
a fire wherever us_cif_peak > 1 - 1e-4. FunASR learns a separate upsampling head (a
transposed conv and a BLSTM); the zoo derives the upsampled weights from the predictor's
own alphas instead (each LFR frame's weight split evenly over 3 slots), so the peaks sit
where this model's CIF fires and no extra weights are needed. The rest follows FunASR's
`get_upsample_timestmap`: rescale to sum to token_num, then integrate-and-fire without
hidden states at threshold 1 - 1e-4 (dense form again, float64 prefix sums).
"""
from __future__ import annotations

from typing import Tuple

import torch
from torch import nn

from .paraformer_attention import padded_conv
from .paraformer_config import ParaformerConfig


class CifPredictor(nn.Module):
    def __init__(self, cfg: ParaformerConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.l_order = cfg.cif_l_order
        self.r_order = cfg.cif_r_order
        self.conv = nn.Conv1d(d, d, cfg.cif_l_order + cfg.cif_r_order + 1)
        self.output = nn.Linear(d, 1)
        self.dropout = nn.Dropout(cfg.dropout)
        self.smooth_factor = cfg.cif_smooth_factor
        self.noise_threshold = cfg.cif_noise_threshold
        self.tail_threshold = cfg.cif_tail_threshold
        self.threshold = cfg.cif_threshold

    def alphas(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """hidden [B,T,D] (already zero past each length), mask bool [B,T] -> alphas [B,T]."""
        h = padded_conv(self.conv, hidden.transpose(1, 2), self.l_order, self.r_order)
        h = self.dropout(torch.relu(h)).transpose(1, 2)
        a = torch.sigmoid(self.output(h)).squeeze(-1)
        a = torch.relu(a * self.smooth_factor - self.noise_threshold)
        return a * mask.to(a.dtype)

    def add_tail(
        self, hidden: torch.Tensor, alphas: torch.Tensor, mask: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Appends a zero frame and puts tail_threshold right after each last valid frame."""
        m = mask.to(alphas.dtype)
        # new_zeros, not zeros_like(x[:, :1]): the latter is empty when T = 0.
        zero = alphas.new_zeros((alphas.shape[0], 1))
        # 1 at index len (the first padded frame, or the appended one), 0 elsewhere.
        tail_at = torch.cat([torch.ones_like(zero), m], dim=1) - torch.cat([m, zero], dim=1)
        alphas = torch.cat([alphas, zero], dim=1) + tail_at * self.tail_threshold
        hidden = torch.cat([hidden, hidden.new_zeros((hidden.shape[0], 1, hidden.shape[2]))], dim=1)
        return hidden, alphas

    def forward_infer(
        self, hidden: torch.Tensor, mask: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """-> (acoustic embeddings [B, max token_num, D], token_num int32 [B], alphas [B,T])."""
        alphas = self.alphas(hidden, mask)
        hidden_t, alphas_t = self.add_tail(hidden, alphas, mask)
        prefix = torch.cumsum(alphas_t.to(torch.float64), dim=1)
        token_num = torch.floor(prefix[:, -1] / self.threshold)
        embeds = integrate_and_fire(hidden_t, prefix, token_num, token_num.max(), self.threshold)
        return embeds, token_num.to(torch.int32), alphas

    def upsampled_timestamps(
        self, alphas: torch.Tensor, token_num: torch.Tensor, upsample: int = 3
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """alphas [B,T] (masked, no tail), token_num [B] -> (us_alphas, us_cif_peak), both
        float32 [B, upsample*T]. us_cif_peak[k] is FunASR's integrator value just after
        slot k (before the fire subtracts the threshold): >= 1 - 1e-4 exactly where a token
        fires, so there are token_num fires."""
        b, t = alphas.shape[0], alphas.shape[1]
        us = (alphas[:, :, None] / upsample).expand(b, t, upsample).reshape(b, t * upsample)
        total = us.sum(dim=1, keepdim=True).clamp_min(1e-6)  # silence: token_num is 0 anyway
        us = us * (token_num.to(us.dtype)[:, None] / total)
        theta = self.threshold - 1e-4
        prefix = torch.cumsum(us.to(torch.float64), dim=1)
        previous = torch.cat([torch.zeros_like(prefix[:, :1]), prefix[:, :-1]], dim=1)
        # Each slot's weight is < theta, so at most one fire per slot and the number of
        # fires before slot k is floor(prefix[k-1] / theta).
        peak = prefix - theta * torch.floor(previous / theta)
        return us, peak.to(torch.float32)

    def forward_train(
        self, hidden: torch.Tensor, mask: torch.Tensor, target_lengths: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced CIF: alphas rescaled so each utterance integrates to exactly its
        target length (FunASR's training rule). -> (embeds [B, max target, D], predicted
        token count sum(alpha) [B] before rescaling, for the quantity loss)."""
        alphas = self.alphas(hidden, mask)
        predicted = alphas.sum(dim=1)
        target = target_lengths.to(alphas.dtype)
        scaled = alphas * (target / predicted.clamp_min(1e-6))[:, None]
        prefix = torch.cumsum(scaled.to(torch.float64), dim=1)
        # Rounding of the float64 sum can leave the last token a hair short of 1; the target
        # length, not floor(sum), decides how many tokens exist.
        n = target_lengths.to(torch.float64)
        embeds = integrate_and_fire(hidden, prefix, n, n.max(), self.threshold)
        return embeds, predicted


def integrate_and_fire(
    hidden: torch.Tensor,
    prefix: torch.Tensor,
    token_num: torch.Tensor,
    max_tokens: torch.Tensor,
    threshold: float = 1.0,
) -> torch.Tensor:
    """hidden [B,T,D], prefix = cumsum(alphas) float64 [B,T], token_num float64 [B],
    max_tokens 0-d -> embeddings [B, max_tokens, D]; token k of utterance b is zero for
    k >= token_num[b]."""
    prefix = prefix / threshold
    previous = torch.cat([torch.zeros_like(prefix[:, :1]), prefix[:, :-1]], dim=1)
    k = torch.arange(max_tokens.to(torch.int64), device=hidden.device).to(prefix.dtype)
    lo = k[None, :, None]  # [1, N, 1]
    upper = torch.minimum(prefix[:, None, :], lo + 1.0)
    lower = torch.maximum(previous[:, None, :], lo)
    weights = torch.relu((upper - lower).to(hidden.dtype)) * threshold  # [B, N, T]
    keep = (lo[:, :, 0] < token_num[:, None]).to(hidden.dtype)  # [B, N]
    return torch.matmul(weights * keep[:, :, None], hidden)


def quantity_loss(predicted: torch.Tensor, target_lengths: torch.Tensor) -> torch.Tensor:
    """FunASR's MAE loss: mean over the batch of |sum(alpha) - target length|."""
    return (predicted - target_lengths.to(predicted.dtype)).abs().mean()
