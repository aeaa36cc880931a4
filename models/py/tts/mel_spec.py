#!/usr/bin/python3
"""The TTS log-mel, defined once for Python (tts/README.md, "The shared audio contract").

16 kHz mono; STFT n_fft 1024, periodic Hann window of 1024, hop 320 (50 frames/s), centred
with reflect padding; |X| (power 1); 80 Slaney mels over 0-8000 Hz with Slaney area
normalisation (librosa's defaults); log-mel = ln(max(mel, 1e-5)). A waveform of N samples
gives N // 320 + 1 frames. tts/mel-spec.ts is the TypeScript twin.

Run as a script it writes the golden fixture for the TypeScript test
(test/fixtures/tts/mel-golden.{json,f32}):

    /usr/bin/python3 models/py/tts/mel_spec.py

The reference path is torch.stft + torchaudio.functional.melscale_fbanks in float64: it shares
no code with the TypeScript FFT, window or filterbank.
"""
from __future__ import annotations

import json
import math
import os

import numpy as np
import torch
import torchaudio.functional as taf

SAMPLE_RATE = 16000
N_FFT = 1024
WIN_LENGTH = 1024
HOP_LENGTH = 320
N_MELS = 80
F_MIN = 0.0
F_MAX = 8000.0
LOG_FLOOR = 1e-5
FRAME_RATE = SAMPLE_RATE // HOP_LENGTH  # 50


def num_frames(num_samples: int) -> int:
    return num_samples // HOP_LENGTH + 1


def mel_filterbank(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """[N_FFT // 2 + 1, N_MELS], librosa.filters.mel(sr=16000, n_fft=1024, n_mels=80, fmax=8000)."""
    fb = taf.melscale_fbanks(N_FFT // 2 + 1, F_MIN, F_MAX, N_MELS, SAMPLE_RATE, norm="slaney", mel_scale="slaney")
    return fb.to(dtype)


def hann_window(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.hann_window(WIN_LENGTH, periodic=True, dtype=dtype)


def magnitude(wav: torch.Tensor) -> torch.Tensor:
    """|STFT| [..., 513, F] of wav [..., N]."""
    shape = wav.shape
    spec = torch.stft(wav.reshape(-1, shape[-1]), N_FFT, HOP_LENGTH, WIN_LENGTH, window=hann_window(wav.dtype).to(
        wav.device), center=True, pad_mode="reflect", return_complex=True)
    return spec.abs().reshape(*shape[:-1], spec.shape[-2], spec.shape[-1])


def mel(wav: torch.Tensor) -> torch.Tensor:
    """Magnitude mel [..., 80, F]."""
    fb = mel_filterbank(wav.dtype).to(wav.device)
    return torch.matmul(fb.transpose(0, 1), magnitude(wav))


def log_mel(wav: torch.Tensor) -> torch.Tensor:
    """ln(max(mel, 1e-5)) [..., 80, F] of wav [..., N] (N > 512, torch's reflect-padding limit)."""
    return torch.log(torch.clamp(mel(wav), min=LOG_FLOOR))


# ---------------------------------------------------------------------------------------------
# Golden fixture


def _read_wav(path: str) -> np.ndarray:
    import scipy.io.wavfile
    rate, data = scipy.io.wavfile.read(path)
    if rate != SAMPLE_RATE:
        raise ValueError(f"{path}: {rate} Hz, expected {SAMPLE_RATE}")
    audio = data.astype(np.float32) / 32768.0 if data.dtype == np.int16 else data.astype(np.float32)
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def _festival_clip(text: str) -> np.ndarray:
    """A festival kal_diphone utterance (16 kHz), synthesised on the fly."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.wav")
        subprocess.run(["text2wave", "-F", str(SAMPLE_RATE), "-eval", "(voice_kal_diphone)", "-o", path], input=text.encode(), check=True,
                       stdout=subprocess.DEVNULL)
        return _read_wav(path)


def write_golden() -> None:
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    data = os.path.abspath(os.path.join(root, "..", "shared", "data"))
    out_dir = os.path.join(root, "test", "fixtures", "tts")
    hifi = os.path.join(data, "hifitts-6097", "audio", "roots_19_morris_0269.wav")
    inputs = [
        # real speech: JFK (first 3 s) and a Hi-Fi TTS sentence (first 2 s)
        ("jfk-3s", _read_wav(os.path.join(data, "clips", "jfk.wav"))[:3 * SAMPLE_RATE]),
        ("hifitts-2s", _read_wav(hifi)[:2 * SAMPLE_RATE]),
        # synthetic speech the vocoder is trained on
        ("festival-kal", _festival_clip("the quiet farmer painted a yellow boat")[:int(2.2 * SAMPLE_RATE)]),
        # a length that is not a multiple of the hop, and a very short one
        ("jfk-odd-length", _read_wav(os.path.join(data, "clips", "jfk.wav"))[20000:20000 + 4321]),
        ("jfk-short", _read_wav(os.path.join(data, "clips", "jfk.wav"))[30000:30000 + 700]),
    ]
    floats: list[np.ndarray] = []
    offset = 0
    index: dict = {"contract": {"sampleRate": SAMPLE_RATE, "nFft": N_FFT, "winLength": WIN_LENGTH,
                                "hopLength": HOP_LENGTH, "nMels": N_MELS, "fMin": F_MIN, "fMax": F_MAX,
                                "logFloor": LOG_FLOOR}, "inputs": [], "cases": []}

    def put(arr: np.ndarray) -> tuple[int, int]:
        nonlocal offset
        flat = np.ascontiguousarray(arr, dtype="<f4").reshape(-1)
        floats.append(flat)
        start = offset
        offset += flat.size
        return start, flat.size

    for name, audio in inputs:
        audio = audio.astype(np.float32)
        start, length = put(audio)
        index["inputs"].append({"name": name, "sampleRate": SAMPLE_RATE, "offset": start, "length": length})
        wav = torch.from_numpy(audio.astype(np.float64))
        lm = log_mel(wav).numpy()  # [80, F]
        assert lm.shape == (N_MELS, num_frames(len(audio))), lm.shape
        # Frame-major [F, 80], the layout tts/mel-spec.ts returns.
        start, length = put(lm.T)
        index["cases"].append({"name": name, "input": name, "numFrames": int(lm.shape[1]), "dim": N_MELS,
                               "offset": start, "length": length})
    # The filterbank itself, [80, 513] row-major.
    start, length = put(mel_filterbank(torch.float64).numpy().T)
    index["filterbank"] = {"offset": start, "length": length, "rows": N_MELS, "cols": N_FFT // 2 + 1}
    os.makedirs(out_dir, exist_ok=True)
    np.concatenate(floats).astype("<f4").tofile(os.path.join(out_dir, "mel-golden.f32"))
    with open(os.path.join(out_dir, "mel-golden.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print(f"wrote {out_dir}/mel-golden.{{json,f32}}: {offset} floats")


if __name__ == "__main__":
    torch.set_num_threads(1)
    assert math.isclose(F_MAX, SAMPLE_RATE / 2)
    write_golden()
