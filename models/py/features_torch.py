"""Feature extraction in torch, bit-for-bit the recipes our TypeScript runtime computes
(asr/features/presets.ts), so a model trained on these features sees at inference exactly
what it saw in training.

- `nemo_log_mel`: preset `nemo-native-streaming` (and `nemo-native` with per_feature
  normalisation): NeMo's FilterbankFeatures in eval mode. Global pre-emphasis 0.97,
  centred STFT with zero padding (symmetric hann 400 in a 512 FFT, hop 160), power
  spectrum, Slaney mel 80 bins 0-8000 Hz, ln(x + 2^-24), floor(N/160) frames.
- `kaldi_fbank` / `paraformer_fbank`: Kaldi fbank as kaldi-native-fbank computes it,
  through torchaudio.compliance.kaldi.fbank; `paraformer_fbank` has the options of preset
  `sherpa-offline-paraformer` (hamming, 20-8000 Hz, DC removal, per-frame pre-emphasis,
  snip_edges, samples x 32768, 25/10 ms, 80 bins).
- `lfr_offline` and `apply_cmvn`: FunASR's offline low-frame-rate stacking (m=7, n=6)
  and CMVN, the Paraformer front end after the fbank.

Both torch recipes compute in the dtype of their input (the golden-vector script passes
float64, training passes float32). models/py/golden/make_feature_golden.py uses these
same functions for the TS golden tests, which is what ties them to the runtime.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi
import torchaudio.functional as taf

NEMO_SAMPLE_RATE = 16000
NEMO_WIN = 400
NEMO_HOP = 160
NEMO_FFT = 512
NEMO_PREEMPH = 0.97
NEMO_LOG_GUARD = 2.0**-24


@lru_cache(maxsize=4)
def _slaney_mel(n_mels: int, dtype: torch.dtype) -> torch.Tensor:
    # [n_mels, n_fft/2+1], librosa.filters.mel(norm='slaney') equivalent. melscale_fbanks
    # builds in torch's default dtype, so the golden script (default float64) gets float64.
    fb = taf.melscale_fbanks(n_freqs=NEMO_FFT // 2 + 1, f_min=0.0, f_max=NEMO_SAMPLE_RATE / 2, n_mels=n_mels,
                             sample_rate=NEMO_SAMPLE_RATE, norm="slaney", mel_scale="slaney").T
    return fb.to(dtype)


def vtlp_warped(fb: torch.Tensor, alpha: float, sample_rate: int = NEMO_SAMPLE_RATE) -> torch.Tensor:
    """A filterbank [n_mels, n_freqs] with its frequency axis warped by `alpha` (vocal tract
    length perturbation, Jaitly & Hinton 2013): filter m now weighs frequency f as the
    original weighed W(f), W(f) = alpha*f up to a knee at 0.85 of Nyquist (scaled so the
    image stays inside the band), then linear to Nyquist. A training augmentation only."""
    if alpha == 1.0:
        return fb
    n_freqs = fb.shape[1]
    nyquist = sample_rate / 2
    f = torch.linspace(0.0, nyquist, n_freqs, dtype=torch.float64)
    knee = 0.85 * nyquist * min(1.0, 1.0 / alpha)
    w = torch.where(f <= knee, alpha * f, alpha * knee + (nyquist - alpha * knee) * (f - knee) / (nyquist - knee))
    pos = (w / nyquist * (n_freqs - 1)).clamp(0, n_freqs - 1)
    lo = pos.floor().long()
    hi = (lo + 1).clamp(max=n_freqs - 1)
    frac = (pos - lo).to(fb.dtype)
    return fb[:, lo] * (1 - frac) + fb[:, hi] * frac


def nemo_frames(num_samples: torch.Tensor | int) -> torch.Tensor | int:
    """Valid frames for N samples: (N + 2*(n_fft/2) - n_fft) // hop = N // 160."""
    return (num_samples + 2 * (NEMO_FFT // 2) - NEMO_FFT) // NEMO_HOP


def nemo_log_mel(
    waves: torch.Tensor, lengths: Optional[torch.Tensor] = None, n_mels: int = 80, normalize: str = "none",
    warps: Optional[Sequence[float]] = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """waves [N] or [B, N] in [-1, 1] at 16 kHz (lengths [B] for a zero-padded batch) ->
    (log-mel [B, n_mels, T] channel-first as the encoder takes it, frame counts [B]).

    Each row of a padded batch gets exactly what it gets alone: the pre-emphasised signal
    is zeroed past its length, as the alone case's STFT zero padding would be there."""
    x = waves.unsqueeze(0) if waves.dim() == 1 else waves
    if lengths is None:
        lengths = torch.full((x.shape[0],), x.shape[1], dtype=torch.long)
    x = torch.cat((x[:, :1], x[:, 1:] - NEMO_PREEMPH * x[:, :-1]), dim=1)
    if int(lengths.min()) < x.shape[1]:
        x = x.masked_fill(torch.arange(x.shape[1])[None, :] >= lengths[:, None], 0.0)
    spec = torch.stft(x, n_fft=NEMO_FFT, hop_length=NEMO_HOP, win_length=NEMO_WIN, center=True,
                      pad_mode="constant", window=torch.hann_window(NEMO_WIN, periodic=False, dtype=x.dtype),
                      return_complex=True)
    power = torch.sqrt(torch.view_as_real(spec).pow(2).sum(-1)).pow(2.0)  # NeMo's order of operations
    fb = _slaney_mel(n_mels, x.dtype)
    if warps is not None and any(a != 1.0 for a in warps):  # training-time VTLP, one factor per row
        fb = torch.stack([vtlp_warped(fb, float(a)) for a in warps])
    else:
        fb = fb.unsqueeze(0)
    logmel = torch.log(torch.matmul(fb, power) + NEMO_LOG_GUARD)
    frames = nemo_frames(lengths)
    logmel = logmel[:, :, : int(frames.max())]
    if normalize == "per_feature":
        if x.shape[0] != 1:
            raise ValueError("per_feature normalisation is implemented for one utterance")
        mean = logmel.mean(dim=2, keepdim=True)
        std = logmel.std(dim=2, keepdim=True) + 1e-5  # torch.std is unbiased, as NeMo's
        logmel = (logmel - mean) / std
    elif normalize != "none":
        raise ValueError(f"normalize must be 'none' or 'per_feature', got {normalize!r}")
    return logmel, frames


def kaldi_fbank(
    samples: torch.Tensor,
    sample_rate: int = 16000,
    frame_length_ms: float = 25.0,
    frame_shift_ms: float = 10.0,
    window_type: str = "povey",
    snip_edges: bool = True,
    remove_dc_offset: bool = True,
    preemph: float = 0.97,
    low_freq: float = 20.0,
    high_freq: float = 0.0,
    num_mel_bins: int = 80,
    sample_scale: float = 1.0,
    vtln_warp: float = 1.0,
) -> torch.Tensor:
    """samples [N] -> log fbank [T, num_mel_bins] (dither 0, power spectrum, FFT rounded up
    to a power of two, ln(max(E, FLT_EPSILON))), in the samples' dtype. `vtln_warp` != 1
    warps the mel bins' frequencies as Kaldi's VTLN does (100 Hz to high_freq - 500 Hz
    scaled, linear outside): a training augmentation only, the runtime never warps."""
    w = (samples * sample_scale).unsqueeze(0)
    return kaldi.fbank(
        w, sample_frequency=sample_rate, frame_length=frame_length_ms, frame_shift=frame_shift_ms,
        window_type=window_type, snip_edges=snip_edges, remove_dc_offset=remove_dc_offset,
        preemphasis_coefficient=preemph, dither=0.0, low_freq=low_freq, high_freq=high_freq,
        num_mel_bins=num_mel_bins, round_to_power_of_two=True, use_energy=False, use_log_fbank=True,
        use_power=True, energy_floor=0.0, vtln_warp=vtln_warp)


def paraformer_fbank(samples: torch.Tensor, vtln_warp: float = 1.0) -> torch.Tensor:
    """Preset `sherpa-offline-paraformer`: samples [N] in [-1, 1] at 16 kHz -> [T, 80].
    Fewer than 400 samples give no frame (snip_edges). `vtln_warp`: see kaldi_fbank."""
    if samples.shape[0] < 400:
        return torch.zeros(0, 80, dtype=samples.dtype)
    return kaldi_fbank(samples, window_type="hamming", snip_edges=True, remove_dc_offset=True, preemph=0.97,
                       low_freq=20.0, high_freq=8000.0, num_mel_bins=80, sample_scale=32768.0,
                       vtln_warp=vtln_warp)


def lfr_offline(feats: np.ndarray, m: int = 7, n: int = 6) -> np.ndarray:
    """FunASR WavFrontend.apply_lfr: (m-1)//2 copies of frame 0 in front, ceil(T/n) outputs
    of m stacked frames, the last frame repeated past the end. [T, F] -> [ceil(T/n), m*F]."""
    t = feats.shape[0]
    t_lfr = int(math.ceil(t / n))
    left = np.tile(feats[0], ((m - 1) // 2, 1))
    padded = np.vstack((left, feats))
    total = t + (m - 1) // 2
    rows = []
    for i in range(t_lfr):
        if m <= total - i * n:
            rows.append(padded[i * n:i * n + m].reshape(-1))
        else:
            frame = padded[i * n:].reshape(-1)
            for _ in range(m - (total - i * n)):
                frame = np.hstack((frame, padded[-1]))
            rows.append(frame)
    return np.vstack(rows)


def lfr_online(feats: np.ndarray, m: int = 7, n: int = 6) -> np.ndarray:
    """sherpa's online LFR: no padding, (T - m) // n + 1 outputs."""
    t = feats.shape[0]
    count = 0 if t < m else (t - m) // n + 1
    return np.vstack([feats[n * i:n * i + m].reshape(-1) for i in range(count)])


def apply_cmvn(feats: np.ndarray, neg_mean: np.ndarray, inv_stddev: np.ndarray) -> np.ndarray:
    """(x + neg_mean) * inv_stddev, as sherpa and FunASR apply am.mvn."""
    return (feats + neg_mean) * inv_stddev
