"""Synthetic room impulse responses: a direct path, a few early reflections, and an exponentially
decaying noise tail whose high frequencies die faster (air and wall absorption)."""
from __future__ import annotations

import numpy as np
import scipy.signal


def synthetic_rir(rng: np.random.Generator, rate: int, rt60: float, direct_to_reverb_db: float) -> np.ndarray:
    n = int(rate * min(1.5 * rt60, 1.0))
    t = np.arange(n) / rate
    tail = rng.standard_normal(n) * np.exp(-6.908 * t / rt60)  # -60 dB at t = rt60
    b, a = scipy.signal.butter(1, rng.uniform(2000, 7000) / (rate / 2))
    tail = scipy.signal.lfilter(b, a, tail)
    tail[: int(rate * 0.002)] = 0.0  # the tail starts after the first reflections
    for _ in range(int(rng.integers(2, 7))):
        k = int(rate * rng.uniform(0.002, 0.03))
        if k < n:
            tail[k] += rng.uniform(-0.6, 0.6)
    tail *= 10 ** (-direct_to_reverb_db / 20) / (np.sqrt(np.sum(tail ** 2)) + 1e-12)
    rir = tail
    rir[0] = 1.0  # direct path at lag 0: reverberation never shifts word timing
    return rir.astype(np.float32)


def apply_reverb(audio: np.ndarray, rir: np.ndarray) -> np.ndarray:
    """Same length as the input; the tail beyond the end is dropped (strings end in silence)."""
    return scipy.signal.fftconvolve(audio, rir)[: len(audio)].astype(np.float32)
