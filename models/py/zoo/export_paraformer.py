"""Exports a zoo Paraformer in the FunASR / sherpa-onnx ONNX contracts.

Offline (section 3.1), a directory that looks like a FunASR export plus sherpa metadata:
  model.onnx   in:  speech float32 [B, T, 560] (LFR+CMVN), speech_lengths int32 [B]
               out: logits float32 [B, N, V] (log-softmax), token_num int32 [B]
               (timestamps=True, FunASR's BiCif layout): + us_alphas, us_cif_peak
               float32 [B, 3T], 20 ms per index; sherpa-onnx reads output 3 for times
               metadata: vocab_size, lfr_window_size, lfr_window_shift, neg_mean,
               inv_stddev (560 comma-joined floats), model_type=paraformer, + informational
  tokens.txt   `<blank> 0`, `<s> 1`, `</s> 2`, pieces, `<unk>`
  am.mvn       the same CMVN vectors as FunASR's Kaldi nnet1 text

Streaming (section 3.2): encoder.onnx (no sqrt(d) scaling or position encoding inside;
enc, enc_len, alphas out, no CIF) and decoder.onnx (K FSMN caches [B, D, kernel-1] in and
out, int64 sample_ids), metadata on the encoder.

All graphs go through onnx_export.export_onnx (TorchScript exporter, dynamo off on torch
>= 2.9) at opset 14 like FunASR. An utterance for which CIF fires no token (integrated
weight + tail_threshold < 1, e.g. a few frames, or silence for a trained model) gives
N = 0: `logits` [B, 0, V] and token_num 0 without an error (no -1 reshapes, convolutions
padded so an empty time axis stays legal), so runtimes see an empty result rather than
the exception FunASR's and sherpa's runtimes catch for real FunASR exports. Zero input
frames (T = 0) also run.

Internals that differ from FunASR's export without changing the contract: the encoder
output is zeroed past each length before the CIF conv and tail (FunASR leaves padding
garbage there, so a batched utterance could differ from the same one alone); CIF is a
dense overlap matrix instead of scatter ops; token_num = floor of the float64 prefix sum
(FunASR: float32 sum) so token_num always equals the number of fired tokens.
"""
from __future__ import annotations

import os
import time
from typing import Dict, List, Mapping, Sequence

import torch
from torch import nn

from .onnx_export import MetaValue, export_onnx, write_tokens
from .paraformer_attention import length_mask
from .paraformer_config import EOS_ID, ParaformerConfig
from .paraformer_features import write_am_mvn
from .paraformer_model import Paraformer

OPSET = 14  # FunASR's default; onnx 1.12 and every onnxruntime in use accept it


class OfflineGraph(nn.Module):
    def __init__(self, model: Paraformer, timestamps: bool = False) -> None:
        super().__init__()
        self.model = model
        self.timestamps = timestamps

    def forward(self, speech: torch.Tensor, speech_lengths: torch.Tensor):
        if self.timestamps:
            return self.model.infer_timestamps(speech, speech_lengths)
        return self.model.infer(speech, speech_lengths)


# FunASR bicif_paraformer/export_meta.py names and axes.
TIMESTAMP_OUTPUTS = ["us_alphas", "us_cif_peak"]


class StreamingEncoderGraph(nn.Module):
    """-> enc [B,T,D] (same T: no subsampling, sherpa zeroes alphas by index), enc_len
    int32 [B], alphas [B,T] (no tail: the runtime carries CIF across chunks)."""

    def __init__(self, model: Paraformer) -> None:
        super().__init__()
        self.model = model

    def forward(self, speech: torch.Tensor, speech_lengths: torch.Tensor):
        enc, mask = self.model.encode(speech, speech_lengths, embed=False)
        alphas = self.model.predictor.alphas(enc, mask)
        return enc, speech_lengths.to(torch.int32), alphas


