"""Shapes a freshly initialised Paraformer so that random weights still behave like a
recogniser on real speech: CIF fires a few tokens per second, the decoder's argmax moves
from token to token, `<blank>`/`<s>` never win and `</s>` is rare but possible.

Without this, default init gives alphas stuck near 0.5 (a token every two LFR frames)
and a decoder whose outputs share one dominant direction, so the argmax is nearly the
same class everywhere with margins of 1e-3: useless for token-identity tests.

The calibration is data-free: statistics come from seeded Gaussian "features" pushed
through the model, never from recordings, so the weights depend only on the seed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .paraformer_attention import length_mask, padded_conv
from .paraformer_config import BLANK_ID, EOS_ID, SOS_ID
from .paraformer_model import Paraformer


@dataclass(frozen=True)
class RandomInit:
    seed: int
    # Mean CIF weight on the calibration batch: 0.25 -> one token per ~4 LFR frames
    # (~240 ms), the rate of English syllables.
    alpha_mean: float = 0.25
    # Spread of the CIF pre-sigmoid, so alphas vary with the input.
    alpha_logit_std: float = 1.0
    # The vocabulary projection reads the top principal directions of the decoder's
    # hidden states (whitened), so tokens follow what changes between positions rather
    # than what all positions share.
    principal_dims: int = 16
    logit_scale: float = 3.0
    eos_shift: float = -2.0  # added to </s>'s logit: rare, not first everywhere
    never_bias: float = -30.0  # added to <blank> and <s>: a trained model never emits them


def _calibration_batch(feat_dim: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    speech = torch.randn(4, 60, feat_dim, generator=generator)
    lengths = torch.tensor([60, 50, 40, 30], dtype=torch.int32)
    return speech, lengths


@torch.no_grad()
def random_paraformer(model_factory, init: RandomInit) -> Paraformer:
    """model_factory() builds the module; it runs right after torch.manual_seed(init.seed)."""
    torch.manual_seed(init.seed)
    model: Paraformer = model_factory().eval()
    g = torch.Generator().manual_seed(init.seed + 1)
    speech, lengths = _calibration_batch(model.cfg.feat_dim, g)
    enc, mask = model.encode(speech, lengths)
    _calibrate_cif(model, enc, mask, init)
    _calibrate_output(model, enc, mask, init, g)
    return model


def _calibrate_cif(model: Paraformer, enc: torch.Tensor, mask: torch.Tensor, init: RandomInit) -> None:
    p = model.predictor
    h = torch.relu(padded_conv(p.conv, enc.transpose(1, 2), p.l_order, p.r_order)).transpose(1, 2)
    z = (h @ p.output.weight[0])[mask]
    gain = init.alpha_logit_std / z.std()
    p.output.weight.mul_(gain)
    target = math.log(init.alpha_mean / (1.0 - init.alpha_mean))
    p.output.bias.fill_(float(target - z.mean() * gain))


def _calibrate_output(
    model: Paraformer, enc: torch.Tensor, mask: torch.Tensor, init: RandomInit, g: torch.Generator
) -> None:
    d = model.decoder
    embeds, token_num, _ = model.predictor.forward_infer(enc, mask)
    token_mask = length_mask(token_num, embeds.shape[1])
    x = embeds
    for layer in d.layers:
        x = layer(x, token_mask, enc, mask)
    hidden = d.after_norm(d.last_ffn(d.last_norm(x)))[token_mask]
    mean = hidden.mean(dim=0)
    _, s, vt = torch.linalg.svd(hidden - mean, full_matrices=False)
    k = min(init.principal_dims, vt.shape[0])
    whiten = vt[:k] / (s[:k, None] / hidden.shape[0] ** 0.5)
    mix = torch.randn(d.output.weight.shape[0], k, generator=g) / k**0.5
    d.output.weight.copy_(init.logit_scale * mix @ whiten)
    d.output.bias.copy_(-(d.output.weight @ mean))
    d.output.bias[BLANK_ID] += init.never_bias
    d.output.bias[SOS_ID] += init.never_bias
    d.output.bias[EOS_ID] += init.eos_shift
