"""Vocos-tiny, causal: log-mel [B, 80, F] -> 16 kHz audio [B, F * 320].

    (mel - mean) / std -> causal Conv1d(80 -> d, k 7) -> LayerNorm
    -> N x ConvNeXt(causal depthwise k 7, LayerNorm, d -> 3d -> d, GELU, layer scale)
    -> LayerNorm -> Linear(d -> 1026) -> log|S| (513), phase (513)
    -> S = min(exp(log|S|), 100) * (cos, sin)
    -> iSTFT: ConvTranspose1d with a fixed irfft x Hann kernel, stride 320, divided by the
       overlap-added squared window, centred (the first 512 samples dropped), F * 320 samples.

Every convolution looks only left, so output sample block t (samples [320t, 320t + 320)) depends
on mel frames <= t + 2 (the iSTFT overlap: a 1024-sample frame centred on 320t reaches 512
samples ahead) and on at most RECEPTIVE_LEFT frames before it. No torch.stft/istft/fft in the
graph, so it exports at opset 17 with torch 1.13.
"""
from __future__ import annotations

import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
import mel_spec  # noqa: E402

N_FFT = mel_spec.N_FFT
HOP = mel_spec.HOP_LENGTH
N_MELS = mel_spec.N_MELS
KERNEL = 7
MAG_CLIP = 100.0


class CausalConv1d(nn.Conv1d):
    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        pad = (self.kernel_size[0] - 1) * self.dilation[0]
        return super().forward(F.pad(x, (pad, 0)))


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim: int, hidden: int, layer_scale: float):
        super().__init__()
        self.dwconv = CausalConv1d(dim, dim, KERNEL, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pw1 = nn.Linear(dim, hidden)
        self.pw2 = nn.Linear(hidden, dim)
        self.gamma = nn.Parameter(torch.full((dim,), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # [B, D, F]
        y = self.dwconv(x).transpose(1, 2)
        y = self.pw2(F.gelu(self.pw1(self.norm(y))))
        return x + (self.gamma * y).transpose(1, 2)


class ConvIstft(nn.Module):
    """Centred iSTFT (torch.istft(center=True) of a Hann-windowed STFT) as ConvTranspose1d."""

    def __init__(self, n_fft: int = N_FFT, hop: int = HOP):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        bins = n_fft // 2 + 1
        window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(bins, dtype=torch.float64)
        angle = 2 * math.pi * k[:, None] * n[None, :] / n_fft
        scale = torch.full((bins, 1), 2.0, dtype=torch.float64)
        scale[0] = scale[-1] = 1.0
        real = scale * torch.cos(angle) / n_fft * window
        imag = -scale * torch.sin(angle) / n_fft * window
        self.register_buffer("kernel", torch.cat([real, imag], 0)[:, None, :].float())  # [2*bins, 1, n_fft]
        self.register_buffer("window_sq", (window ** 2)[None, None, :].float())  # [1, 1, n_fft]

    def forward(self, re: torch.Tensor, im: torch.Tensor) -> torch.Tensor:  # [B, bins, F] -> [B, F * hop]
        frames = re.shape[-1]
        y = F.conv_transpose1d(torch.cat([re, im], 1), self.kernel, stride=self.hop)
        ones = torch.ones_like(re[:1, :1, :])
        env = F.conv_transpose1d(ones, self.window_sq, stride=self.hop)
        start = self.n_fft // 2
        y = y[:, 0, start:start + frames * self.hop]
        env = env[:, 0, start:start + frames * self.hop]
        return y / torch.clamp(env, min=1e-11)


class VocosTiny(nn.Module):
    def __init__(self, dim: int = 256, hidden: int = 768, layers: int = 4):
        super().__init__()
        self.config = {"dim": dim, "hidden": hidden, "layers": layers}
        self.register_buffer("mel_mean", torch.zeros(N_MELS, 1))
        self.register_buffer("mel_std", torch.ones(N_MELS, 1))
        self.embed = CausalConv1d(N_MELS, dim, KERNEL)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.blocks = nn.ModuleList(ConvNeXtBlock(dim, hidden, 1.0 / layers) for _ in range(layers))
        self.final_norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, N_FFT + 2)
        self.istft = ConvIstft()
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Conv1d, nn.Linear)):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)

    @property
    def receptive_left(self) -> int:
        """Mel frames before frame t that frame t's spectrum depends on."""
        return (KERNEL - 1) * (1 + len(self.blocks))

    def spectrum(self, log_mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = (log_mel - self.mel_mean) / self.mel_std
        x = self.norm(self.embed(x).transpose(1, 2)).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        h = self.head(self.final_norm(x.transpose(1, 2))).transpose(1, 2)  # [B, 1026, F]
        bins = N_FFT // 2 + 1
        mag = torch.clamp(torch.exp(h[:, :bins]), max=MAG_CLIP)
        phase = h[:, bins:]
        return mag * torch.cos(phase), mag * torch.sin(phase)

    def forward(self, log_mel: torch.Tensor) -> torch.Tensor:
        re, im = self.spectrum(log_mel)
        return self.istft(re, im)


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
