"""Exporters for FastConformer models in the public NeMo / sherpa-onnx ONNX contracts
(../shared/reference/asr-model-contracts.md 2.1.1-2.1.2, 2.2.1-2.2.2, 2.3, 4.3).

sherpa binds inputs and outputs by position, so the order of the name lists below
is the contract; the names follow NeMo's except the LSTM states, which NeMo leaves
to the exporter (`states.1`, `onnx::LSTM_3`, `74`) and which are `h`, `c`, `h_next`,
`c_next` here.

Layouts written:
- streaming CTC:        model.onnx, tokens.txt
- streaming transducer: encoder.onnx, decoder.onnx, joiner.onnx, tokens.txt
- streaming hybrid:     the transducer files + ctc-head.onnx (encoder_outputs
                        [B, D, T] -> logprobs, so one encoder call serves both heads)
                        + model.onnx (encoder fused with the CTC head, the same
                        weights, so sherpa can decode the CTC branch)
- offline CTC:          model.onnx, tokens.txt
- offline transducer:   encoder.onnx (2 in / 2 out), decoder.onnx, joiner.onnx, tokens.txt

One streaming encoder graph serves every lookahead R the weights were trained for:
the graph takes any window length, and R only picks window_size = 8(R+1)+9 and
chunk_shift = 8(R+1). The metadata carries the default R's pair for sherpa and the
extension key `speechstream_lookaheads` listing the supported R values.
"""
from __future__ import annotations

import os
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import nn

from .fastconformer import FastConformerEncoder, chunk_shift, window_size
from .fastconformer_ctc import CTCHead
from .fastconformer_models import FastConformerASR
from .fastconformer_subsampling import FACTOR
from .onnx_export import export_onnx, write_tokens
from .rnnt import RNNTJoiner, RNNTPredictor

VERSION = "1"
AUTHOR = "speechstream"
BLANK_SYMBOL = "<blk>"

STREAMING_INPUTS = ["audio_signal", "length", "cache_last_channel", "cache_last_time", "cache_last_channel_len"]
STREAMING_STATE_OUTPUTS = ["cache_last_channel_next", "cache_last_time_next", "cache_last_channel_next_len"]
STREAMING_INPUT_AXES = {
    "audio_signal": {0: "batch", 2: "time"},
    "length": {0: "batch"},
    "cache_last_channel": {0: "batch", 2: "cache_channel_time"},
    "cache_last_time": {0: "batch", 3: "cache_time_time"},
    "cache_last_channel_len": {0: "batch"},
}
STREAMING_STATE_AXES = {
    "encoded_lengths": {0: "batch"},
    "cache_last_channel_next": {0: "batch", 2: "cache_channel_time"},
    "cache_last_time_next": {0: "batch", 3: "cache_time_time"},
    "cache_last_channel_next_len": {0: "batch"},
}
DECODER_INPUTS = ["targets", "target_length", "h", "c"]
DECODER_OUTPUTS = ["outputs", "prednet_lengths", "h_next", "c_next"]
DECODER_AXES = {
    "targets": {0: "batch", 1: "tokens"},
    "target_length": {0: "batch"},
    "h": {1: "batch"},
    "c": {1: "batch"},
    "outputs": {0: "batch", 2: "tokens"},
    "prednet_lengths": {0: "batch"},
    "h_next": {1: "batch"},
    "c_next": {1: "batch"},
}
JOINER_AXES = {
    "encoder_outputs": {0: "batch", 2: "frames"},
    "decoder_outputs": {0: "batch", 2: "tokens"},
    "outputs": {0: "batch", 1: "frames", 2: "tokens"},
}

# NeMo model class names sherpa recognises in `model_type` (2.3).
MODEL_TYPES = {"ctc": "EncDecCTCModelBPE", "rnnt": "EncDecRNNTBPEModel", "hybrid": "EncDecHybridRNNTCTCBPEModel"}

Written = Dict[str, Dict[str, object]]  # file name -> {"inputs", "outputs", "metadata"}


# --- graph wrappers: each forward has exactly the contract's inputs and outputs ----------


class _StreamingCTC(nn.Module):
    def __init__(self, encoder: FastConformerEncoder, ctc: CTCHead) -> None:
        super().__init__()
        self.encoder, self.ctc = encoder, ctc

    def forward(self, audio_signal, length, cache_last_channel, cache_last_time, cache_last_channel_len):
        out, out_len, ch, t, ch_len = self.encoder.forward_streaming(
            audio_signal, length, cache_last_channel, cache_last_time, cache_last_channel_len
        )
        return self.ctc(out), out_len, ch, t, ch_len


