"""Synthetic background noise: coloured (white/pink/brown) noise and mains hum, mixed at an SNR.

No external noise corpus is allowed, so these cover the stationary noises of phones and rooms.
"""
from __future__ import annotations

import numpy as np


def coloured_noise(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f^exponent (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0
    noise = np.fft.irfft(spectrum * f ** (-exponent / 2.0), n)
    return (noise / (np.sqrt(np.mean(noise ** 2)) + 1e-12)).astype(np.float32)


def hum(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """50 or 60 Hz mains hum with decaying random harmonics and a little broadband hiss, unit RMS."""
    t = np.arange(n) / rate
    base = 50.0 if rng.random() < 0.5 else 60.0
    out = np.zeros(n)
    for k in range(1, int(rng.integers(3, 12))):
        out += rng.uniform(0.2, 1.0) / k * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 2 * np.pi))
    out = out / (np.sqrt(np.mean(out ** 2)) + 1e-12) + 0.05 * rng.standard_normal(n)
    return (out / np.sqrt(np.mean(out ** 2))).astype(np.float32)


def random_noise(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    kind = rng.random()
    if kind < 0.2:
        return hum(rng, n, rate)
    return coloured_noise(rng, n, float(rng.uniform(0.0, 2.0)))


def active_power(speech: np.ndarray, rate: int, threshold_db: float = -35.0) -> float:
    """Mean power over frames within threshold_db of the loudest, so pauses do not dilute the SNR."""
    frame = rate // 50
    n = len(speech) // frame
    if n == 0:
        return float(np.mean(speech ** 2) + 1e-12)
    p = (speech[: n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(axis=1)
    active = p[p > p.max() * 10 ** (threshold_db / 10)]
    return float(active.mean() + 1e-12)


def add_noise(speech: np.ndarray, noise: np.ndarray, snr_db: float, rate: int) -> np.ndarray:
    scale = np.sqrt(active_power(speech, rate) / (10 ** (snr_db / 10)) / (np.mean(noise ** 2) + 1e-12))
    return (speech + scale * noise).astype(np.float32)
