"""MaskGCT-style model, tiny (reference tts-families.md 1.1-1.5 and 1.8).

Three modules, each a pure function at inference (the decoding loop is host code: sampler.py
in Python, tts/maskgct/ in TypeScript):

- T2S: bidirectional transformer over [phone_1 .. phone_P, sem_1 .. sem_T]. Semantic frames
  are embedded tokens or a learned mask embedding; logits over the semantic vocabulary come
  out for every frame. Positions are float RoPE on one timeline: frame t at t, phone i at
  (i + 0.5) * T / P (the ARDiT duration prior: attention starts near the diagonal).
- S2A: bidirectional transformer over frames; input per frame = semantic embedding + sum over
  codec layers q of (known ? emb_q(code) : mask_q) + an embedding of the layer being decoded;
  that layer's own head gives its logits (MaskGCT's predict-one-layer-at-a-time S2A, one
  model for all layers).
- MelCodec: the acoustic tokens. Per-frame Linear(80 -> C) "encoder", a Q-stage residual VQ
  (K codes each), and a small conv decoder (two k=3 convs plus a linear skip) back to the
  normalised log-mel; the exported decoder also de-normalises, so it returns contract log-mel
  for the shared vocoder.

Classifier-free guidance's unconditional branch is the same network with the condition's
keys hidden from attention (`key_valid`): T2S hides the phones and the prompt, S2A the
prompt (MaskGCT: S2A guidance steers the voice, not the content). Because RoPE is relative,
hiding keys equals running on the target alone. Training hides them with probability
`uncond_prob`, so both branches are learned by one set of weights.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ardit.model import NEG_INF, Block, rope_inv_freq, rope_tables

from .config import MaskGctConfig


def key_bias(key_valid: torch.Tensor) -> torch.Tensor:
    """[B, S] bool -> additive attention bias [B, 1, 1, S] (finite: a fully hidden row stays finite)."""
    zero = torch.zeros((), dtype=torch.float32)
    return torch.where(key_valid, zero, torch.full((), NEG_INF)).unsqueeze(1).unsqueeze(1)


def prefix_visible(length: int, drop_prefix: torch.Tensor) -> torch.Tensor:
    """Keys at positions >= drop_prefix[b] are visible: [B] -> [B, length] bool."""
    idx = torch.arange(length, device=drop_prefix.device).unsqueeze(0)
    return idx >= drop_prefix.unsqueeze(1)


class Backbone(nn.Module):
    def __init__(self, cfg: MaskGctConfig):
        super().__init__()
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.dim)
        self.register_buffer("inv_freq", rope_inv_freq(cfg.head_dim, cfg.rope_base), persistent=False)

    def forward(self, x: torch.Tensor, pos: torch.Tensor, key_valid: torch.Tensor) -> torch.Tensor:
        cos, sin = rope_tables(pos, self.inv_freq)
        bias = key_bias(key_valid)
        for block in self.blocks:
            x, _, _ = block(x, cos, sin, bias)
        return self.norm(x)


def cosine_mask(valid: torch.Tensor, generator: Optional[torch.Generator]) -> torch.Tensor:
    """Training mask: per row r ~ U(0, 1), mask ratio cos(pi/2 * r) of the `valid` positions
    (at least one), chosen uniformly. valid [B, T] bool -> masked [B, T] bool."""
    b, t = valid.shape
    r = torch.rand(b, generator=generator)
    counts = valid.sum(1)
    n = torch.clamp(torch.ceil(torch.cos(math.pi / 2 * r) * counts), min=1).long()
    scores = torch.rand(b, t, generator=generator).masked_fill(~valid, 2.0)
    rank = scores.argsort(1).argsort(1)
    return (rank < n.unsqueeze(1)) & valid


def prompt_lengths(lens: torch.Tensor, max_ratio: float, no_prompt_prob: float,
                   generator: Optional[torch.Generator]) -> torch.Tensor:
    """Prompt prefix per item: U[0, max_ratio * len), 0 with probability no_prompt_prob; at
    least one target frame is left."""
    u = torch.rand(lens.shape[0], generator=generator)
    p = torch.floor(u * max_ratio * lens.float()).long()
    none = torch.rand(lens.shape[0], generator=generator) < no_prompt_prob
    return torch.minimum(p.masked_fill(none, 0), lens - 1)


class T2S(nn.Module):
    def __init__(self, cfg: MaskGctConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        self.phone_emb = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.sem_emb = nn.Embedding(cfg.sem_vocab, cfg.dim)
        self.mask_emb = nn.Parameter(torch.randn(cfg.dim) * 0.02)
        self.backbone = Backbone(cfg)
        self.head = nn.Linear(cfg.dim, cfg.sem_vocab)

    def logits(self, phone_ids, phone_pos, sem_ids, sem_masked, key_valid) -> torch.Tensor:
        p, t = phone_ids.shape[1], sem_ids.shape[1]
        m = sem_masked.unsqueeze(-1)
        x_sem = self.sem_emb(sem_ids) * (1 - m) + self.mask_emb * m
        x = torch.cat([self.phone_emb(phone_ids), x_sem], dim=1)
        frame_pos = torch.arange(t, dtype=torch.float32).unsqueeze(0).expand(phone_ids.shape[0], -1)
        pos = torch.cat([phone_pos, frame_pos], dim=1)
        h = self.backbone(x, pos, key_valid)
        return self.head(h[:, p:])

    def forward(self, phone_ids, phone_pos, sem_ids, sem_masked, drop_prefix):
        """The t2s.onnx graph: phone_ids int64 [B, P], phone_pos f32 [B, P], sem_ids int64 [B, T],
        sem_masked f32 [B, T] (1 = masked), drop_prefix int64 [B] -> logits f32 [B, T, Vs]."""
        s = phone_ids.shape[1] + sem_ids.shape[1]
        return self.logits(phone_ids, phone_pos, sem_ids, sem_masked, prefix_visible(s, drop_prefix))

    def forward_train(self, phones, phone_lens, sem, frame_lens, generator=None,
                      phone_pos: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
        """phones int64 [B, P] (padded), phone_lens [B], sem int64 [B, T] (padded), frame_lens [B];
        phone_pos [B, P] the phones' aligned centres in frames, or None to spread them evenly.
        Masked cross-entropy on target frames (after a random prompt prefix)."""
        cfg = self.cfg
        b, p = phones.shape
        t = sem.shape[1]
        fidx = torch.arange(t).unsqueeze(0)
        frame_valid = fidx < frame_lens.unsqueeze(1)
        prompt = prompt_lengths(frame_lens, cfg.prompt_max_t2s, cfg.no_prompt_prob, generator)
        target = frame_valid & (fidx >= prompt.unsqueeze(1))
        masked = cosine_mask(target, generator)
        uncond = torch.rand(b, generator=generator) < cfg.uncond_prob
        phone_valid = torch.arange(p).unsqueeze(0) < phone_lens.unsqueeze(1)
        key_valid = torch.cat([phone_valid & ~uncond.unsqueeze(1),
                               frame_valid & ~(uncond.unsqueeze(1) & (fidx < prompt.unsqueeze(1)))], dim=1)
        if phone_pos is None:
            pidx = torch.arange(p, dtype=torch.float32).unsqueeze(0)
            phone_pos = (pidx + 0.5) * frame_lens.unsqueeze(1).float() / phone_lens.unsqueeze(1).float()
        logits = self.logits(phones, phone_pos, sem, masked.float(), key_valid)
        ce = F.cross_entropy(logits[masked], sem[masked])
        return {"loss": ce, "ce": ce}


class S2A(nn.Module):
    def __init__(self, cfg: MaskGctConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        q, k = cfg.codec_layers, cfg.codebook_size
        self.sem_emb = nn.Embedding(cfg.sem_vocab, cfg.dim)
        self.ac_emb = nn.Embedding(q * k, cfg.dim)  # layer q's code c is row q * K + c
        self.mask_emb = nn.Parameter(torch.randn(q, cfg.dim) * 0.02)
        self.layer_emb = nn.Embedding(q, cfg.dim)
        self.backbone = Backbone(cfg)
        self.head_w = nn.Parameter(torch.randn(q, cfg.dim, k) / math.sqrt(cfg.dim))
        self.head_b = nn.Parameter(torch.zeros(q, k))
        self.register_buffer("code_offset", torch.arange(q, dtype=torch.int64) * k, persistent=False)

    def logits(self, sem_ids, ac_ids, ac_known, layer, key_valid) -> torch.Tensor:
        b, t = sem_ids.shape
        known = ac_known.unsqueeze(-1)  # [B, T, Q, 1]
        e = self.ac_emb(ac_ids + self.code_offset) * known + self.mask_emb * (1 - known)
        x = e.sum(2) + self.sem_emb(sem_ids) + self.layer_emb(layer).unsqueeze(1)
        pos = torch.arange(t, dtype=torch.float32).unsqueeze(0).expand(b, -1)
        h = self.backbone(x, pos, key_valid)
        return torch.matmul(h, self.head_w[layer]) + self.head_b[layer].unsqueeze(1)

    def forward(self, sem_ids, ac_ids, ac_known, layer, drop_prefix):
        """The s2a.onnx graph: sem_ids int64 [B, T], ac_ids int64 [B, T, Q], ac_known f32 [B, T, Q]
        (1 = the code is given), layer int64 [1], drop_prefix int64 [B] -> logits f32 [B, T, K]."""
        return self.logits(sem_ids, ac_ids, ac_known, layer, prefix_visible(sem_ids.shape[1], drop_prefix))

    def forward_train(self, sem, codes, frame_lens, generator=None) -> Dict[str, torch.Tensor]:
        """sem int64 [B, T], codes int64 [B, T, Q] (padded), frame_lens [B]. One layer per batch,
        drawn with weights Q - q (coarse layers more often, as MaskGCT); masked CE on it."""
        cfg = self.cfg
        b, t = sem.shape
        q_count = cfg.codec_layers
        weights = torch.arange(q_count, 0, -1, dtype=torch.float32)
        layer = torch.multinomial(weights, 1, generator=generator)  # [1]
        fidx = torch.arange(t).unsqueeze(0)
        frame_valid = fidx < frame_lens.unsqueeze(1)
        prompt = prompt_lengths(frame_lens, cfg.prompt_max_s2a, cfg.no_prompt_prob, generator)
        in_prompt = fidx < prompt.unsqueeze(1)
        target = frame_valid & ~in_prompt
        masked = cosine_mask(target, generator)
        lq = int(layer)
        qidx = torch.arange(q_count).view(1, 1, -1)
        known = (qidx < lq) | ((qidx == lq) & ~masked.unsqueeze(-1)) | in_prompt.unsqueeze(-1)
        uncond = torch.rand(b, generator=generator) < cfg.uncond_prob
        key_valid = frame_valid & ~(uncond.unsqueeze(1) & in_prompt)
        logits = self.logits(sem, codes, known.float(), layer, key_valid)
        ce = F.cross_entropy(logits[masked], codes[..., lq][masked])
        return {"loss": ce, "ce": ce, "layer": layer}


class FrameConvEncoder(nn.Module):
    """[B, T, 80] -> [B, T, C]: a conv over `kernel` frames, GELU, then a 1x1 conv."""

    def __init__(self, n_mels: int, hidden: int, out: int, kernel: int):
        super().__init__()
        self.conv = nn.Conv1d(n_mels, hidden, kernel, padding=kernel // 2)
        self.proj = nn.Conv1d(hidden, out, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(F.gelu(self.conv(x.transpose(1, 2)))).transpose(1, 2)


class ResConvBlock(nn.Module):
    """x + conv3(gelu(conv3(gelu(x)))), channel-first."""

    def __init__(self, width: int):
        super().__init__()
        self.a = nn.Conv1d(width, width, 3, padding=1)
        self.b = nn.Conv1d(width, width, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.b(F.gelu(self.a(F.gelu(x))))


class MelCodec(nn.Module):
    def __init__(self, cfg: MaskGctConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        c, q, k = cfg.codec_dim, cfg.codec_layers, cfg.codebook_size
        self.enc = (nn.Linear(cfg.n_mels, c) if cfg.codec_enc_kernel == 1
                    else FrameConvEncoder(cfg.n_mels, cfg.codec_hidden, c, cfg.codec_enc_kernel))
        self.codebooks = nn.Parameter(torch.randn(q, k, c) * 0.1)
        self.dec_in = nn.Conv1d(c, cfg.codec_hidden, 3, padding=1)
        self.dec_blocks = nn.ModuleList(ResConvBlock(cfg.codec_hidden) for _ in range(cfg.codec_dec_blocks))
        self.dec_out = nn.Conv1d(cfg.codec_hidden, cfg.n_mels, 3, padding=1)
        self.skip = nn.Linear(c, cfg.n_mels)
        self.register_buffer("mel_mean", torch.tensor(cfg.mel_mean, dtype=torch.float32), persistent=False)
        self.register_buffer("mel_std", torch.tensor(cfg.mel_std, dtype=torch.float32), persistent=False)
        self.register_buffer("code_offset", torch.arange(q, dtype=torch.int64) * k, persistent=False)

    def quantize(self, z: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """z [B, T, C] -> codes [B, T, Q], z_q [B, T, C] (straight-through), and per-element
        codebook and commitment errors [B, T] (summed over stages, mean over C)."""
        r = z
        zq = torch.zeros_like(z)
        codes = []
        cb_err = torch.zeros(z.shape[:2])
        commit_err = torch.zeros(z.shape[:2])
        for q in range(self.cfg.codec_layers):
            book = self.codebooks[q]
            d = (r.detach().unsqueeze(-2) - book).pow(2).sum(-1)  # [B, T, K]
            idx = d.argmin(-1)
            c = book[idx]
            cb_err = cb_err + (c - r.detach()).pow(2).mean(-1)
            commit_err = commit_err + (r - c.detach()).pow(2).mean(-1)
            zq = zq + c
            r = r - c.detach()
            codes.append(idx)
        zq_st = z + (zq - z).detach() + (zq - zq.detach())
        return torch.stack(codes, -1), zq_st, cb_err, commit_err

    def decode_latent(self, zq: torch.Tensor) -> torch.Tensor:
        """[B, T, C] -> normalised log-mel [B, T, 80]."""
        h = F.gelu(self.dec_in(zq.transpose(1, 2)))
        for block in self.dec_blocks:
            h = block(h)
        return self.dec_out(h).transpose(1, 2) + self.skip(zq)

    def embed_codes(self, codes: torch.Tensor) -> torch.Tensor:
        """codes int64 [B, T, Q] -> sum of the Q code vectors [B, T, C]."""
        flat = self.codebooks.reshape(-1, self.cfg.codec_dim)
        return F.embedding(codes + self.code_offset, flat).sum(2)

    def forward(self, ac_ids: torch.Tensor) -> torch.Tensor:
        """The codec_decoder.onnx graph: ac_ids int64 [1, T, Q] -> contract log-mel f32 [1, T, 80]."""
        return self.decode_latent(self.embed_codes(ac_ids)) * self.mel_std + self.mel_mean

    @torch.no_grad()
    def encode(self, mel_norm: torch.Tensor) -> torch.Tensor:
        """Normalised log-mel [B, T, 80] -> codes [B, T, Q] (data tokenisation)."""
        return self.quantize(self.enc(mel_norm))[0]

    @torch.no_grad()
    def init_codebooks(self, mel_norm: torch.Tensor, generator: Optional[torch.Generator] = None) -> None:
        """Data-dependent start: each stage's codes are random residual frames of that stage."""
        r = self.enc(mel_norm).reshape(-1, self.cfg.codec_dim)
        for q in range(self.cfg.codec_layers):
            pick = torch.randint(0, r.shape[0], (self.cfg.codebook_size,), generator=generator)
            self.codebooks[q].copy_(r[pick])
            idx = (r.unsqueeze(-2) - self.codebooks[q]).pow(2).sum(-1).argmin(-1)
            r = r - self.codebooks[q][idx]

    def forward_train(self, mel_norm: torch.Tensor, frame_lens: torch.Tensor) -> Dict[str, torch.Tensor]:
        """mel_norm [B, T, 80] (padded), frame_lens [B]: reconstruction MSE + codebook + commitment."""
        valid = (torch.arange(mel_norm.shape[1]).unsqueeze(0) < frame_lens.unsqueeze(1)).float()
        mel_norm = mel_norm * valid.unsqueeze(-1)
        _, zq, cb_err, commit_err = self.quantize(self.enc(mel_norm))
        rec = self.decode_latent(zq * valid.unsqueeze(-1))
        n = valid.sum().clamp(min=1)
        recon = ((rec - mel_norm).pow(2).mean(-1) * valid).sum() / n
        codebook = (cb_err * valid).sum() / n
        commit = (commit_err * valid).sum() / n
        return {"loss": recon + codebook + self.cfg.commitment * commit, "recon": recon,
                "codebook": codebook, "commit": commit}


class MaskGct(nn.Module):
    """The three parts together (one checkpoint, one export)."""

    def __init__(self, cfg: MaskGctConfig):
        super().__init__()
        self.cfg = cfg
        self.t2s = T2S(cfg)
        self.s2a = S2A(cfg)
        self.codec = MelCodec(cfg)


def num_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
