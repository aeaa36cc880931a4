"""Attention masks (True = hidden) for the full-sequence and the cached forward.

Chunked-limited attention with lookahead R: frames are grouped into chunks of R+1;
a query sees every frame of its own chunk (that is the lookahead) and the
`left_context` frames before its chunk starts.

The left window is defined in frames, not chunks. NeMo counts it in chunks,
left_context // (R+1) of them, which is the same window when R+1 divides the left
context (70 = 2*5*7: R in 0, 1, 4, 6, 9, 13, 34, 69, e.g. NeMo's 0/1/6/13) and one
frame short otherwise. The frame form is what the streaming cache holds (the last
70 rows, whatever the chunk size), so with it the full-sequence forward equals the
streaming forward for every R; models trained here therefore also match NeMo's
mask for the R values above.
"""
from __future__ import annotations

from typing import Optional

import torch


def padding_mask(lengths: torch.Tensor, frames: int) -> torch.Tensor:
    """[B, T]: True at frames at or beyond each sequence's length."""
    idx = torch.arange(frames, device=lengths.device)
    return idx.unsqueeze(0) >= lengths.unsqueeze(1)


def full_sequence_mask(
    lengths: torch.Tensor, frames: int, lookahead: Optional[int], left_context: int
) -> torch.Tensor:
    """[B, T, T] for the training/offline forward.

    lookahead None means unlimited context both ways (offline attention); padded keys
    are always hidden. Padded queries keep some visible keys, their outputs are
    ignored and never leak: padded frames are zeroed before the convolution.
    """
    pad = padding_mask(lengths, frames)  # [B, T]
    hidden = pad.unsqueeze(1).expand(-1, frames, -1)
    if lookahead is None:
        return hidden
    chunk = lookahead + 1
    idx = torch.arange(frames, device=lengths.device)
    start = torch.div(idx, chunk, rounding_mode="floor") * chunk
    key = idx.unsqueeze(0)
    visible = (key >= (start - left_context).unsqueeze(1)) & (key < (start + chunk).unsqueeze(1))
    return hidden | ~visible.unsqueeze(0)


def streaming_mask(
    cache_len: torch.Tensor, chunk_lengths: torch.Tensor, chunk_frames: int, cache_size: int
) -> torch.Tensor:
    """[B, 1, cache_size + T] for one cached chunk: keys = [cache rows, chunk rows].

    Cache rows before cache_size - cache_len were never filled (stream start) and
    chunk rows beyond the chunk's length are padding. Every query of the chunk sees
    the same keys, which is the chunked mask for a chunk of T frames.
    """
    key = torch.arange(cache_size + chunk_frames, device=cache_len.device).unsqueeze(0)
    first_valid = (cache_size - cache_len).unsqueeze(1)
    end_valid = (cache_size + chunk_lengths).unsqueeze(1)
    return ((key < first_valid) | (key >= end_valid)).unsqueeze(1)
