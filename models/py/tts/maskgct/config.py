"""Hyper-parameters of the MaskGCT-style model, stored in every exported graph's metadata_props."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Dict, List


@dataclass
class MaskGctConfig:
    vocab_size: int = 48  # phone tokens, tts/text/phone-tokens.ts VOCAB_SIZE (append-only ids)
    # Semantic tokens are frame-level phone labels (semantic.py): phone id * sem_states + state,
    # state = position of the frame in its phone (begin / middle / end when sem_states = 3).
    sem_states: int = 1
    n_mels: int = 80  # tts/README.md shared audio contract
    # Transformers (T2S and S2A share the shape; fields named as ArditConfig's so ardit.model.Block fits).
    dim: int = 256
    layers: int = 4
    heads: int = 4
    ffn: int = 768
    rope_base: float = 10000.0
    # Codec: encoder-free-ish residual VQ over normalised log-mel frames.
    codec_dim: int = 64  # latent width (Linear 80 -> codec_dim per frame)
    codec_layers: int = 4  # Q residual stages
    codebook_size: int = 256
    codec_hidden: int = 128  # decoder conv width
    # 1: each frame encoded alone (Linear, the first codec); k > 1: a conv over k frames then a
    # 1x1 conv, so a code can spend its bits on what neighbouring frames do not already say.
    codec_enc_kernel: int = 1
    codec_dec_blocks: int = 0  # residual conv blocks (width codec_hidden, kernel 3) in the decoder
    commitment: float = 0.25
    # Target length = round(phones * frames_per_phone / speed); training data sets it.
    # Used only by models without a duration table (below).
    frames_per_phone: float = 6.0
    # Duration table, as ArditConfig's: per-voice mean frames per token id ("*" = pooled), mean
    # leading-silence frames; the phones then sit at their planned centres (CONTRACT.md).
    duration_voices: List[str] = field(default_factory=list)
    token_frames: List[List[float]] = field(default_factory=list)
    lead_frames: List[float] = field(default_factory=list)
    # Training-only knobs.
    prompt_max_t2s: float = 0.4  # prompt length ~ U[0, ratio * T)
    prompt_max_s2a: float = 0.5
    no_prompt_prob: float = 0.15  # no prompt (the first phrase of an utterance)
    uncond_prob: float = 0.1  # condition hidden (classifier-free guidance's unconditional branch)
    # Per-bin normalisation of the contract log-mel (training-set statistics).
    mel_mean: List[float] = field(default_factory=lambda: [-5.0] * 80)
    mel_std: List[float] = field(default_factory=lambda: [2.0] * 80)

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    @property
    def sem_vocab(self) -> int:
        return self.vocab_size * self.sem_states

    def check(self) -> None:
        if self.dim % self.heads != 0 or self.head_dim % 2 != 0:
            raise ValueError(f"dim {self.dim} / heads {self.heads} must give an even head size")
        if len(self.mel_mean) != self.n_mels or len(self.mel_std) != self.n_mels:
            raise ValueError("mel_mean and mel_std need n_mels values")
        if min(self.mel_std) <= 0:
            raise ValueError("mel_std must be positive")
        if self.sem_states < 1 or self.codec_layers < 1 or self.codebook_size < 2:
            raise ValueError("sem_states, codec_layers >= 1 and codebook_size >= 2 are required")
        if self.codec_enc_kernel < 1 or self.codec_enc_kernel % 2 == 0 or self.codec_dec_blocks < 0:
            raise ValueError("codec_enc_kernel must be odd and >= 1, codec_dec_blocks >= 0")

    def to_dict(self) -> Dict:
        return asdict(self)


def tiny_fixture_config(vocab_size: int = 48) -> MaskGctConfig:
    """The random-weight test fixture (test/fixtures/tts/maskgct-tiny): same graphs, small sizes."""
    return MaskGctConfig(vocab_size=vocab_size, dim=32, layers=2, heads=2, ffn=64, codec_dim=16,
                         codec_layers=3, codebook_size=32, codec_hidden=32, frames_per_phone=3.0)
