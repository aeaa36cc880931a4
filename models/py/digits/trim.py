"""Leading/trailing silence trimming for isolated words, keeping a short margin.

Concatenation inserts its own pauses, so clips should carry only a little of their own silence;
the margin keeps weak onsets/offsets ("f", "th", "s") that an energy gate would cut.
"""
from __future__ import annotations

import numpy as np

from .audio_io import MODEL_RATE


def speech_bounds(audio: np.ndarray, rate: int = MODEL_RATE, threshold_db: float = -40.0,
                  frame_ms: float = 10.0) -> tuple[int, int]:
    """First and one-past-last sample of frames within threshold_db of the loudest frame."""
    frame = max(1, int(rate * frame_ms / 1000))
    n = len(audio) // frame
    if n == 0:
        return 0, len(audio)
    frames = audio[: n * frame].reshape(n, frame).astype(np.float64)
    energy_db = 10 * np.log10((frames ** 2).mean(axis=1) + 1e-12)
    loud = np.flatnonzero(energy_db > energy_db.max() + threshold_db)
    return int(loud[0] * frame), int(min(len(audio), (loud[-1] + 1) * frame))


def trim_silence(audio: np.ndarray, rate: int = MODEL_RATE, threshold_db: float = -40.0,
                 keep_ms: float = 40.0) -> np.ndarray:
    start, end = speech_bounds(audio, rate, threshold_db)
    keep = int(rate * keep_ms / 1000)
    out = audio[max(0, start - keep): min(len(audio), end + keep)]
    # Short fades so a cut inside low-level noise does not click when clips are concatenated.
    fade = min(len(out) // 4, int(rate * 0.005))
    if fade > 0:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out = out.copy()
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out.astype(np.float32, copy=False)
