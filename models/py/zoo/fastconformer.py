"""Cache-aware streaming FastConformer encoder (Noroozi et al., "Stateful Conformer
with Cache-based Inference for Streaming ASR"; NeMo's `ConformerEncoder` with
`dw_striding` causal subsampling, `chunked_limited` attention and causal convs).

Two forwards over one set of weights:
- `forward`: the whole (padded) sequence, chunked-limited mask for a lookahead R
  (None = unlimited context), for training and offline export. Multi-lookahead
  training samples R per batch from `config.lookaheads`.
- `forward_streaming`: one window of features with the caches of the NeMo export
  contract (`forward_for_export` semantics, section 2.1.4 of
  ../shared/reference/asr-model-contracts.md). It has no R in it: the chunk is
  whatever the window yields, so one traced graph serves every lookahead and the
  caller picks R through the window size 8(R+1)+9 and shift 8(R+1).

Both return channel-first [B, d_model, T] like NeMo's encoder.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

from .fastconformer_layer import ConformerLayer
from .fastconformer_masks import full_sequence_mask, padding_mask, streaming_mask
from .fastconformer_subsampling import FACTOR, CausalDwStridingSubsampling

# Frames the streaming window re-feeds from the previous call (NeMo's
# pre_encode_cache_size) and subsampled frames it then drops: output frame j
# depends on input frames [8j-14, 8j], so window frames 0 and 1 see the
# window's zero padding instead of the real previous features.
PRE_ENCODE_CACHE = FACTOR + 1
DROP_PRE_ENCODED = 1 + (PRE_ENCODE_CACHE - 1) // FACTOR  # 2


@dataclass(frozen=True)
class FastConformerConfig:
    feat_in: int = 80
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    conv_kernel: int = 9
    ff_expansion: int = 4
    subsampling_channels: int = 64
    left_context: int = 70
    lookaheads: Tuple[int, ...] = (0, 1, 6, 13)
    dropout: float = 0.1
    xscaling: bool = True

    def to_dict(self) -> Dict[str, object]:
        d = asdict(self)
        d["lookaheads"] = list(self.lookaheads)
        return d


def window_size(lookahead: int) -> int:
    """Feature frames per streaming call for lookahead R: chunk 8(R+1) + 9 re-fed frames."""
    return FACTOR * (lookahead + 1) + PRE_ENCODE_CACHE


def chunk_shift(lookahead: int) -> int:
    """Feature frames the window advances per call; each call yields R+1 output frames."""
    return FACTOR * (lookahead + 1)


@dataclass
class StreamingState:
    """The three NeMo cache tensors, batch-first as the ONNX graph takes them."""

    cache_last_channel: torch.Tensor  # [B, L, left_context, D]
    cache_last_time: torch.Tensor  # [B, L, D, kernel-1]
    cache_last_channel_len: torch.Tensor  # [B] int64

    def as_tuple(self) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.cache_last_channel, self.cache_last_time, self.cache_last_channel_len


class FastConformerEncoder(nn.Module):
    def __init__(self, config: FastConformerConfig) -> None:
        super().__init__()
        self.config = config
        self.pre_encode = CausalDwStridingSubsampling(
            config.feat_in, config.subsampling_channels, config.d_model
        )
        self.layers = nn.ModuleList(
            [
                ConformerLayer(
                    config.d_model, config.n_heads, config.conv_kernel, config.ff_expansion, config.dropout
                )
                for _ in range(config.n_layers)
            ]
        )
        self.xscale = math.sqrt(config.d_model) if config.xscaling else 1.0

    def initial_state(self, batch: int) -> StreamingState:
        c = self.config
        return StreamingState(
            torch.zeros(batch, c.n_layers, c.left_context, c.d_model),
            torch.zeros(batch, c.n_layers, c.d_model, c.conv_kernel - 1),
            torch.zeros(batch, dtype=torch.long),
        )

    def forward(
        self,
        features: torch.Tensor,
        lengths: torch.Tensor,
        lookahead: Optional[int],
        drop_frames: int = 0,
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """features [B, F, T], lengths [B] int64 -> (encoded [B, D, T'], encoded_lengths [B]).

        `drop_frames` removes that many subsampled frames before the conformer layers
        (and shifts the chunk grid with them). With drop_frames=2 this is exactly what
        sherpa's streaming protocol computes (see check_streaming.py); training with it
        makes training and streaming inference see the same chunk grid.
        """
        if lookahead is not None and lookahead < 0:
            raise ValueError(f"lookahead must be >= 0 or None, got {lookahead}")
        x, enc_len = self.pre_encode(features, lengths)
        if drop_frames:
            x = x[:, drop_frames:]
            enc_len = torch.clamp(enc_len - drop_frames, min=0)
        x = x * self.xscale
        frames = x.shape[1]
        att_mask = full_sequence_mask(enc_len, frames, lookahead, self.config.left_context)
        pad = padding_mask(enc_len, frames)
        for layer in self.layers:
            x, _, _ = layer(x, att_mask, pad)
        return x.transpose(1, 2), enc_len

    def forward_streaming(
        self,
        audio_signal: torch.Tensor,
        length: torch.Tensor,
        cache_last_channel: torch.Tensor,
        cache_last_time: torch.Tensor,
        cache_last_channel_len: torch.Tensor,
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """One call of the NeMo cache-aware export graph.

        audio_signal [B, F, W] with W = window_size(R) for the stream's R; returns
        (outputs [B, D, R+1], encoded_lengths [B], next channel cache, next time cache,
        next channel cache length). Everything that depends on the chunk length is
        derived from tensor shapes, so tracing keeps the time axis dynamic and zero
        caches (length 0) need no special case.
        """
        cache_size = self.config.left_context
        x, out_len = self.pre_encode(audio_signal, length)
        x = x[:, DROP_PRE_ENCODED:] * self.xscale
        chunk_frames = x.shape[1]
        out_len = torch.clamp(out_len - DROP_PRE_ENCODED, min=0)
        att_mask = streaming_mask(cache_last_channel_len, out_len, chunk_frames, cache_size)
        pad = padding_mask(out_len, chunk_frames)

        next_channel: List[torch.Tensor] = []
        next_time: List[torch.Tensor] = []
        for i, layer in enumerate(self.layers):
            x, att_cache, conv_cache = layer(
                x, att_mask, pad, cache_last_channel[:, i], cache_last_time[:, i]
            )
            next_channel.append(att_cache)
            next_time.append(conv_cache)
        next_len = torch.clamp(cache_last_channel_len + out_len, max=cache_size)
        return (
            x.transpose(1, 2),
            out_len,
            torch.stack(next_channel, dim=1),
            torch.stack(next_time, dim=1),
            next_len,
        )

    def stream_step(
        self, audio_signal: torch.Tensor, length: torch.Tensor, state: StreamingState
    ) -> Tuple[torch.Tensor, torch.Tensor, StreamingState]:
        out, out_len, ch, t, ch_len = self.forward_streaming(audio_signal, length, *state.as_tuple())
        return out, out_len, StreamingState(ch, t, ch_len)
