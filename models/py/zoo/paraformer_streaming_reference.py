"""sherpa-onnx's streaming Paraformer loop (`online-recognizer-paraformer-impl.h`, section
3.2.3), replayed in PyTorch over the same module the streaming graphs are exported from.
It predicts the token ids sherpa's OnlineRecognizer emits for a clip, so a test can hold
sherpa (and later our runtime) to them.

Per chunk: 61 fbank frames (advance 60; a short last chunk when the stream is final is
zero-padded to 61 and consumed whole) -> LFR without padding (10 frames) -> CMVN with
inv_stddev * sqrt(D) -> sinusoidal encoding at absolute LFR positions -> prepend the 8-frame
feature cache -> encoder (18 frames) -> alphas[0:5] = alphas[15:18] = 0 -> CIF carried
across chunks (no tail) -> decoder with FSMN caches on the fired tokens -> ids != 0.
"""
from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .paraformer_encoder import sinusoidal_encoding
from .paraformer_model import Paraformer

CHUNK_FRAMES = 61  # 0.61 s of 10 ms fbank frames -> (61 - 7) // 6 + 1 = 10 LFR frames
LEFT_CONTEXT = 5  # LFR frames of left context in the 18-frame encoder input
RIGHT_CONTEXT = 3  # and of right context (look-ahead)
ONE = np.float32(1.0)  # the CIF threshold


def unpadded_lfr(frames: torch.Tensor, m: int, n: int) -> torch.Tensor:
    count = (frames.shape[0] - m) // n + 1
    return torch.stack([frames[i * n : i * n + m].reshape(-1) for i in range(count)])


@torch.no_grad()
def sherpa_streaming_tokens(
    model: Paraformer,
    fbank_frames: torch.Tensor,
    neg_mean: Sequence[float],
    inv_stddev: Sequence[float],
    trace: Optional[List[Dict[str, torch.Tensor]]] = None,
) -> List[int]:
    """fbank_frames [F, 80] of the whole clip (input finished, is_final set) -> token ids.
    `trace`, if given, receives each decoder call's inputs (with the encoder window that
    produced them), for replaying real chunks through the ONNX graphs."""
    cfg = model.cfg
    d = cfg.d_model
    nm = torch.tensor(neg_mean, dtype=torch.float32)
    istd = torch.tensor(inv_stddev, dtype=torch.float32) * math.sqrt(d)
    cache_frames = LEFT_CONTEXT + RIGHT_CONTEXT
    feat_cache = torch.zeros(cache_frames, cfg.feat_dim)
    decoder_caches = [torch.zeros(1, d, cfg.decoder_cache_frames) for _ in range(cfg.decoder_blocks)]
    integrate = np.float32(0.0)  # float32 like sherpa, so fire decisions round the same way
    hidden = torch.zeros(d)
    processed = 0
    total = fbank_frames.shape[0]
    tokens: List[int] = []
    # With is_final set, sherpa's IsReady reduces to "some frames are unprocessed".
    while processed < total:
        available = total - processed
        before = processed
        if available < CHUNK_FRAMES:
            chunk = torch.zeros(CHUNK_FRAMES, fbank_frames.shape[1])
            chunk[:available] = fbank_frames[processed:]
            processed += available
        else:
            chunk = fbank_frames[processed : processed + CHUNK_FRAMES]
            processed += CHUNK_FRAMES - 1
        x = (unpadded_lfr(chunk, cfg.lfr_m, cfg.lfr_n) + nm) * istd
        positions = torch.arange(x.shape[0], dtype=torch.float32) + 1 + before // cfg.lfr_n
        x = x + sinusoidal_encoding(positions, model.encoder.inv_timescales)
        x = torch.cat([feat_cache, x], dim=0)
        feat_cache = x[-cache_frames:]
        lengths = torch.tensor([x.shape[0]], dtype=torch.int32)
        enc, mask = model.encode(x[None], lengths, embed=False)
        alphas = model.predictor.alphas(enc, mask)[0].clone()
        alphas[:LEFT_CONTEXT] = 0.0
        alphas[x.shape[0] - RIGHT_CONTEXT :] = 0.0
        fired: List[torch.Tensor] = []
        for t in range(x.shape[0]):
            a = np.float32(alphas[t])
            h = enc[0, t]
            if integrate + a < ONE:
                integrate = integrate + a
                hidden = hidden + float(a) * h
                continue
            fired.append(hidden + float(ONE - integrate) * h)
            integrate = integrate + (a - ONE)
            hidden = float(integrate) * h
        if not fired:
            continue
        embeds = torch.stack(fired)[None]
        token_mask = torch.ones(1, embeds.shape[1], dtype=torch.bool)
        if trace is not None:
            trace.append({"window": x[None], "embeds": embeds, "caches": list(decoder_caches)})
        logits, decoder_caches = model.decoder.forward_cached(embeds, token_mask, enc, mask, decoder_caches)
        tokens.extend(int(i) for i in logits[0].argmax(-1) if int(i) != 0)
    return tokens
