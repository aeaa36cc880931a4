"""Single spoken words with frame labels, for the warm start of the streaming model and the Paraformer.

A from-scratch encoder trained with CTC/RNN-T alone on this data sat on the blank plateau
(a time-invariant output, loss ~ the label prior) for 400+ steps in four runs; a short
phase of frame-level cross-entropy on isolated words teaches it what the words sound like
first. The labels come for free: each item is drawn twice from the same seed, clean and
augmented; frames of the clean word within SPEECH_DB of its loudest frame are the word, the
rest blank, and the augmented copy's frames map onto the clean ones by the length ratio
(speed perturbation is a uniform stretch; reverb, noise and the telephone channel keep the
length).
"""
from __future__ import annotations

import numpy as np
import torch

from .dataset import DigitStringDataset

FRAME = 160  # 10 ms at 16 kHz, the feature hop
SPEECH_DB = 30.0


def speech_frames(clean: np.ndarray) -> np.ndarray:
    """bool [ceil(N/160)]: frames of the clean audio within SPEECH_DB of the loudest."""
    n = (len(clean) + FRAME - 1) // FRAME
    padded = np.zeros(n * FRAME, dtype=np.float64)
    padded[: len(clean)] = clean
    energy_db = 10 * np.log10((padded.reshape(n, FRAME) ** 2).mean(axis=1) + 1e-12)
    return energy_db > energy_db.max() - SPEECH_DB


class AlignedWords(torch.utils.data.Dataset):
    """Items (augmented waveform, words, clean speech-frame mask, clean length) from a
    DigitStringDataset configured for single words."""

    def __init__(self, strings: DigitStringDataset) -> None:
        self.strings = strings

    def set_epoch(self, epoch: int) -> None:
        self.strings.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.strings)

    def __getitem__(self, index: int):
        key = [self.strings.seed, self.strings.epoch, index]
        clean, words = self.strings.sample(np.random.default_rng(key), augmented=False)
        noisy, _ = self.strings.sample(np.random.default_rng(key), augmented=True)
        return torch.from_numpy(noisy), " ".join(words), speech_frames(clean), len(clean)


def frame_targets(items, output_frames: int, word_ids, blank: int, stride: int = 8, offset: int = 10) -> torch.Tensor:
    """[B, output_frames] labels for encoder output frames: output frame j takes the label of
    input (10 ms) frame stride * j + offset, mapped onto the clean word's frames. The defaults
    are the streaming FastConformer's drop_frames=2 grid (output frame j has seen input frames
    up to 8j + 16); the Paraformer's LFR 7/6 frame j is centred on input frame 6j (stride 6,
    offset 0)."""
    targets = torch.full((len(items), output_frames), blank, dtype=torch.long)
    centre = stride * np.arange(output_frames) + offset
    for b, (noisy, _, speech, clean_len) in enumerate(items):
        ratio = clean_len / max(1, len(noisy))
        idx = np.minimum((centre * ratio).astype(np.int64), len(speech) - 1)
        targets[b, torch.from_numpy(speech[idx])] = word_ids[b]
    return targets
