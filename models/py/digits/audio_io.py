"""WAV reading/writing and rate conversion: everything becomes mono float32 at 16 kHz here, once."""
from __future__ import annotations

from math import gcd

import numpy as np
import scipy.io.wavfile
import scipy.signal

MODEL_RATE = 16000


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """Mono float32 in [-1, 1] and the file's rate. Multichannel files are averaged."""
    rate, data = scipy.io.wavfile.read(path)
    if data.dtype == np.int16:
        audio = data.astype(np.float32) / 32768.0
    elif data.dtype == np.int32:
        audio = data.astype(np.float32) / 2147483648.0
    elif data.dtype == np.uint8:
        audio = (data.astype(np.float32) - 128.0) / 128.0
    else:
        audio = data.astype(np.float32)
    if audio.ndim == 2:
        audio = audio.mean(axis=1)
    return audio, int(rate)


def resample(audio: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling (Kaiser-windowed FIR): exact rational ratio, no drift."""
    if from_rate == to_rate:
        return audio.astype(np.float32, copy=False)
    g = gcd(int(from_rate), int(to_rate))
    return scipy.signal.resample_poly(audio, to_rate // g, from_rate // g).astype(np.float32)


def read_wav_16k(path: str) -> np.ndarray:
    audio, rate = read_wav(path)
    return resample(audio, rate, MODEL_RATE)


def to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 32767 / 32768) * 32768.0).round().astype(np.int16)


def write_wav(path: str, audio: np.ndarray, rate: int = MODEL_RATE) -> None:
    """16-bit PCM: what telephony and most users send, and what pocketsphinx reads."""
    scipy.io.wavfile.write(path, rate, to_int16(audio))
