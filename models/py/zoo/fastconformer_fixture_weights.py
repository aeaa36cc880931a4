"""Random weights that still decode to something on real speech.

A randomly initialised FastConformer maps every frame of real speech to almost the
same vector: log-mel frames share a large common level, random convolutions and
ReLUs pass it on, and the final LayerNorm output is ~90% one fixed direction. Random
heads then pick one class for every frame (all blank, or one token forever), which
would make token-identity tests against our runtime vacuous. So, deterministically:

1. The first subsampling conv gets kernels that sum to zero along time: the
   subsampler ignores any time-constant spectrum (recording level, channel, the
   empty band above 4 kHz of 8 kHz audio) and responds to spectral change.
2. Encoder outputs are whitened with statistics measured on synthetic speech-like
   audio (fastconformer_fixture_audio.py; no recording is read): mean, and the
   covariance's inverse square root with small eigenvalues floored so that no
   near-constant direction gets amplified.
3. Heads read the whitened vector z: token logit = SCALE * u_y . z with random unit
   vectors u_y. Each u_y is reflected, if needed, so that the encoding of a
   time-constant input (digital silence, tail padding) scores below zero: silence
   decodes to blank. SCALE is large so that float rounding (1e-6) is tiny next to
   typical top-1/top-2 logit gaps. The blank levels are quantiles over the
   calibration audio: CTC blank is a constant that the best token beats on
   CTC_EMIT_FRACTION of the frames; RNN-T blank grows with |Qz|_1 (see
   `calibrate_joiner`) so that bursts do not follow large deviations.
4. The RNN-T prediction network is close to "one-hot of the recent tokens": each
   token's embedding drives its own LSTM cell, the forget gate halves the older
   ones, and the joiner subtracts a large penalty from the logits of tokens the
   prediction network holds. Without it greedy RNN-T re-emits the frame's best
   token up to max-symbols (10) times; with it a frame emits about one token.
   Small random recurrent weights keep the LSTM state (h, c) relevant, so state
   plumbing errors show.
Checked by decoding jfk.wav and FSDD clips with sherpa-onnx
(test/unit/zoo/sherpa-nemo.test.ts); nothing here reads a recording.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch

from .fastconformer import FastConformerEncoder
from .fastconformer_fixture_audio import fbank, speech_like_audio
from .fastconformer_ctc import CTCHead
from .rnnt import RNNTJoiner, RNNTPredictor

SCALE = 50.0  # logit units per whitened unit along a token direction
# Fraction of calibration frames on which some token beats blank; the blank levels
# below are set from these (quantiles over the synthetic audio's encodings).
CTC_EMIT_FRACTION = 0.5
RNNT_EMIT_FRACTION = 0.4
CONV_IN_GAIN = 3.0  # makes the response to spectral change dominate the conv biases
EIGEN_FLOOR = 0.05  # whitening amplifies no direction more than 1/sqrt(0.05) = 4.5x the widest
CALIBRATION_SECONDS = 20.0
CALIBRATION_SEED = 7
REPEAT_PENALTY = 5000.0  # logits subtracted per unit of a token's prediction-net cell
EMBED_GAIN = 1.0
RECURRENT_STD = 0.02
FORGET_BIAS = 0.0  # sigmoid(0) = 0.5: each new token halves the older cells
OPEN_GATE_BIAS = 4.0  # input and output gates ~0.98


def perturb_defaults(module: torch.nn.Module, generator: torch.Generator) -> None:
    """Non-default LayerNorm gains/biases and position biases (zero at init), so the
    consistency checks exercise every parameter."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith(("pos_bias_u", "pos_bias_v")) or ".norm" in name or name.startswith("norm"):
                p.add_(0.1 * torch.randn(p.shape, generator=generator))


def make_change_sensitive(encoder: FastConformerEncoder) -> None:
    with torch.no_grad():
        w = encoder.pre_encode.conv_in.weight  # [C, 1, time, freq]
        w.sub_(w.mean(dim=2, keepdim=True)).mul_(CONV_IN_GAIN)


@dataclass(frozen=True)
class EncodingStats:
    mean: torch.Tensor  # [D]
    whitening: torch.Tensor  # [D, D], symmetric
    silence: torch.Tensor  # [D], encoding of a time-constant input
    calibration: torch.Tensor  # [N, D], the whitened encodings of the calibration audio

    def whiten(self, h: torch.Tensor) -> torch.Tensor:
        return (h - self.mean) @ self.whitening.t()


@torch.no_grad()
def encoding_stats(encoder: FastConformerEncoder, lookahead: Optional[int], drop_frames: int) -> EncodingStats:
    """Statistics of the encoder as it will run: (R, 2) for streaming, (None, 0) offline."""
    was_training = encoder.training
    encoder.eval()
    try:
        feats = fbank(speech_like_audio(CALIBRATION_SECONDS, CALIBRATION_SEED)).t().unsqueeze(0)
        h, _ = encoder(feats, torch.tensor([feats.shape[2]]), lookahead, drop_frames)
        h = h[0].t()
        mean = h.mean(0)
        centred = h - mean
        eigval, eigvec = torch.linalg.eigh(centred.t() @ centred / h.shape[0])
        eigval = torch.clamp(eigval, min=EIGEN_FLOOR * float(eigval.max()))
        whitening = eigvec @ torch.diag(eigval.rsqrt()) @ eigvec.t()
        frames = 8 * 200
        const, _ = encoder(torch.full((1, encoder.config.feat_in, frames), -5.0), torch.tensor([frames]), lookahead)
        silence = const[0, :, -1].clone()  # far from the start edge
        return EncodingStats(mean, whitening, silence, centred @ whitening.t())
    finally:
        encoder.train(was_training)


