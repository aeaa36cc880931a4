"""Causal 8x depthwise-separable ("dw_striding") subsampling of FastConformer.

Three stride-2, kernel-3 convolutions over the (time, frequency) plane: a full Conv2d
from 1 channel, then twice depthwise Conv2d + pointwise Conv2d, ReLU after each
stage, then a Linear from channels x remaining frequency bins to d_model.

Every convolution pads kernel-1 = 2 on the left and stride-1 = 1 on the right of
both axes (NeMo's `causal_downsampling`), so output frame j depends on input frames
[8j-14, 8j] only: nothing from the future, and the right pad only adds a frame when
the length is even. Frames at or beyond each stage's valid length are zeroed before
the next stage, so a padded batch gives every sequence exactly what it gets alone
(that extra frame must see the pad's zero, not a computed padding frame; sherpa's
offline path pads features with ln(1e-10), not zero). That receptive field is why the streaming encoder re-feeds 9
old feature frames per call and drops the first 2 subsampled frames
(see fastconformer.py, `forward_streaming`).
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

KERNEL = 3
STRIDE = 2
STAGES = 3
FACTOR = STRIDE**STAGES  # 8
# Left and right pads of each causal conv; their sum is what the length formula uses.
PAD_LEFT = KERNEL - 1
PAD_RIGHT = STRIDE - 1


def _stage_length(length: torch.Tensor) -> torch.Tensor:
    # floor((L + PAD_LEFT + PAD_RIGHT - KERNEL) / STRIDE) + 1 = L // 2 + 1; int64, non-negative.
    return torch.div(length + (PAD_LEFT + PAD_RIGHT - KERNEL), STRIDE, rounding_mode="floor") + 1


def subsampled_length(length: torch.Tensor) -> torch.Tensor:
    """Frames out of the subsampler for `length` frames in: L -> L // 2 + 1, three times."""
    for _ in range(STAGES):
        length = _stage_length(length)
    return length


def _zero_beyond(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x [B, C, T, F]: zero the time steps at or beyond lengths[b]."""
    idx = torch.arange(x.shape[2], device=x.device)
    return x.masked_fill((idx.unsqueeze(0) >= lengths.unsqueeze(1))[:, None, :, None], 0.0)


def _causal_pad(x: torch.Tensor) -> torch.Tensor:
    # F.pad order for a 4-D tensor: (freq_left, freq_right, time_left, time_right).
    return F.pad(x, (PAD_LEFT, PAD_RIGHT, PAD_LEFT, PAD_RIGHT))


class CausalDwStridingSubsampling(nn.Module):
    def __init__(self, feat_in: int, channels: int, d_model: int) -> None:
        super().__init__()
        self.conv_in = nn.Conv2d(1, channels, KERNEL, STRIDE)
        self.depthwise = nn.ModuleList(
            [nn.Conv2d(channels, channels, KERNEL, STRIDE, groups=channels) for _ in range(STAGES - 1)]
        )
        self.pointwise = nn.ModuleList([nn.Conv2d(channels, channels, 1) for _ in range(STAGES - 1)])
        freq = feat_in
        for _ in range(STAGES):
            freq = (freq + PAD_LEFT + PAD_RIGHT - KERNEL) // STRIDE + 1
        self.out = nn.Linear(channels * freq, d_model)

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """features [B, F, T] (channel-first, as the ONNX contract feeds them), lengths [B]
        -> ([B, T', d_model], subsampled lengths [B])."""
        x = _zero_beyond(features.transpose(1, 2).unsqueeze(1), lengths)  # [B, 1, T, F]
        lengths = _stage_length(lengths)
        x = _zero_beyond(torch.relu(self.conv_in(_causal_pad(x))), lengths)
        for dw, pw in zip(self.depthwise, self.pointwise):
            lengths = _stage_length(lengths)
            x = _zero_beyond(torch.relu(pw(dw(_causal_pad(x)))), lengths)
        b, c, t, f = x.shape
        return self.out(x.transpose(1, 2).reshape(b, t, c * f)), lengths
