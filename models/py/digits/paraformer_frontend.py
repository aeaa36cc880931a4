"""The offline Paraformer front end as sherpa-onnx and our runtime compute it (preset
`sherpa-offline-paraformer`): Kaldi fbank -> LFR 7/6 -> CMVN, and the CMVN statistics
measured on training strings (what FunASR's am.mvn holds for a real model)."""
from __future__ import annotations

from typing import Tuple

import numpy as np
import torch

from features_torch import apply_cmvn, lfr_offline, paraformer_fbank

from .dataset import DigitStringDataset


def lfr_features(wave: np.ndarray, vtln_warp: float = 1.0) -> np.ndarray:
    """wave float32 [N] at 16 kHz -> LFR features [ceil(T/6), 560] before CMVN ([0, 560] if
    the utterance is shorter than one 25 ms frame). `vtln_warp` != 1 only in training."""
    fb = paraformer_fbank(torch.from_numpy(np.ascontiguousarray(wave, dtype=np.float32)), vtln_warp).numpy()
    if fb.shape[0] == 0:
        return np.zeros((0, 560), dtype=np.float32)
    return lfr_offline(fb).astype(np.float32)


def frontend(wave: np.ndarray, neg_mean: np.ndarray, inv_stddev: np.ndarray, vtln_warp: float = 1.0) -> np.ndarray:
    return apply_cmvn(lfr_features(wave, vtln_warp), neg_mean, inv_stddev).astype(np.float32)


def cmvn_statistics(strings: DigitStringDataset, count: int) -> Tuple[np.ndarray, np.ndarray]:
    """(neg_mean, inv_stddev) over every LFR frame of `count` training strings (augmented
    as in training, silences included, since that is what the model will see)."""
    total = np.zeros(560, dtype=np.float64)
    squares = np.zeros(560, dtype=np.float64)
    frames = 0
    for i in range(count):
        feats = lfr_features(strings[i][0].numpy()).astype(np.float64)
        total += feats.sum(axis=0)
        squares += (feats**2).sum(axis=0)
        frames += feats.shape[0]
    mean = total / frames
    std = np.sqrt(np.maximum(squares / frames - mean**2, 1e-10))
    return (-mean).astype(np.float32), (1.0 / std).astype(np.float32)