class StreamingDecoderGraph(nn.Module):
    """(enc, enc_len, acoustic_embeds, acoustic_embeds_len, in_cache_0..K-1) ->
    (logits [B,N,V] before softmax as FunASR exports them, sample_ids int64 [B,N],
    out_cache_0..K-1)."""

    def __init__(self, model: Paraformer) -> None:
        super().__init__()
        self.model = model

    def forward(self, enc, enc_len, acoustic_embeds, acoustic_embeds_len, *caches):
        enc_mask = length_mask(enc_len, enc.shape[1])
        token_mask = length_mask(acoustic_embeds_len, acoustic_embeds.shape[1])
        logits, new_caches = self.model.decoder.forward_cached(
            acoustic_embeds, token_mask, enc, enc_mask, caches
        )
        return (logits, logits.argmax(dim=-1), *new_caches)


def _common_metadata(
    cfg: ParaformerConfig, neg_mean: Sequence[float], inv_stddev: Sequence[float]
) -> Dict[str, MetaValue]:
    if len(neg_mean) != cfg.feat_dim or len(inv_stddev) != cfg.feat_dim:
        raise ValueError(f"CMVN vectors must have {cfg.feat_dim} values")
    return {
        "vocab_size": cfg.vocab_size,
        "lfr_window_size": cfg.lfr_m,
        "lfr_window_shift": cfg.lfr_n,
        "neg_mean": list(neg_mean),
        "inv_stddev": list(inv_stddev),
        "model_type": "paraformer",
        # Informational: not read by sherpa, handy for runtimes and people.
        "encoder_output_size": cfg.d_model,
        "tail_threshold": cfg.cif_tail_threshold,
        "predictor_bias": cfg.predictor_bias,
        "eos_id": EOS_ID,
        "model_author": "speechstream zoo (models/py/zoo)",
    }


def _check_tokens(cfg: ParaformerConfig, tokens: Sequence[str]) -> None:
    if len(tokens) != cfg.vocab_size:
        raise ValueError(f"{len(tokens)} tokens for vocab_size {cfg.vocab_size}")
    if list(tokens[:3]) != ["<blank>", "<s>", "</s>"]:
        raise ValueError("tokens must start with <blank>, <s>, </s>")


def export_offline(
    model: Paraformer,
    out_dir: str,
    tokens: Sequence[str],
    neg_mean: Sequence[float],
    inv_stddev: Sequence[float],
    extra_metadata: Mapping[str, MetaValue] | None = None,
    timestamps: bool = False,
) -> Dict[str, object]:
    """Writes model.onnx, tokens.txt, am.mvn into out_dir; returns paths and export seconds.
    timestamps=True adds the BiCif outputs us_alphas / us_cif_peak (outputs 2 and 3)."""
    cfg = model.cfg
    _check_tokens(cfg, tokens)
    model.eval()
    # FunASR's dummy batch: two utterances of different length, so masks are traced.
    g = torch.Generator().manual_seed(0)
    speech = torch.randn(2, 30, cfg.feat_dim, generator=g)
    lengths = torch.tensor([6, 30], dtype=torch.int32)
    meta = _common_metadata(cfg, neg_mean, inv_stddev)
    meta["comment"] = "offline paraformer: logits are log-softmax; decode argmax until </s>"
    meta.update(extra_metadata or {})
    path = os.path.join(out_dir, "model.onnx")
    axes: Dict[str, Dict[int, str]] = {
        "speech": {0: "batch_size", 1: "feats_length"},
        "speech_lengths": {0: "batch_size"},
        "logits": {0: "batch_size", 1: "logits_length"},
        "token_num": {0: "batch_size"},
    }
    outputs = ["logits", "token_num"]
    if timestamps:
        outputs += TIMESTAMP_OUTPUTS
        axes.update({name: {0: "batch_size", 1: "alphas_length"} for name in TIMESTAMP_OUTPUTS})
    start = time.perf_counter()
    export_onnx(
        OfflineGraph(model, timestamps),
        (speech, lengths),
        path,
        input_names=["speech", "speech_lengths"],
        output_names=outputs,
        dynamic_axes=axes,
        metadata=meta,
        opset=OPSET,
    )
    seconds = time.perf_counter() - start
    write_tokens(os.path.join(out_dir, "tokens.txt"), tokens)
    write_am_mvn(os.path.join(out_dir, "am.mvn"), neg_mean, inv_stddev)
    return {"model": path, "export_seconds": seconds}