class _StreamingEncoder(nn.Module):
    def __init__(self, encoder: FastConformerEncoder) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, audio_signal, length, cache_last_channel, cache_last_time, cache_last_channel_len):
        return self.encoder.forward_streaming(
            audio_signal, length, cache_last_channel, cache_last_time, cache_last_channel_len
        )


class _OfflineEncoder(nn.Module):
    def __init__(self, encoder: FastConformerEncoder, lookahead: Optional[int]) -> None:
        super().__init__()
        self.encoder, self.lookahead = encoder, lookahead

    def forward(self, audio_signal, length):
        return self.encoder(audio_signal, length, self.lookahead)


class _OfflineCTC(nn.Module):
    def __init__(self, encoder: FastConformerEncoder, ctc: CTCHead, lookahead: Optional[int]) -> None:
        super().__init__()
        self.encoder, self.ctc, self.lookahead = encoder, ctc, lookahead

    def forward(self, audio_signal, length):
        return self.ctc(self.encoder(audio_signal, length, self.lookahead)[0])


class _CTCHeadOnly(nn.Module):
    def __init__(self, ctc: CTCHead) -> None:
        super().__init__()
        self.ctc = ctc

    def forward(self, encoder_outputs):
        return self.ctc(encoder_outputs)


class _Decoder(nn.Module):
    def __init__(self, predictor: RNNTPredictor) -> None:
        super().__init__()
        self.predictor = predictor

    def forward(self, targets, target_length, h, c):
        out, h_next, c_next = self.predictor(targets, h, c)
        # prednet_lengths is informational (sherpa ignores it); NeMo returns the input lengths.
        return out.transpose(1, 2), target_length * 1, h_next, c_next


class _Joiner(nn.Module):
    def __init__(self, joiner: RNNTJoiner) -> None:
        super().__init__()
        self.joiner = joiner

    def forward(self, encoder_outputs, decoder_outputs):
        return self.joiner(encoder_outputs.transpose(1, 2), decoder_outputs.transpose(1, 2))


# --- metadata ------------------------------------------------------------------------------


def _check_lookaheads(encoder: FastConformerEncoder, default_lookahead: int) -> Tuple[int, ...]:
    lookaheads = tuple(encoder.config.lookaheads)
    if default_lookahead not in lookaheads:
        raise ValueError(f"default lookahead {default_lookahead} is not one of {lookaheads}")
    return lookaheads


def streaming_metadata(model: FastConformerASR, default_lookahead: int, comment: str) -> Dict[str, object]:
    """Keys of 2.1.2 (and 2.2.2 when the model has a prediction network)."""
    c = model.encoder.config
    lookaheads = _check_lookaheads(model.encoder, default_lookahead)
    meta: Dict[str, object] = {
        "vocab_size": model.head_config.vocab_size,  # without blank; sherpa adds 1
        "window_size": window_size(default_lookahead),
        "chunk_shift": chunk_shift(default_lookahead),
        "subsampling_factor": FACTOR,
        "cache_last_channel_dim1": c.n_layers,
        "cache_last_channel_dim2": c.left_context,
        "cache_last_channel_dim3": c.d_model,
        "cache_last_time_dim1": c.n_layers,
        "cache_last_time_dim2": c.d_model,
        "cache_last_time_dim3": c.conv_kernel - 1,
        "normalize_type": "",
        "model_type": MODEL_TYPES[model.kind],
        "version": VERSION,
        "model_author": AUTHOR,
        "comment": comment,
        "speechstream_lookaheads": ",".join(str(r) for r in lookaheads),
    }
    if model.predictor is not None:
        meta["pred_rnn_layers"] = model.head_config.pred_rnn_layers
        meta["pred_hidden"] = model.head_config.pred_hidden
    return meta


