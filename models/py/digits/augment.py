"""The augmentation chain applied to each assembled training string, in physical order:
speaker speed -> room -> background noise -> input level -> telephone channel -> clipping.

Every random choice comes from the caller's generator, so a string is reproducible from its seed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .audio_io import resample
from .noise import add_noise, random_noise
from .reverb import apply_reverb, synthetic_rir
from .telephony import telephone_channel


@dataclass(frozen=True)
class AugmentConfig:
    speed_prob: float = 0.8
    speed_range: tuple[float, float] = (0.9, 1.1)  # >1 = faster and higher, like Kaldi's speed perturbation
    reverb_prob: float = 0.25
    rt60_range: tuple[float, float] = (0.15, 0.8)
    direct_to_reverb_db: tuple[float, float] = (-3.0, 12.0)
    noise_prob: float = 0.6
    snr_db_range: tuple[float, float] = (5.0, 40.0)
    noise_floor_prob: float = 0.5  # otherwise pauses stay digitally silent, as in concatenated test audio
    noise_floor_dbfs: tuple[float, float] = (-80.0, -55.0)
    peak_before_gain: float = 0.5
    gain_db_range: tuple[float, float] = (-20.0, 6.0)
    telephone_prob: float = 0.4
    voice_band_prob: float = 0.5  # of telephone strings
    mu_law_prob: float = 0.5  # of telephone strings


NO_AUGMENT = AugmentConfig(speed_prob=0.0, reverb_prob=0.0, noise_prob=0.0, noise_floor_prob=0.0,
                           gain_db_range=(0.0, 0.0), telephone_prob=0.0)


def change_speed(audio: np.ndarray, factor: float, rate: int) -> np.ndarray:
    """Resampling by a factor quantised to 1 %, so the polyphase filter stays short."""
    step = int(round(factor * 100))
    if step == 100:
        return audio
    return resample(audio, rate * step // 100, rate)


def augment(audio: np.ndarray, rate: int, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    x = audio
    if rng.random() < cfg.speed_prob:
        x = change_speed(x, float(rng.uniform(*cfg.speed_range)), rate)
    if rng.random() < cfg.reverb_prob:
        rir = synthetic_rir(rng, rate, float(rng.uniform(*cfg.rt60_range)), float(rng.uniform(*cfg.direct_to_reverb_db)))
        x = apply_reverb(x, rir)
    if rng.random() < cfg.noise_prob:
        x = add_noise(x, random_noise(rng, len(x), rate), float(rng.uniform(*cfg.snr_db_range)), rate)
    peak = float(np.abs(x).max()) + 1e-9
    x = x * (cfg.peak_before_gain / peak * 10 ** (rng.uniform(*cfg.gain_db_range) / 20))
    if rng.random() < cfg.noise_floor_prob:
        x = x + (10 ** (rng.uniform(*cfg.noise_floor_dbfs) / 20)) * rng.standard_normal(len(x)).astype(np.float32)
    if rng.random() < cfg.telephone_prob:
        x = telephone_channel(x, rate, voice_band=rng.random() < cfg.voice_band_prob, mu_law=rng.random() < cfg.mu_law_prob)
    return np.clip(x, -1.0, 1.0).astype(np.float32)
