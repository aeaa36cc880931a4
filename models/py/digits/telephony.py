"""Telephone channel simulation: 8 kHz band-limiting, the 300-3400 Hz voice band, and G.711 mu-law.

Users send 8 kHz telephony that the product upsamples to 16 kHz; training on the same round trip
teaches the model that an empty 4-8 kHz band is normal.
"""
from __future__ import annotations

import numpy as np
import scipy.signal

from .audio_io import resample

MU = 255.0


def mu_law_round_trip(audio: np.ndarray) -> np.ndarray:
    """8-bit mu-law encode then decode (G.711's companding and quantisation noise)."""
    x = np.clip(audio, -1.0, 1.0)
    y = np.sign(x) * np.log1p(MU * np.abs(x)) / np.log1p(MU)
    q = np.round((y + 1.0) * 127.5) / 127.5 - 1.0
    return (np.sign(q) * np.expm1(np.abs(q) * np.log1p(MU)) / MU).astype(np.float32)


_VOICE_BAND = scipy.signal.butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")


def telephone_channel(audio: np.ndarray, rate: int, voice_band: bool, mu_law: bool) -> np.ndarray:
    narrow = resample(audio, rate, 8000)
    if voice_band:
        narrow = scipy.signal.sosfilt(_VOICE_BAND, narrow).astype(np.float32)
    if mu_law:
        narrow = mu_law_round_trip(narrow)
    return resample(narrow, 8000, rate)[: len(audio)]