def offline_metadata(model: FastConformerASR, lookahead: Optional[int], comment: str) -> Dict[str, object]:
    """Keys of 2.3, plus `speechstream_att_context` in NeMo's [left, right] notation."""
    meta: Dict[str, object] = {
        "vocab_size": model.head_config.vocab_size,
        "subsampling_factor": FACTOR,
        "normalize_type": "",
        "model_type": MODEL_TYPES[model.kind],
        "version": VERSION,
        "model_author": AUTHOR,
        "comment": comment,
        "speechstream_att_context": "-1,-1"
        if lookahead is None
        else f"{model.encoder.config.left_context},{lookahead}",
    }
    if model.predictor is not None:
        meta["pred_rnn_layers"] = model.head_config.pred_rnn_layers
        meta["pred_hidden"] = model.head_config.pred_hidden
    return meta


# --- example inputs --------------------------------------------------------------------------


def _streaming_example(encoder: FastConformerEncoder, lookahead: int) -> Tuple[torch.Tensor, ...]:
    # Batch 2 with different cache lengths so nothing batch- or value-specific gets folded.
    g = torch.Generator().manual_seed(0)
    c = encoder.config
    state = encoder.initial_state(2)
    win = window_size(lookahead)
    return (
        torch.randn(2, c.feat_in, win, generator=g),
        torch.tensor([win, win]),
        torch.randn(state.cache_last_channel.shape, generator=g),
        torch.randn(state.cache_last_time.shape, generator=g),
        torch.tensor([0, c.left_context // 2]),
    )


def _offline_example(encoder: FastConformerEncoder) -> Tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(2, encoder.config.feat_in, 200, generator=g), torch.tensor([200, 150])


def _decoder_example(predictor: RNNTPredictor) -> Tuple[torch.Tensor, ...]:
    h, c = predictor.initial_state(2)
    return (
        torch.tensor([[predictor.blank], [0]], dtype=torch.int32),
        torch.tensor([1, 1], dtype=torch.int32),
        h,
        c,
    )


def _joiner_example(model: FastConformerASR) -> Tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(0)
    return (
        torch.randn(2, model.encoder.config.d_model, 3, generator=g),
        torch.randn(2, model.head_config.pred_hidden, 2, generator=g),
    )


# --- exporters -----------------------------------------------------------------------------


def _export(
    module: nn.Module,
    args: Tuple[torch.Tensor, ...],
    out_dir: str,
    name: str,
    inputs: List[str],
    outputs: List[str],
    axes: Dict[str, Dict[int, str]],
    metadata: Optional[Dict[str, object]],
    written: Written,
) -> None:
    module.eval()
    with warnings.catch_warnings():
        # torch.onnx's UserWarnings here are known and harmless: un-foldable slices, missing
        # shape inference for constants, and the LSTM batch warning that does not apply
        # because h and c are graph inputs. The ONNX checks downstream are what counts.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
        export_onnx(module, args, os.path.join(out_dir, name), inputs, outputs, axes, metadata)
    written[name] = {"inputs": inputs, "outputs": outputs, "metadata": {k: str(v) for k, v in (metadata or {}).items()}}


def tokens_with_blank(pieces: Sequence[str]) -> List[str]:
    if BLANK_SYMBOL in pieces:
        raise ValueError(f"{BLANK_SYMBOL} is added by the exporter; the vocabulary must not contain it")
    return list(pieces) + [BLANK_SYMBOL]


def _write_tokens(out_dir: str, model: FastConformerASR, pieces: Sequence[str]) -> None:
    if len(pieces) != model.head_config.vocab_size:
        raise ValueError(f"{len(pieces)} pieces for a vocabulary of {model.head_config.vocab_size}")
    write_tokens(os.path.join(out_dir, "tokens.txt"), tokens_with_blank(pieces))


def _export_decoder_joiner(model: FastConformerASR, out_dir: str, written: Written) -> None:
    assert model.predictor is not None and model.joiner is not None
    _export(
        _Decoder(model.predictor), _decoder_example(model.predictor), out_dir, "decoder.onnx",
        DECODER_INPUTS, DECODER_OUTPUTS, DECODER_AXES, None, written,
    )  # fmt: skip
    _export(
        _Joiner(model.joiner), _joiner_example(model), out_dir, "joiner.onnx",
        ["encoder_outputs", "decoder_outputs"], ["outputs"], JOINER_AXES, None, written,
    )  # fmt: skip


def export_streaming_ctc(
    model: FastConformerASR,
    out_dir: str,
    pieces: Sequence[str],
    default_lookahead: int,
    comment: str = "Only the CTC branch is exported",
) -> Written:
    if model.ctc is None:
        raise ValueError("model has no CTC head")
    written: Written = {}
    axes = dict(STREAMING_INPUT_AXES, logprobs={0: "batch", 1: "frames"}, **STREAMING_STATE_AXES)
    meta = streaming_metadata(model, default_lookahead, comment)
    _export(
        _StreamingCTC(model.encoder, model.ctc), _streaming_example(model.encoder, default_lookahead), out_dir,
        "model.onnx", STREAMING_INPUTS, ["logprobs", "encoded_lengths"] + STREAMING_STATE_OUTPUTS, axes, meta,
        written,
    )  # fmt: skip
    _write_tokens(out_dir, model, pieces)
    return written


def export_streaming_transducer(
    model: FastConformerASR,
    out_dir: str,
    pieces: Sequence[str],
    default_lookahead: int,
    comment: str = "Only the transducer branch is exported",
) -> Written:
    if model.predictor is None:
        raise ValueError("model has no RNN-T head")
    written: Written = {}
    axes = dict(STREAMING_INPUT_AXES, outputs={0: "batch", 2: "frames"}, **STREAMING_STATE_AXES)
    meta = streaming_metadata(model, default_lookahead, comment)
    _export(
        _StreamingEncoder(model.encoder), _streaming_example(model.encoder, default_lookahead), out_dir,
        "encoder.onnx", STREAMING_INPUTS, ["outputs", "encoded_lengths"] + STREAMING_STATE_OUTPUTS, axes, meta,
        written,
    )  # fmt: skip
    _export_decoder_joiner(model, out_dir, written)
    _write_tokens(out_dir, model, pieces)
    return written


def export_streaming_hybrid(
    model: FastConformerASR, out_dir: str, pieces: Sequence[str], default_lookahead: int
) -> Written:
    """Transducer files + ctc-head.onnx (shares the encoder call) + fused CTC model.onnx."""
    if model.kind != "hybrid" or model.ctc is None:
        raise ValueError("model is not a hybrid")
    written = export_streaming_transducer(
        model, out_dir, pieces, default_lookahead, "Hybrid: transducer branch; ctc-head.onnx takes its outputs"
    )
    _export(
        _CTCHeadOnly(model.ctc), _joiner_example(model)[:1], out_dir, "ctc-head.onnx",
        ["encoder_outputs"], ["logprobs"], {"encoder_outputs": {0: "batch", 2: "frames"},
                                            "logprobs": {0: "batch", 1: "frames"}}, None, written,
    )  # fmt: skip
    written.update(
        export_streaming_ctc(model, out_dir, pieces, default_lookahead, "Hybrid: encoder fused with the CTC branch")
    )
    return written


def export_offline_ctc(
    model: FastConformerASR, out_dir: str, pieces: Sequence[str], lookahead: Optional[int] = None
) -> Written:
    """[B, 80, T] + int64 length -> log-probs [B, T', V+1]. lookahead None = full context."""
    if model.ctc is None:
        raise ValueError("model has no CTC head")
    written: Written = {}
    axes = {"audio_signal": {0: "batch", 2: "time"}, "length": {0: "batch"}, "logprobs": {0: "batch", 1: "frames"}}
    meta = offline_metadata(model, lookahead, "Offline CTC")
    _export(
        _OfflineCTC(model.encoder, model.ctc, lookahead), _offline_example(model.encoder), out_dir, "model.onnx",
        ["audio_signal", "length"], ["logprobs"], axes, meta, written,
    )  # fmt: skip
    _write_tokens(out_dir, model, pieces)
    return written


def export_offline_transducer(
    model: FastConformerASR, out_dir: str, pieces: Sequence[str], lookahead: Optional[int] = None
) -> Written:
    if model.predictor is None:
        raise ValueError("model has no RNN-T head")
    written: Written = {}
    axes = {
        "audio_signal": {0: "batch", 2: "time"},
        "length": {0: "batch"},
        "outputs": {0: "batch", 2: "frames"},
        "encoded_lengths": {0: "batch"},
    }
    meta = offline_metadata(model, lookahead, "Offline transducer")
    _export(
        _OfflineEncoder(model.encoder, lookahead), _offline_example(model.encoder), out_dir, "encoder.onnx",
        ["audio_signal", "length"], ["outputs", "encoded_lengths"], axes, meta, written,
    )  # fmt: skip
    _export_decoder_joiner(model, out_dir, written)
    _write_tokens(out_dir, model, pieces)
    return written