def export_streaming(
    model: Paraformer,
    out_dir: str,
    tokens: Sequence[str],
    neg_mean: Sequence[float],
    inv_stddev: Sequence[float],
    extra_metadata: Mapping[str, MetaValue] | None = None,
) -> Dict[str, object]:
    """Writes encoder.onnx, decoder.onnx, tokens.txt, am.mvn; the model's decoder FSMN must
    be causal (decoder_sanm_shift = streaming_decoder_shift(kernel)) for caches to work."""
    cfg = model.cfg
    _check_tokens(cfg, tokens)
    if model.decoder.layers[0].fsmn.right != 0:
        raise ValueError("streaming export needs a causal decoder FSMN (see streaming_decoder_shift)")
    model.eval()
    g = torch.Generator().manual_seed(0)
    d, k = cfg.d_model, cfg.decoder_cache_frames
    blocks = cfg.decoder_blocks
    meta = _common_metadata(cfg, neg_mean, inv_stddev)
    meta.update(
        {
            "decoder_num_blocks": blocks,
            "decoder_kernel_size": cfg.decoder_kernel,
            "comment": "streaming paraformer: runtime scales CMVN by sqrt(encoder_output_size) and adds the position encoding",
        }
    )
    meta.update(extra_metadata or {})
    start = time.perf_counter()
    encoder_path = os.path.join(out_dir, "encoder.onnx")
    export_onnx(
        StreamingEncoderGraph(model),
        (torch.randn(2, 30, cfg.feat_dim, generator=g), torch.tensor([6, 30], dtype=torch.int32)),
        encoder_path,
        input_names=["speech", "speech_lengths"],
        output_names=["enc", "enc_len", "alphas"],
        dynamic_axes={
            "speech": {0: "batch_size", 1: "feats_length"},
            "speech_lengths": {0: "batch_size"},
            "enc": {0: "batch_size", 1: "feats_length"},
            "enc_len": {0: "batch_size"},
            "alphas": {0: "batch_size", 1: "feats_length"},
        },
        metadata=meta,
        opset=OPSET,
    )
    in_caches: List[str] = [f"in_cache_{i}" for i in range(blocks)]
    out_caches: List[str] = [f"out_cache_{i}" for i in range(blocks)]
    dummy = (
        torch.randn(2, 100, d, generator=g),
        torch.tensor([30, 100], dtype=torch.int32),
        torch.randn(2, 10, d, generator=g),
        torch.tensor([5, 10], dtype=torch.int32),
        *[torch.zeros(2, d, k) for _ in range(blocks)],
    )
    axes: Dict[str, Dict[int, str]] = {
        "enc": {0: "batch_size", 1: "enc_length"},
        "enc_len": {0: "batch_size"},
        "acoustic_embeds": {0: "batch_size", 1: "token_length"},
        "acoustic_embeds_len": {0: "batch_size"},
        "logits": {0: "batch_size", 1: "token_length"},
        "sample_ids": {0: "batch_size", 1: "token_length"},
    }
    axes.update({name: {0: "batch_size"} for name in in_caches + out_caches})
    decoder_path = os.path.join(out_dir, "decoder.onnx")
    export_onnx(
        StreamingDecoderGraph(model),
        dummy,
        decoder_path,
        input_names=["enc", "enc_len", "acoustic_embeds", "acoustic_embeds_len", *in_caches],
        output_names=["logits", "sample_ids", *out_caches],
        dynamic_axes=axes,
        opset=OPSET,
    )
    seconds = time.perf_counter() - start
    write_tokens(os.path.join(out_dir, "tokens.txt"), tokens)
    write_am_mvn(os.path.join(out_dir, "am.mvn"), neg_mean, inv_stddev)
    return {"encoder": encoder_path, "decoder": decoder_path, "export_seconds": seconds}
