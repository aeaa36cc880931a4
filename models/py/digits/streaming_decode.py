"""Greedy decoding of the streaming model in torch, exactly as the runtime (and sherpa-onnx)
runs the exported graphs, for evaluation during and after training.

The runtime appends max(0.66 s, chunk_shift + 2 frames) of zeros, then encodes windows of
8(R+1)+9 feature frames every 8(R+1) frames from frame 0 while a frame beyond the window
exists. check_streaming.py proves that n such windows equal the full forward with the
chunked mask and drop_frames=2 over the first 8n(R+1)+9 frames, which is what
`encode_like_runtime` computes (one batched call instead of n).
"""
from __future__ import annotations

import math
from typing import List

import torch

from features_torch import nemo_log_mel
from zoo.fastconformer import DROP_PRE_ENCODED, chunk_shift, window_size
from zoo.fastconformer_models import FastConformerASR

SAMPLE_RATE = 16000
FRAME_SAMPLES = 160
MIN_TAIL_PADDING_S = 0.66
MAX_SYMBOLS_PER_FRAME = 10


def tail_padding_samples(lookahead: int) -> int:
    frames = max(math.ceil(MIN_TAIL_PADDING_S / 0.01), chunk_shift(lookahead) + 2)
    return frames * FRAME_SAMPLES


def runtime_windows(feature_frames: int, lookahead: int) -> int:
    """Windows the runtime encodes: starts kS with kS + W < frames (strictly, as sherpa)."""
    win, shift = window_size(lookahead), chunk_shift(lookahead)
    return 0 if feature_frames <= win else (feature_frames - win - 1) // shift + 1


@torch.no_grad()
def encode_like_runtime(model: FastConformerASR, wave: torch.Tensor, lookahead: int) -> torch.Tensor:
    """wave [N] float at 16 kHz -> encoder output [D, M] the runtime would produce."""
    padded = torch.cat([wave, torch.zeros(tail_padding_samples(lookahead))])
    feats, _ = nemo_log_mel(padded)
    n = runtime_windows(feats.shape[2], lookahead)
    if n == 0:
        return torch.zeros(model.encoder.config.d_model, 0)
    covered = (n - 1) * chunk_shift(lookahead) + window_size(lookahead)
    feats = feats[:, :, :covered]
    out, _ = model.encode(feats, torch.tensor([covered]), lookahead, DROP_PRE_ENCODED)
    return out[0]


@torch.no_grad()
def ctc_greedy(model: FastConformerASR, encoded: torch.Tensor) -> List[int]:
    """encoded [D, T] -> token ids: argmax per frame, repeats merged, blanks dropped."""
    best = model.ctc(encoded.unsqueeze(0))[0].argmax(dim=-1).tolist()
    out, prev = [], model.blank
    for t in best:
        if t != prev and t != model.blank:
            out.append(t)
        prev = t
    return out


@torch.no_grad()
def rnnt_greedy(model: FastConformerASR, encoded: torch.Tensor) -> List[int]:
    """NeMo/sherpa greedy transducer search: up to 10 symbols per frame; the prediction
    network starts from blank (its zero embedding) and only advances on a non-blank."""
    predictor, joiner, blank = model.predictor, model.joiner, model.blank
    h, c = predictor.initial_state(1)
    dec, h_next, c_next = predictor(torch.tensor([[blank]]), h, c)
    enc_proj = joiner.enc_proj(encoded.t())  # [T, J]
    out: List[int] = []
    for t in range(enc_proj.shape[0]):
        for _ in range(MAX_SYMBOLS_PER_FRAME):
            logits = joiner.out(torch.relu(enc_proj[t] + joiner.pred_proj(dec[0, 0])))
            k = int(logits.argmax())
            if k == blank:
                break
            out.append(k)
            h, c = h_next, c_next
            dec, h_next, c_next = predictor(torch.tensor([[k]]), h, c)
    return out