def _unit_rows(rows: int, cols: int, generator: torch.Generator) -> torch.Tensor:
    w = torch.randn(rows, cols, generator=generator)
    return w / w.norm(dim=1, keepdim=True)


def token_directions(vocab_size: int, stats: EncodingStats, generator: torch.Generator) -> torch.Tensor:
    """[V, D] unit rows in whitened space, each scoring the silence encoding below zero."""
    u = _unit_rows(vocab_size, stats.mean.numel(), generator)
    silent = stats.whiten(stats.silence)
    silent = silent / silent.norm()
    along = u @ silent
    return u - 2 * torch.clamp(along, min=0).unsqueeze(1) * silent.unsqueeze(0)


def calibrate_ctc(ctc: CTCHead, stats: EncodingStats, generator: torch.Generator) -> None:
    with torch.no_grad():
        v = ctc.vocab_size
        d = stats.mean.numel()
        weight = torch.zeros(v + 1, d)
        directions = token_directions(v, stats, generator)
        weight[:v] = SCALE * directions @ stats.whitening
        bias = -(weight @ stats.mean)
        best = (stats.calibration @ directions.t()).max(dim=1).values
        bias[v] = SCALE * torch.quantile(best, 1 - CTC_EMIT_FRACTION)
        ctc.proj.weight.copy_(weight.unsqueeze(2))
        ctc.proj.bias.copy_(bias)


def calibrate_predictor(predictor: RNNTPredictor, generator: torch.Generator) -> None:
    v, h = predictor.vocab_size, predictor.hidden
    if h < v or predictor.layers != 1:
        raise ValueError(f"needs one LSTM layer with pred_hidden >= vocab_size ({h} < {v}?)")
    with torch.no_grad():
        embed = torch.zeros(v + 1, h)
        embed[:v, :v] = EMBED_GAIN * torch.eye(v)
        predictor.embed.weight.copy_(embed)  # blank row stays the zero vector
        lstm = predictor.lstm
        w_ih = torch.zeros(4 * h, h)
        w_ih[2 * h : 3 * h] = 2.0 * torch.eye(h)  # cell candidate g = tanh(2 x)
        lstm.weight_ih_l0.copy_(w_ih)
        lstm.weight_hh_l0.copy_(RECURRENT_STD * torch.randn(4 * h, h, generator=generator))
        bias = torch.zeros(4 * h)
        bias[0:h] = OPEN_GATE_BIAS  # input gate (PyTorch order i, f, g, o)
        bias[h : 2 * h] = FORGET_BIAS
        bias[3 * h :] = OPEN_GATE_BIAS  # output gate
        lstm.bias_ih_l0.copy_(bias)
        lstm.bias_hh_l0.zero_()


def calibrate_joiner(joiner: RNNTJoiner, stats: EncodingStats, vocab_size: int, generator: torch.Generator) -> None:
    """Joint hidden = [ReLU(Qz) | ReLU(-Qz) | prediction half]; see the module docstring, point 4.

    z is the whitened encoding and Q a random rotation. The difference of the first two
    blocks is Qz, which the token rows rotate back: token logit = SCALE u_y . z minus the
    repeat penalty. Their sum is |Qz|_1, which the blank row reads: blank grows with the
    frame's deviation, so whether a token beats blank depends on the direction of z
    more than on its size. Without that, frames with a large deviation (stream start,
    speech-to-silence edges) put many tokens above a fixed blank and emit bursts."""
    d = stats.mean.numel()
    joint = joiner.enc_proj.out_features
    pred = joiner.pred_proj.in_features
    if joint < 2 * d + vocab_size or pred < vocab_size:
        raise ValueError(f"joint_hidden {joint} must be >= 2 * d_model + vocab_size ({2 * d + vocab_size})")
    with torch.no_grad():
        directions = token_directions(vocab_size, stats, generator)
        tokens = SCALE * directions
        rotation, _ = torch.linalg.qr(torch.randn(d, d, generator=generator))
        # Blank = per_l1 * |Qz|_1: a token wins when u_y . z / |Qz|_1 > per_l1 / SCALE.
        ratio = (stats.calibration @ directions.t()).max(dim=1).values / (
            stats.calibration @ rotation.t()
        ).abs().sum(dim=1)
        per_l1 = SCALE * torch.quantile(ratio, 1 - RNNT_EMIT_FRACTION)
        to_rotated = rotation @ stats.whitening  # h -> Qz, up to the mean
        enc_w = torch.zeros(joint, d)
        enc_w[:d] = to_rotated
        enc_w[d : 2 * d] = -to_rotated
        enc_b = torch.zeros(joint)
        enc_b[: 2 * d] = -(enc_w[: 2 * d] @ stats.mean)
        joiner.enc_proj.weight.copy_(enc_w)
        joiner.enc_proj.bias.copy_(enc_b)

        pred_w = torch.zeros(joint, pred)
        pred_w[2 * d : 2 * d + vocab_size, :vocab_size] = torch.eye(vocab_size)
        joiner.pred_proj.weight.copy_(pred_w)
        joiner.pred_proj.bias.zero_()

        out_w = torch.zeros(vocab_size + 1, joint)
        out_w[:vocab_size, :d] = tokens @ rotation.t()
        out_w[:vocab_size, d : 2 * d] = -(tokens @ rotation.t())
        out_w[:vocab_size, 2 * d : 2 * d + vocab_size] = -REPEAT_PENALTY * torch.eye(vocab_size)
        out_w[vocab_size, : 2 * d] = per_l1
        out_b = torch.zeros(vocab_size + 1)
        joiner.out.weight.copy_(out_w)
        joiner.out.bias.copy_(out_b)
