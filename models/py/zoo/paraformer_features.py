"""Paraformer front end in Python, for reference outputs and training: Kaldi fbank as
sherpa configures it for Paraformer (hamming, 20 Hz - Nyquist, snip_edges, dither 0,
samples x 32768), offline LFR (m=7, n=6, 3 left copies of frame 0, ceil(T/6) outputs,
repeat-last past the end), CMVN y = (x + neg_mean) * inv_stddev, and the FunASR `am.mvn`
file that carries the two CMVN vectors. Sections 1.1, 1.2, 1.4, 3.1.3, 3.1.4.
"""
from __future__ import annotations

import math
import re
import wave
from typing import List, Sequence, Tuple

import numpy as np
import torch

FBANK_BINS = 80


def _kaldi_mel_banks(num_bins: int, n_fft: int, rate: int, low: float, high: float) -> torch.Tensor:
    """[num_bins, n_fft/2] triangles on the HTK mel scale, in the mel domain, Nyquist bin
    excluded, no normalisation (Kaldi / knf, section 1.1 step 7)."""
    if high <= 0.0:
        high += rate / 2.0

    def mel(f: torch.Tensor | float) -> torch.Tensor:
        return 1127.0 * torch.log1p(torch.as_tensor(f, dtype=torch.float64) / 700.0)

    m = mel(torch.arange(n_fft // 2, dtype=torch.float64) * (rate / n_fft))
    lo, hi = mel(low), mel(high)
    delta = (hi - lo) / (num_bins + 1)
    left = lo + delta * torch.arange(num_bins, dtype=torch.float64)[:, None]
    rising = (m[None, :] - left) / delta
    falling = (left + 2 * delta - m[None, :]) / delta
    return torch.clamp(torch.minimum(rising, falling), min=0.0)


def fbank(samples: torch.Tensor, sample_rate: int = 16000) -> torch.Tensor:
    """samples float [-1, 1], 1-D, 16 kHz -> log-mel [T, 80] with the options sherpa sets for
    Paraformer: x 32768, 25/10 ms frames with snip_edges, DC removal, per-frame
    pre-emphasis 0.97, hamming window, 512-point power spectrum, 80 Kaldi mel bins 20 Hz -
    Nyquist, ln(max(E, FLT_EPSILON)), no dither. Computed in float64 and written out so it
    needs no torchaudio (whose I/O and Kaldi modules move between releases)."""
    if sample_rate != 16000:
        raise ValueError("resample to 16 kHz first; sherpa does that with its own resampler")
    x = samples.to(torch.float64) * 32768.0
    length, shift, n_fft = 400, 160, 512
    if x.shape[0] < length:
        return torch.zeros(0, FBANK_BINS)
    frames = x.unfold(0, length, shift)  # snip_edges: only frames fully inside the signal
    frames = frames - frames.mean(dim=1, keepdim=True)
    previous = torch.cat([frames[:, :1], frames[:, :-1]], dim=1)
    frames = frames - 0.97 * previous
    i = torch.arange(length, dtype=torch.float64)
    frames = frames * (0.54 - 0.46 * torch.cos(2 * math.pi * i / (length - 1)))
    power = torch.fft.rfft(frames, n=n_fft).abs() ** 2
    banks = _kaldi_mel_banks(FBANK_BINS, n_fft, sample_rate, 20.0, 0.0)
    energies = power[:, : n_fft // 2] @ banks.T
    eps = float(np.finfo(np.float32).eps)
    return torch.log(torch.clamp(energies, min=eps)).to(torch.float32)


def read_wav(path: str) -> Tuple[torch.Tensor, int]:
    """16-bit PCM WAV -> (mono float samples in [-1, 1], rate), with the standard library."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM is supported")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32)
        channels, rate = w.getnchannels(), w.getframerate()
    return torch.from_numpy(data.reshape(-1, channels)[:, 0] / 32768.0), rate


def apply_lfr(feats: torch.Tensor, m: int = 7, n: int = 6) -> torch.Tensor:
    """[T, C] -> [ceil(T/n), m*C] (sherpa `lfr.cc` ApplyLfr, FunASR apply_lfr)."""
    t, c = feats.shape
    if t == 0:
        return feats.new_zeros((0, m * c))
    out_frames = math.ceil(t / n)
    left = (m - 1) // 2
    padded = torch.cat([feats[:1].expand(left, c), feats], dim=0)
    index = torch.arange(out_frames)[:, None] * n + torch.arange(m)[None, :]
    index = index.clamp_max(padded.shape[0] - 1)  # past the end: repeat the last frame
    return padded[index].reshape(out_frames, m * c)


def apply_cmvn(feats: torch.Tensor, neg_mean: Sequence[float], inv_stddev: Sequence[float]) -> torch.Tensor:
    nm = torch.tensor(neg_mean, dtype=torch.float32)
    istd = torch.tensor(inv_stddev, dtype=torch.float32)
    return (feats + nm) * istd


def features(
    samples: torch.Tensor, neg_mean: Sequence[float], inv_stddev: Sequence[float]
) -> torch.Tensor:
    """16 kHz samples -> LFR+CMVN features [T_lfr, 560], as sherpa feeds the offline graph."""
    return apply_cmvn(apply_lfr(fbank(samples)), neg_mean, inv_stddev)


def speech_like_cmvn(lfr_m: int = 7) -> Tuple[List[float], List[float]]:
    """A fixed CMVN for random-weight fixtures: a smooth per-bin mean and stddev shaped like
    16 kHz speech at int16 scale (log-mel means ~11 at the band edges, ~17.5 in the middle;
    stddev ~2 at the edges, ~3.5 in the middle; measured once on a speech clip and then
    written as a formula so the fixture depends on no data). Tiled over the 7 LFR frames."""
    bins = np.arange(FBANK_BINS, dtype=np.float64)
    bump = np.sin(np.pi * (bins + 0.5) / FBANK_BINS)
    mean = 11.0 + 6.5 * bump ** 0.5
    std = 1.8 + 1.7 * bump
    neg_mean = [round(-float(v), 4) for v in np.tile(mean, lfr_m)]
    inv_stddev = [round(float(v), 6) for v in np.tile(1.0 / std, lfr_m)]
    return neg_mean, inv_stddev


def _fmt(values: Sequence[float]) -> str:
    return " ".join(repr(float(v)) for v in values)


def write_am_mvn(path: str, neg_mean: Sequence[float], inv_stddev: Sequence[float]) -> None:
    """FunASR's am.mvn: Kaldi nnet1 text with an <AddShift> (neg_mean) and a <Rescale>
    (inv_stddev) component, each followed by `<LearnRateCoef> 0 [ v1 v2 ... ]`."""
    dim = len(neg_mean)
    if len(inv_stddev) != dim:
        raise ValueError("neg_mean and inv_stddev differ in length")
    lines = [
        "<Nnet>",
        f"<Splice> {dim} {dim}",
        "[ 0 ]",
        f"<AddShift> {dim} {dim}",
        f"<LearnRateCoef> 0 [ {_fmt(neg_mean)} ]",
        f"<Rescale> {dim} {dim}",
        f"<LearnRateCoef> 0 [ {_fmt(inv_stddev)} ]",
        "</Nnet>",
    ]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def read_am_mvn(path: str) -> Tuple[List[float], List[float]]:
    """Parses the two vectors the way FunASR's and sherpa's `load_cmvn` do."""
    text = open(path, encoding="utf-8").read()
    shift = re.search(r"<AddShift>[^\n]*\n<LearnRateCoef> 0 \[([^\]]*)\]", text)
    scale = re.search(r"<Rescale>[^\n]*\n<LearnRateCoef> 0 \[([^\]]*)\]", text)
    if not shift or not scale:
        raise ValueError(f"{path}: no <AddShift>/<Rescale> vectors")
    return [float(v) for v in shift.group(1).split()], [float(v) for v in scale.group(1).split()]
