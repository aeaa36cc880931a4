"""Synthetic speech-like audio and its fbank features, for calibrating fixture heads
without reading any recording (fastconformer_fixture_weights.py).

Not speech, but it has what the encoder reacts to in speech: voiced stretches with a
drifting pitch and formant-shaped harmonics, noise bursts (fricatives), level
changes and pauses with a low noise floor. Seeded numpy only, so deterministic.
"""
from __future__ import annotations

import numpy as np
import torch
import torchaudio

SAMPLE_RATE = 16000


def _voiced(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    f0 = rng.uniform(90, 220) * (1 + rng.uniform(-0.15, 0.15) * t / max(t[-1], 1e-3))
    phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
    formants = [(rng.uniform(300, 900), 120.0), (rng.uniform(900, 2500), 180.0), (rng.uniform(2500, 3500), 250.0)]
    out = np.zeros(n)
    for k in range(1, int(4000 / f0.max())):
        freq = k * f0.mean()
        gain = sum(np.exp(-0.5 * ((freq - fc) / bw) ** 2) for fc, bw in formants) + 0.02
        out += gain * np.sin(k * phase)
    return out


def _unvoiced(n: int, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(n)
    return np.diff(noise, prepend=0.0) * 0.3  # first difference tilts the noise towards high frequencies


def speech_like_audio(seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    total = int(seconds * SAMPLE_RATE)
    pieces = []
    length = 0
    while length < total:
        kind = rng.choice(["voiced", "voiced", "unvoiced", "pause"])
        n = int(rng.uniform(0.05, 0.3 if kind != "pause" else 0.4) * SAMPLE_RATE)
        if kind == "voiced":
            x = _voiced(n, rng)
        elif kind == "unvoiced":
            x = _unvoiced(n, rng)
        else:
            x = np.zeros(n)
        ramp = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.01 * SAMPLE_RATE))
        level = 10 ** (rng.uniform(-12, 0) / 20)
        pieces.append(x * ramp * level)
        length += n
    audio = np.concatenate(pieces)[:total]
    audio = 0.5 * audio / np.abs(audio).max()
    return audio + 1e-4 * rng.standard_normal(total)  # noise floor, as in real recordings


def fbank(audio: np.ndarray) -> torch.Tensor:
    """[T, 80] Kaldi fbank with sherpa's online settings for NeMo CTC (povey, 20-7600 Hz,
    no dither, snip_edges false), samples in [-1, 1]."""
    wave = torch.from_numpy(audio.astype(np.float32)).unsqueeze(0)
    return torchaudio.compliance.kaldi.fbank(
        wave,
        num_mel_bins=80,
        dither=0.0,
        window_type="povey",
        low_freq=20,
        high_freq=-400,
        snip_edges=False,
        sample_frequency=SAMPLE_RATE,
    )
