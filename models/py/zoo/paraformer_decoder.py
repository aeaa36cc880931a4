"""Non-autoregressive SAN-M decoder of the zoo Paraformer.

Each of the `decoder_blocks` blocks runs FFN -> FSMN memory over the token axis (with a
residual) -> cross-attention to the encoder output (with a residual); a last block is a
bare FFN without residual, then LayerNorm and the vocabulary projection, as in FunASR's
ParaformerSANMDecoder. All token positions are decoded at once from the CIF embeddings.

The streaming contract (section 3.2.1) runs the same blocks with the FSMN left context
taken from per-block caches [B, D, kernel-1] instead of zero padding.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch
from torch import nn

from .paraformer_attention import CrossAttention, DecoderFeedForward, FsmnMemory, float_mask
from .paraformer_config import ParaformerConfig


class DecoderLayer(nn.Module):
    def __init__(self, cfg: ParaformerConfig) -> None:
        super().__init__()
        d, eps = cfg.d_model, cfg.layer_norm_eps
        self.norm1 = nn.LayerNorm(d, eps=eps)
        self.ffn = DecoderFeedForward(d, cfg.decoder_ffn, cfg.dropout, eps)
        self.norm2 = nn.LayerNorm(d, eps=eps)
        self.fsmn = FsmnMemory(d, cfg.decoder_kernel, cfg.decoder_sanm_shift)
        self.norm3 = nn.LayerNorm(d, eps=eps)
        self.cross = CrossAttention(d, d, cfg.attention_heads, cfg.dropout)
        self.dropout = nn.Dropout(cfg.dropout)

    def _cross(self, x: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor) -> torch.Tensor:
        return x + self.dropout(self.cross(self.norm3(x), memory, memory_mask))

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor
    ) -> torch.Tensor:
        t = self.norm2(self.ffn(self.norm1(x)))
        x = x + self.dropout(self.fsmn(t, float_mask(mask, x)))
        return self._cross(x, memory, memory_mask)

    def forward_cached(
        self,
        x: torch.Tensor,
        mask: torch.Tensor,
        memory: torch.Tensor,
        memory_mask: torch.Tensor,
        cache: torch.Tensor,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        t = self.norm2(self.ffn(self.norm1(x)))
        y, cache = self.fsmn.forward_cached(t, float_mask(mask, x), cache)
        return self._cross(x + y, memory, memory_mask), cache


class SanmDecoder(nn.Module):
    def __init__(self, cfg: ParaformerConfig) -> None:
        super().__init__()
        d = cfg.d_model
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.decoder_blocks))
        self.last_norm = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.last_ffn = DecoderFeedForward(d, cfg.decoder_ffn, cfg.dropout, cfg.layer_norm_eps)
        self.after_norm = nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.output = nn.Linear(d, cfg.vocab_size)
        # Only the glancing sampler uses token embeddings (training); export ignores them.
        self.embed = nn.Embedding(cfg.vocab_size, d)

    def _head(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.after_norm(self.last_ffn(self.last_norm(x))))

    def forward(
        self, embeds: torch.Tensor, mask: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor
    ) -> torch.Tensor:
        """embeds [B,N,D], mask bool [B,N], memory [B,T,D], memory_mask bool [B,T] -> logits [B,N,V]."""
        x = embeds
        for layer in self.layers:
            x = layer(x, mask, memory, memory_mask)
        return self._head(x)

    def forward_cached(
        self,
        embeds: torch.Tensor,
        mask: torch.Tensor,
        memory: torch.Tensor,
        memory_mask: torch.Tensor,
        caches: Sequence[torch.Tensor],
    ) -> Tuple[torch.Tensor, List[torch.Tensor]]:
        x = embeds
        new_caches: List[torch.Tensor] = []
        for layer, cache in zip(self.layers, caches):
            x, cache = layer.forward_cached(x, mask, memory, memory_mask, cache)
            new_caches.append(cache)
        return self._head(x), new_caches
