"""One FastConformer block: FF/2, relative-position self-attention, causal
depthwise-conv module, FF/2, final LayerNorm (macaron layout, pre-norm residuals).

The same code runs the full sequence (no caches) and one streaming chunk (with the
two per-layer caches of the NeMo export contract):
- attention cache: the last `cache_size` rows of the layer-normed attention input;
  keys/values are [cache, chunk] and the next cache is the last `cache_size` rows;
- time cache: the last kernel-1 columns of the depthwise conv's input (after the
  pointwise conv + GLU); it replaces the causal left zero-padding.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .fastconformer_attention import RelPositionSelfAttention


class FeedForward(nn.Module):
    def __init__(self, d_model: int, expansion: int, dropout: float) -> None:
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_model * expansion)
        self.linear2 = nn.Linear(d_model * expansion, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(F.silu(self.linear1(x))))


class CausalConvModule(nn.Module):
    """Pointwise conv to 2D + GLU, causal depthwise conv, LayerNorm, Swish, pointwise conv."""

    def __init__(self, d_model: int, kernel: int) -> None:
        super().__init__()
        self.context = kernel - 1
        self.pointwise1 = nn.Conv1d(d_model, 2 * d_model, 1)
        self.depthwise = nn.Conv1d(d_model, d_model, kernel, groups=d_model)
        self.norm = nn.LayerNorm(d_model)
        self.pointwise2 = nn.Conv1d(d_model, d_model, 1)

    def forward(
        self, x: torch.Tensor, pad: torch.Tensor, cache: Optional[torch.Tensor]
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """x [B, T, D], pad [B, T] (True = padding), cache [B, D, kernel-1] or None."""
        y = F.glu(self.pointwise1(x.transpose(1, 2)), dim=1)
        # Zero padded frames so they cannot leak into valid ones through the kernel.
        y = y.masked_fill(pad.unsqueeze(1), 0.0)
        if cache is None:
            y = F.pad(y, (self.context, 0))
            next_cache = None
        else:
            y = torch.cat([cache, y], dim=2)
            next_cache = y[:, :, -self.context :]
        y = self.depthwise(y)
        y = F.silu(self.norm(y.transpose(1, 2)).transpose(1, 2))
        return self.pointwise2(y).transpose(1, 2), next_cache


class ConformerLayer(nn.Module):
    def __init__(
        self, d_model: int, n_heads: int, conv_kernel: int, ff_expansion: int, dropout: float
    ) -> None:
        super().__init__()
        self.norm_ff1 = nn.LayerNorm(d_model)
        self.ff1 = FeedForward(d_model, ff_expansion, dropout)
        self.norm_att = nn.LayerNorm(d_model)
        self.att = RelPositionSelfAttention(d_model, n_heads, dropout)
        self.norm_conv = nn.LayerNorm(d_model)
        self.conv = CausalConvModule(d_model, conv_kernel)
        self.norm_ff2 = nn.LayerNorm(d_model)
        self.ff2 = FeedForward(d_model, ff_expansion, dropout)
        self.norm_out = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        x: torch.Tensor,
        att_mask: torch.Tensor,
        pad: torch.Tensor,
        att_cache: Optional[torch.Tensor] = None,
        conv_cache: Optional[torch.Tensor] = None,
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor], Optional[torch.Tensor]]:
        """x [B, T, D]; att_cache [B, C, D]; conv_cache [B, D, kernel-1]. Returns (y, next caches).

        The next attention cache keeps as many rows as came in (C): the graph never
        needs to know C as a number, it is read from the cache's shape.
        """
        x = x + 0.5 * self.dropout(self.ff1(self.norm_ff1(x)))

        query = self.norm_att(x)
        if att_cache is None:
            keys, next_att = query, None
        else:
            keys = torch.cat([att_cache, query], dim=1)
            next_att = keys[:, -att_cache.shape[1] :]
        x = x + self.dropout(self.att(query, keys, att_mask))

        conv, next_conv = self.conv(self.norm_conv(x), pad, conv_cache)
        x = x + self.dropout(conv)
        x = x + 0.5 * self.dropout(self.ff2(self.norm_ff2(x)))
        return self.norm_out(x), next_att, next_conv
