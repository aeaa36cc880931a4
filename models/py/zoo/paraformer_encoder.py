"""SAN-M encoder of the zoo Paraformer.

Offline graphs scale the LFR+CMVN input by sqrt(d_model) and add a sinusoidal position
encoding inside the model; the streaming Paraformer contract moves both to the runtime
(sherpa folds sqrt(d_model) into inv_stddev and adds the encoding with absolute chunk
positions), so `forward(..., embed=False)` skips them (section 3.2.1).
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .paraformer_attention import FeedForward, SanmSelfAttention, float_mask, length_mask
from .paraformer_config import ParaformerConfig


def sinusoidal_inv_timescales(dim: int) -> torch.Tensor:
    """exp(-i * ln(10000) / (dim/2 - 1)), i < dim/2: the FunASR / sherpa constant
    (-0.0330119726... for dim 560)."""
    half = dim // 2
    step = math.log(10000.0) / (half - 1)
    return torch.exp(torch.arange(half, dtype=torch.float64) * -step).to(torch.float32)


def sinusoidal_encoding(positions: torch.Tensor, inv_timescales: torch.Tensor) -> torch.Tensor:
    """positions [T] (1-based, float) -> [T, dim]: sin on the first half, cos on the second."""
    angles = positions[:, None] * inv_timescales[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


class EncoderLayer(nn.Module):
    """Pre-norm SAN-M block; the residual around attention exists only when the width
    does not change (the first block maps feat_dim -> d_model without one)."""

    def __init__(self, in_dim: int, cfg: ParaformerConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.residual = in_dim == d
        self.norm1 = nn.LayerNorm(in_dim, eps=cfg.layer_norm_eps)
        self.attn = SanmSelfAttention(
            in_dim, d, cfg.attention_heads, cfg.encoder_kernel, cfg.encoder_sanm_shift, cfg.dropout
        )
        self.norm2 = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.ffn = FeedForward(d, cfg.encoder_ffn, cfg.dropout)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        y = self.dropout(self.attn(self.norm1(x), mask))
        x = x + y if self.residual else y
        return x + self.dropout(self.ffn(self.norm2(x)))


class SanmEncoder(nn.Module):
    def __init__(self, cfg: ParaformerConfig) -> None:
        super().__init__()
        self.scale = float(cfg.d_model) ** 0.5
        self.register_buffer("inv_timescales", sinusoidal_inv_timescales(cfg.feat_dim), persistent=False)
        dims = [cfg.feat_dim] + [cfg.d_model] * (cfg.encoder_blocks - 1)
        self.layers = nn.ModuleList(EncoderLayer(d, cfg) for d in dims)
        self.after_norm = nn.LayerNorm(cfg.d_model, eps=cfg.layer_norm_eps)

    def embed(self, speech: torch.Tensor) -> torch.Tensor:
        """x * sqrt(d_model) + PE(positions 1..T)."""
        positions = torch.arange(1, speech.shape[1] + 1, device=speech.device).to(speech.dtype)
        return speech * self.scale + sinusoidal_encoding(positions, self.inv_timescales)[None]

    def forward(
        self, speech: torch.Tensor, lengths: torch.Tensor, embed: bool = True
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """speech [B,T,feat_dim], lengths [B] -> (enc [B,T,D] zeroed past each length, mask bool [B,T])."""
        mask = length_mask(lengths, speech.shape[1])
        x = self.embed(speech) if embed else speech
        for layer in self.layers:
            x = layer(x, mask)
        # Zero the padding so everything downstream (CIF conv, tail frame) is batch-invariant.
        return self.after_norm(x) * float_mask(mask, x), mask
