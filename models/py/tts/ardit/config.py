"""Hyper-parameters of the ARDiT-style model, stored in every exported graph's metadata_props."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional


@dataclass
class ArditConfig:
    vocab_size: int = 48  # tts/text/phone-tokens.ts VOCAB_SIZE (ids are append-only)
    # Speaker names. Voice v is the token id vocab_size + v, put in front of the phones
    # (CONTRACT.md "Voices"); empty = a single-voice model with no voice token.
    voices: List[str] = field(default_factory=list)
    n_mels: int = 80  # tts/README.md shared audio contract
    patch: int = 4  # mel frames per AR step (80 ms at hop 320)
    dim: int = 256
    layers: int = 4
    heads: int = 4
    ffn: int = 768
    rope_base: float = 10000.0
    head_width: int = 256  # flow head MLP width
    head_blocks: int = 3
    # Planned AR steps N = round(phones * frames_per_phone / (patch * speed)); training data sets it.
    # Used only by models without a duration table (below).
    frames_per_phone: float = 6.0
    # Duration table (models/py/tts/data/token_durations.py): row r = mean frames per token id
    # for voice duration_voices[r] ("*" = all voices pooled), and mean leading-silence frames.
    # With it, text tokens sit at their planned centres on the timeline (CONTRACT.md "Positions");
    # without it (older models), evenly at (i + 0.5) * N / P.
    duration_voices: List[str] = field(default_factory=list)
    token_frames: List[List[float]] = field(default_factory=list)
    lead_frames: List[float] = field(default_factory=list)
    # The stop label is 1 on the last `stop_patience` patches; the runtime stops after that many
    # consecutive positive steps, so a correct model ends exactly on its last patch.
    stop_patience: int = 2
    # Training-only knobs (not needed at inference).
    cond_dropout: float = 0.1  # classifier-free guidance: hidden replaced by zeros
    noise_draws: int = 4  # flow-matching noise samples per target patch
    stop_pos_weight: float = 5.0
    # Auxiliary regression of the next patch from the hidden state (MSE, weight aux_weight; a
    # training-only linear head, not exported): a direct, low-variance gradient that teaches
    # the backbone the text -> mel mapping faster than the flow loss alone (reference 2.3,
    # "deterministic regression head first"). 0 = off (models before it).
    aux_weight: float = 0.0
    # Gaussian noise (std, normalised units) on the previous patches the backbone and the flow
    # head read during training: at inference they read the model's own imperfect samples.
    input_noise: float = 0.0
    # Per-bin normalisation of the contract log-mel (training-set statistics).
    mel_mean: List[float] = field(default_factory=lambda: [-5.0] * 80)
    mel_std: List[float] = field(default_factory=lambda: [2.0] * 80)

    @property
    def token_count(self) -> int:
        """Rows of the text embedding: phones, then one token per voice."""
        return self.vocab_size + len(self.voices)

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def check(self) -> None:
        if self.dim % self.heads != 0 or self.head_dim % 2 != 0:
            raise ValueError(f"dim {self.dim} / heads {self.heads} must give an even head size")
        if len(self.mel_mean) != self.n_mels or len(self.mel_std) != self.n_mels:
            raise ValueError("mel_mean and mel_std need n_mels values")
        if min(self.mel_std) <= 0:
            raise ValueError("mel_std must be positive")

    def to_dict(self) -> Dict:
        return asdict(self)


def text_tokens(cfg: ArditConfig, phone_ids: List[int], voice: Optional[int]) -> List[int]:
    """What the prefill graph reads: the voice token (multi-voice models), then the phones."""
    if not cfg.voices:
        if voice not in (None, 0):
            raise ValueError(f"this model has no voices, got voice {voice}")
        return list(phone_ids)
    v = 0 if voice is None else voice
    if not 0 <= v < len(cfg.voices):
        raise ValueError(f"voice {v} is outside 0..{len(cfg.voices) - 1}")
    return [cfg.vocab_size + v] + list(phone_ids)


def tiny_fixture_config(vocab_size: int = 48) -> ArditConfig:
    """The random-weight test fixture (test/fixtures/tts/ardit-tiny): same graph, small sizes."""
    return ArditConfig(vocab_size=vocab_size, dim=64, layers=2, heads=2, ffn=128, head_width=64,
                       head_blocks=2, frames_per_phone=4.0)
