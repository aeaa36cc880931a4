"""Consistency proof: the cache-aware streaming encoder, driven exactly as sherpa-onnx
drives it, equals the full-sequence encoder with the matching chunked mask.

Which full-sequence frames correspond (lookahead R, S = 8(R+1), W = S + 9):
- sherpa's k-th call (k = 0, 1, ...) feeds feature frames [kS, kS + W), the first
  window starting at frame 0 with no zero pre-padding.
- Causal subsampling: subsampled frame j of a window depends on window frames
  [8j-14, 8j] and, through the intermediate layers, on intermediate frames with
  index >= 2 only when j >= 2; so for j >= 2 no padding is involved and window frame
  j is global subsampled frame k(R+1) + j. Frames j = 0, 1 saw the window's zero
  padding: the graph drops them, keeping j = 2 .. R+2 (R+1 frames, since a W-frame
  window subsamples to R+3 frames).
- Hence call k yields global subsampled frames [2 + k(R+1), 2 + (k+1)(R+1)): the
  streaming output is the full forward over the subsampled frames [2:] (frames 0
  and 1 never exist for the stream), with chunks of R+1 frames starting at frame 2
  and 70 frames of left context, which is `encoder(features, lengths, R,
  drop_frames=2)` over the features the windows covered: frames [0, 8M + 9) for
  M output frames, since (n-1)S + W = 8n(R+1) + 9 after n calls.
- Caches: the attention cache holds the last 70 normed rows before the chunk (the
  frame-exact left window of fastconformer_masks.py; cache_len masks the rows not
  yet filled, which the full forward does not have either); the conv cache holds
  the last 8 conv inputs (zeros at stream start = the causal left padding).

Usage: /usr/bin/python3 -m zoo.check_streaming (from models/py) checks a random
model on synthetic features; the fixture builder calls `check_encoder_streaming`.
"""
from __future__ import annotations

import sys
from typing import Dict, Sequence

import numpy as np
import torch

from .fastconformer import DROP_PRE_ENCODED, FastConformerEncoder, chunk_shift, window_size

TOLERANCE = 1e-4
MASK32 = 0xFFFFFFFF


def xorshift_floats(count: int, seed: int) -> np.ndarray:
    """`count` float32 values in [-4, 4) from xorshift32 (13, 17, 5): k / 2^21 - 4 with
    k the top 24 bits, exact in float32, so the Node side (check_streaming_nemo.mjs)
    regenerates identical bits and fixtures need not store their inputs."""
    if not 0 < seed <= MASK32:
        raise ValueError("xorshift32 needs a seed in [1, 2^32)")
    out = np.empty(count, dtype=np.float32)
    x = seed
    for i in range(count):
        x ^= (x << 13) & MASK32
        x ^= x >> 17
        x ^= (x << 5) & MASK32
        out[i] = (x >> 8) / float(1 << 21) - 4.0
    return out


def reference_features(frames: int, feat_dim: int, seed: int) -> np.ndarray:
    """[frames, feat_dim] row-major synthetic features (xorshift_floats)."""
    return xorshift_floats(frames * feat_dim, seed).reshape(frames, feat_dim)


def covered_frames(output_frames: int) -> int:
    """Feature frames sherpa's windows read to produce `output_frames` frames."""
    return 8 * output_frames + 9


@torch.no_grad()
def stream_like_sherpa(encoder: FastConformerEncoder, features: np.ndarray, lookahead: int) -> torch.Tensor:
    """features [T, F] -> encoder outputs [D, M] concatenated over every full window."""
    win, shift = window_size(lookahead), chunk_shift(lookahead)
    state = encoder.initial_state(1)
    feats = torch.from_numpy(features).t().unsqueeze(0)  # [1, F, T] channel-first
    outs = []
    start = 0
    while start + win <= feats.shape[2]:
        window = feats[:, :, start : start + win]
        out, _, state = encoder.stream_step(window, torch.tensor([win]), state)
        outs.append(out[0])
        start += shift
    return torch.cat(outs, dim=1)


@torch.no_grad()
def full_sequence_reference(encoder: FastConformerEncoder, features: np.ndarray, lookahead: int) -> torch.Tensor:
    """The full forward that the streaming run must equal: [D, M] (see the module docstring)."""
    feats = torch.from_numpy(features).t().unsqueeze(0)
    out, _ = encoder(feats, torch.tensor([feats.shape[2]]), lookahead, drop_frames=DROP_PRE_ENCODED)
    return out[0]


def check_encoder_streaming(
    encoder: FastConformerEncoder, features: np.ndarray, lookaheads: Sequence[int]
) -> Dict[int, float]:
    """Max abs difference per lookahead; raises AssertionError above TOLERANCE.

    `features` must cover a whole number of calls for every R: 8M + 9 frames with M a
    multiple of every R+1."""
    was_training = encoder.training
    encoder.eval()
    diffs: Dict[int, float] = {}
    try:
        for r in lookaheads:
            streamed = stream_like_sherpa(encoder, features, r)
            full = full_sequence_reference(encoder, features, r)
            if streamed.shape != full.shape:
                raise AssertionError(f"R={r}: streamed {tuple(streamed.shape)} vs full {tuple(full.shape)}")
            diffs[r] = float((streamed - full).abs().max())
            if not diffs[r] < TOLERANCE:
                raise AssertionError(f"R={r}: streaming differs from full forward by {diffs[r]:.3g}")
    finally:
        encoder.train(was_training)
    return diffs


@torch.no_grad()
def check_padding_invariance(encoder: FastConformerEncoder, features: np.ndarray, lookahead: int) -> float:
    """A sequence padded into a batch (pad value ln(1e-10), as sherpa's offline batching
    uses) must encode exactly as it does alone; returns the max abs difference over its
    valid frames and raises above TOLERANCE."""
    was_training = encoder.training
    encoder.eval()
    try:
        feats = torch.from_numpy(features).t()  # [F, T]
        short = feats.shape[1] * 2 // 3
        batch = torch.full((2,) + tuple(feats.shape), -23.025850929940457)
        batch[0] = feats
        batch[1, :, :short] = feats[:, :short]
        out, out_len = encoder(batch, torch.tensor([feats.shape[1], short]), lookahead)
        alone, alone_len = encoder(batch[1:, :, :short], torch.tensor([short]), lookahead)
        if int(out_len[1]) != int(alone_len[0]):
            raise AssertionError(f"padded length {int(out_len[1])} vs alone {int(alone_len[0])}")
        diff = float((out[1, :, : int(out_len[1])] - alone[0]).abs().max())
        if not diff < TOLERANCE:
            raise AssertionError(f"padding changes the encoding by {diff:.3g} (lookahead {lookahead})")
        return diff
    finally:
        encoder.train(was_training)


def _main() -> int:
    from .fastconformer import FastConformerConfig

    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = FastConformerConfig()
    encoder = FastConformerEncoder(config)
    for p in encoder.parameters():  # non-zero pos biases etc. make the check stronger
        p.data.add_(0.05 * torch.randn_like(p))
    frames = covered_frames(98)  # 98 = 7 * 14: whole calls for R in 0, 1, 6, 13
    features = reference_features(frames, config.feat_in, 12345)
    diffs = check_encoder_streaming(encoder, features, config.lookaheads)
    for r, d in diffs.items():
        print(f"R={r:2d} window={window_size(r):3d} shift={chunk_shift(r):3d} max|diff|={d:.3g}")
    for r in (None,) + tuple(config.lookaheads):
        print(f"padding invariance R={r}: max|diff|={check_padding_invariance(encoder, features, r):.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
