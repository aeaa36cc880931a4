"""Hyper-parameters of the zoo Paraformer, in one place.

Names follow FunASR's config.yaml (`encoder_conf`, `predictor_conf`, `decoder_conf`,
`model_conf`) so a reader can map them onto a real Paraformer; the defaults are tiny.
Contracts: ../shared/reference/asr-model-contracts.md section 3.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict

# FunASR's token conventions: 0 = <blank>, 1 = <s>, 2 = </s> (section 0.3).
BLANK_ID = 0
SOS_ID = 1
EOS_ID = 2
IGNORE_ID = -1


@dataclass(frozen=True)
class ParaformerConfig:
    vocab_size: int
    # LFR (m=7, n=6) of 80 fbank bins; the graph input is 7 * 80 = 560 wide.
    feat_dim: int = 560
    lfr_m: int = 7
    lfr_n: int = 6
    d_model: int = 64
    attention_heads: int = 4
    # SAN-M encoder: the first block maps feat_dim -> d_model, so num_blocks >= 2.
    encoder_blocks: int = 3
    encoder_ffn: int = 128
    encoder_kernel: int = 11
    encoder_sanm_shift: int = 0
    # Decoder: `decoder_blocks` FSMN + cross-attention blocks, then one FFN-only block.
    decoder_blocks: int = 2
    decoder_ffn: int = 128
    decoder_kernel: int = 11
    # Offline Paraformer: 0 (centred FSMN). Streaming: kernel - 1 - (kernel-1)//2, which
    # makes the decoder FSMN causal so it can run on a [D, kernel-1] cache.
    decoder_sanm_shift: int = 0
    # CIF predictor (CifPredictorV2): Conv1d over time with (l_order, r_order) padding.
    cif_l_order: int = 1
    cif_r_order: int = 1
    cif_threshold: float = 1.0
    cif_smooth_factor: float = 1.0
    cif_noise_threshold: float = 0.0
    cif_tail_threshold: float = 0.45
    # predictor_bias = 1: training targets are tokens + [</s>], so the model learns to
    # emit </s> after the last real token, which is where sherpa stops (section 3.1.5).
    predictor_bias: int = 1
    dropout: float = 0.1
    layer_norm_eps: float = 1e-12  # FunASR's LayerNorm default

    def __post_init__(self) -> None:
        if self.encoder_blocks < 2:
            raise ValueError("encoder_blocks must be >= 2 (one input block + at least one more)")
        if self.d_model % self.attention_heads:
            raise ValueError("d_model must be a multiple of attention_heads")
        if self.feat_dim % 2:
            raise ValueError("feat_dim must be even for the sinusoidal encoding")
        if self.vocab_size <= EOS_ID:
            raise ValueError("vocab_size must include <blank>, <s> and </s>")

    @property
    def decoder_cache_frames(self) -> int:
        return self.decoder_kernel - 1

    def to_dict(self) -> Dict[str, object]:
        return asdict(self)


def streaming_decoder_shift(kernel: int) -> int:
    """The sanm_shift that puts all kernel-1 taps of the decoder FSMN on the past."""
    return kernel - 1 - (kernel - 1) // 2
