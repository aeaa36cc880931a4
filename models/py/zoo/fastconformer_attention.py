"""Relative-position multi-head self-attention (Transformer-XL style, as in NeMo's
`RelPositionMultiHeadAttention`), usable with a key/value cache.

Queries are the last Tq of the Tk key positions (Tq == Tk without cache; with a cache
the keys are [cache rows, chunk rows]). Score = (q + u)·k + (q + v)·p(i - j), with
p() a sinusoidal embedding of the signed distance between query and key, projected
without bias. Distances are computed from tensor shapes so that a traced graph keeps
both time axes dynamic.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

# NeMo masks with -10000 and zeroes masked probabilities after the softmax; a
# fully masked row then yields a zero vector instead of NaN.
MASK_VALUE = -10000.0


def relative_position_embedding(tk: int, tq: int, d_model: int, like: torch.Tensor) -> torch.Tensor:
    """Sinusoids for the distances Tk-1, Tk-2, ..., -(Tq-1): [Tk + Tq - 1, d_model].

    Row r encodes distance Tk-1-r; the query at index i (absolute key index Tk-Tq+i)
    and key j are Tk-Tq+i-j apart, i.e. row Tq-1-i+j (see `_rel_shift`).
    Built with arange over a shape-derived count, so no fixed-size table is stored.
    """
    count = tk + tq - 1
    dist = (tk - 1) - torch.arange(count, device=like.device).to(like.dtype)
    inv_freq = torch.exp(
        torch.arange(0, d_model, 2, device=like.device).to(like.dtype) * (-math.log(10000.0) / d_model)
    )
    angle = dist.unsqueeze(1) * inv_freq.unsqueeze(0)
    # Interleave sin (even dims) and cos (odd dims) like the classic table.
    return torch.stack([torch.sin(angle), torch.cos(angle)], dim=2).reshape(count, d_model)


def _rel_shift(scores: torch.Tensor) -> torch.Tensor:
    """[B, H, Tq, P] indexed by embedding row -> [B, H, Tq, P] where column j holds row Tq-1-i+j.

    The pad/reshape trick of Transformer-XL: prepend one zero column, view the flat
    buffer with rows of length Tq, drop the first row, view back. Only columns
    j < Tk are meaningful and the caller keeps those.
    """
    b, h, tq, p = scores.shape
    shifted = F.pad(scores, (1, 0)).reshape(b, h, p + 1, tq)
    return shifted[:, :, 1:].reshape(b, h, tq, p)


class RelPositionSelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model {d_model} is not divisible by n_heads {n_heads}")
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.linear_q = nn.Linear(d_model, d_model)
        self.linear_k = nn.Linear(d_model, d_model)
        self.linear_v = nn.Linear(d_model, d_model)
        self.linear_out = nn.Linear(d_model, d_model)
        self.linear_pos = nn.Linear(d_model, d_model, bias=False)
        self.pos_bias_u = nn.Parameter(torch.zeros(n_heads, self.d_head))
        self.pos_bias_v = nn.Parameter(torch.zeros(n_heads, self.d_head))
        self.dropout = nn.Dropout(dropout)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """query [B, Tq, D]; keys [B, Tk, D] (values are the same rows); mask [B, Tq or 1, Tk], True = hidden."""
        b, tq, d = query.shape
        tk = keys.shape[1]
        h, dh = self.n_heads, self.d_head
        q = self.linear_q(query).reshape(b, tq, h, dh)
        k = self.linear_k(keys).reshape(b, tk, h, dh).transpose(1, 2)
        v = self.linear_v(keys).reshape(b, tk, h, dh).transpose(1, 2)
        pos = relative_position_embedding(tk, tq, d, query)
        p = self.linear_pos(pos).reshape(-1, h, dh).transpose(0, 1)  # [H, P, dh]

        content = torch.matmul((q + self.pos_bias_u).transpose(1, 2), k.transpose(2, 3))
        position = _rel_shift(torch.matmul((q + self.pos_bias_v).transpose(1, 2), p.transpose(1, 2)))
        scores = (content + position[:, :, :, :tk]) / math.sqrt(dh)

        hidden = mask.unsqueeze(1)  # broadcast over heads
        probs = torch.softmax(scores.masked_fill(hidden, MASK_VALUE), dim=-1).masked_fill(hidden, 0.0)
        out = torch.matmul(self.dropout(probs), v).transpose(1, 2).reshape(b, tq, d)
        return self.linear_out(out)
