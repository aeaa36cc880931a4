"""SAN-M building blocks: length masks, the FSMN memory, SAN-M self-attention (encoder),
cross-attention (decoder) and the two feed-forward flavours.

Written from the SAN-M paper (arXiv 2006.01713) and the shapes FunASR's checkpoints use
(`funasr/models/sanm/attention.py`); every op is one the TorchScript exporter maps onto
opset 14 without control flow, and every mask is built from tensor lengths so the time
axis stays dynamic in the exported graph.
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

# Added to masked attention scores: exp() of it underflows to exactly 0 in float32, so
# padded keys get zero weight and a batch element does not see its neighbours' padding.
_MASKED_SCORE = -1e9


def length_mask(lengths: torch.Tensor, max_len: torch.Tensor | int) -> torch.Tensor:
    """[B] lengths -> bool [B, max_len], True on valid positions."""
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] < lengths.to(positions.dtype)[:, None]


def padded_conv(conv: nn.Conv1d, x: torch.Tensor, left: int, right: int) -> torch.Tensor:
    """conv over x [B, C, T] zero-padded by (left, right), with left + right = kernel - 1
    so the output has T frames. One extra zero frame is padded and its output dropped:
    that keeps the padded input at least `kernel` long, so T = 0 (no frames, or CIF firing
    no token) gives an empty output instead of an error, in PyTorch and in the graph."""
    return conv(F.pad(x, (left, right + 1)))[:, :, :-1]


class FsmnMemory(nn.Module):
    """Depthwise Conv1d over time (no bias) plus the input: the SAN-M memory block.

    `left` taps look at the past, kernel-1-left at the future; padded positions are
    zeroed before and after so they never leak into valid ones.
    """

    def __init__(self, d: int, kernel: int, sanm_shift: int) -> None:
        super().__init__()
        self.kernel = kernel
        self.left = (kernel - 1) // 2 + sanm_shift
        self.right = kernel - 1 - self.left
        if self.right < 0:
            raise ValueError(f"sanm_shift {sanm_shift} too large for kernel {kernel}")
        self.conv = nn.Conv1d(d, d, kernel, groups=d, bias=False)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x [B, T, D], mask float [B, T, 1]."""
        x = x * mask
        y = padded_conv(self.conv, x.transpose(1, 2), self.left, self.right)
        return (y.transpose(1, 2) + x) * mask

    def forward_cached(
        self, x: torch.Tensor, mask: torch.Tensor, cache: torch.Tensor
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Streaming form: the left context comes from `cache` [B, D, kernel-1] instead of
        zeros. Only valid for a causal memory (right == 0). Returns (y, new cache = last
        kernel-1 columns of [cache, x])."""
        x = x * mask
        window = torch.cat([cache, x.transpose(1, 2)], dim=2)
        new_cache = window[:, :, -(self.kernel - 1) :]
        y = self.conv(window)
        return (y.transpose(1, 2) + x) * mask, new_cache


def _split_heads(x: torch.Tensor, heads: int, d_head: int) -> torch.Tensor:
    # Explicit sizes, never -1: ONNX Reshape cannot infer -1 when T = 0 (no CIF tokens).
    return x.reshape(x.shape[0], x.shape[1], heads, d_head).transpose(1, 2)


def _attend(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_mask: torch.Tensor, heads: int, d: int
) -> torch.Tensor:
    """q [B,Tq,d], k/v [B,Tk,d], key_mask bool [B,Tk] -> [B,Tq,d]. d is a Python int so
    the 1/sqrt(d_head) scale is a constant in the graph."""
    d_head = d // heads
    scale = float(d_head) ** -0.5
    qh, kh, vh = (_split_heads(t, heads, d_head) for t in (q, k, v))
    scores = torch.matmul(qh * scale, kh.transpose(-2, -1))
    scores = scores.masked_fill(~key_mask[:, None, None, :], _MASKED_SCORE)
    ctx = torch.matmul(torch.softmax(scores, dim=-1), vh)
    return ctx.transpose(1, 2).reshape(q.shape[0], q.shape[1], d)


class SanmSelfAttention(nn.Module):
    """Multi-head self-attention whose values also feed an FSMN memory; output is
    attention + memory (FunASR's MultiHeadedAttentionSANM)."""

    def __init__(
        self, in_dim: int, d: int, heads: int, kernel: int, sanm_shift: int, dropout: float
    ) -> None:
        super().__init__()
        self.heads = heads
        self.d = d
        self.qkv = nn.Linear(in_dim, 3 * d)
        self.out = nn.Linear(d, d)
        self.fsmn = FsmnMemory(d, kernel, sanm_shift)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x [B,T,in_dim], mask bool [B,T]."""
        q, k, v = torch.split(self.qkv(x), self.d, dim=-1)
        memory = self.fsmn(v, mask[:, :, None].to(x.dtype))
        ctx = _attend(q, k, v, mask, self.heads, self.d)
        return self.out(self.dropout(ctx)) + self.dropout(memory)


class CrossAttention(nn.Module):
    """Decoder queries attend over the encoder output (FunASR's MultiHeadedAttentionCrossAtt)."""

    def __init__(self, d: int, memory_dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.d = d
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(memory_dim, 2 * d)
        self.out = nn.Linear(d, d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor) -> torch.Tensor:
        k, v = torch.split(self.kv(memory), self.d, dim=-1)
        return self.out(self.dropout(_attend(self.q(x), k, v, memory_mask, self.heads, self.d)))


class FeedForward(nn.Module):
    """Encoder FFN: Linear -> ReLU -> Linear."""

    def __init__(self, d: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.w1 = nn.Linear(d, hidden)
        self.w2 = nn.Linear(hidden, d)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(self.dropout(torch.relu(self.w1(x))))


class DecoderFeedForward(nn.Module):
    """Decoder FFN as in SAN-M decoders: Linear -> ReLU -> LayerNorm -> Linear (no bias)."""

    def __init__(self, d: int, hidden: int, dropout: float, eps: float) -> None:
        super().__init__()
        self.w1 = nn.Linear(d, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.w2 = nn.Linear(hidden, d, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(self.norm(self.dropout(torch.relu(self.w1(x)))))


def float_mask(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """bool [B,T] -> [B,T,1] in like's dtype, for multiplying activations."""
    return mask[:, :, None].to(like.dtype)


__all__ = [
    "CrossAttention",
    "DecoderFeedForward",
    "FeedForward",
    "FsmnMemory",
    "SanmSelfAttention",
    "float_mask",
    "length_mask",
]
