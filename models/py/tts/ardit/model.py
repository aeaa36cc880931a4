"""ARDiT-style acoustic model ("AR-flow-mel tiny", reference tts-families.md 2.3).

Sequence: [phone_1 .. phone_P, BOS, patch_1 .. patch_N], one position per phone and per patch
of `patch` (K) normalised log-mel frames.

- Positions are float RoPE angles on a shared timeline: BOS is 0, patch j is j, phone i is
  (i + 0.5) * N / P, where N is the planned number of patches. This gives attention a
  diagonal prior and makes N (hence the speaking rate) an input, as ARDiT controls duration
  through RoPE.
- Mask (prefix LM): phones attend to phones only (bidirectional); BOS and patches attend to
  every phone and causally to audio positions.
- The hidden state (final LayerNorm) at BOS / patch j conditions the flow head that samples
  patch j + 1 (together with patch j, the "previous patch"); a linear stop head on the same
  hidden says whether patch j was among the last `stop_patience` patches.
- Flow matching convention: x_t = (1 - t) * noise + t * x1, velocity target x1 - noise;
  sampling integrates t from 0 to 1 with Euler steps (in TypeScript, tts/ardit/).

Attention is written out by hand (torch 1.13 has no scaled_dot_product_attention) and the
cache stores keys after RoPE, so a step needs only its own position. Everything exports with
the TorchScript exporter at opset 17.
"""
from __future__ import annotations

import math
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from .config import ArditConfig

NEG_INF = -1e9  # additive mask value; finite so a fully masked (padding) row stays finite


def rope_inv_freq(head_dim: int, base: float) -> torch.Tensor:
    exponent = torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim
    return (base ** -exponent).to(torch.float32)


def rope_tables(pos: torch.Tensor, inv_freq: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
    """pos float [B, T] -> cos, sin [B, 1, T, Dh/2]."""
    ang = pos.unsqueeze(-1) * inv_freq
    return torch.cos(ang).unsqueeze(1), torch.sin(ang).unsqueeze(1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate-half RoPE on [B, H, T, Dh]: pairs (i, i + Dh/2)."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: ArditConfig):
        super().__init__()
        self.heads = cfg.heads
        self.head_dim = cfg.head_dim
        self.qkv = nn.Linear(cfg.dim, 3 * cfg.dim)
        self.out = nn.Linear(cfg.dim, cfg.dim)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, bias: Optional[torch.Tensor],
                past_k: Optional[torch.Tensor] = None, past_v: Optional[torch.Tensor] = None
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        b = x.shape[0]
        qkv = self.qkv(x).reshape(b, -1, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q = apply_rope(qkv[0], cos, sin)
        k = apply_rope(qkv[1], cos, sin)
        v = qkv[2]
        if past_k is not None and past_v is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        if bias is not None:
            att = att + bias
        y = torch.matmul(torch.softmax(att, dim=-1), v)
        y = y.transpose(1, 2).reshape(b, -1, self.heads * self.head_dim)
        return self.out(y), k, v


class Block(nn.Module):
    def __init__(self, cfg: ArditConfig):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.dim)
        self.attn = Attention(cfg)
        self.norm2 = nn.LayerNorm(cfg.dim)
        self.fc1 = nn.Linear(cfg.dim, cfg.ffn)
        self.fc2 = nn.Linear(cfg.ffn, cfg.dim)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        y, k, v = self.attn(self.norm1(x), cos, sin, bias, past_k, past_v)
        x = x + y
        x = x + self.fc2(F.gelu(self.fc1(self.norm2(x))))
        return x, k, v


def timestep_embedding(t: torch.Tensor, width: int) -> torch.Tensor:
    """Sinusoidal embedding of t in [0, 1] (scaled by 1000, as DDPM/DiT heads do): [N] -> [N, width]."""
    half = width // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(10000.0) / half))
    args = (t * 1000.0).unsqueeze(-1) * freqs
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class FlowHead(nn.Module):
    """Residual MLP with adaLN on c = SiLU(W_c hidden + MLP(emb(t))): velocity of one patch.

    The LayerNorms keep their (redundant) affine parameters: torch 1.13 exports a non-affine
    LayerNorm with an empty scale input, which the ONNX checker rejects.
    """

    def __init__(self, cfg: ArditConfig):
        super().__init__()
        w = cfg.head_width
        km = cfg.patch * cfg.n_mels
        self.patch = cfg.patch
        self.n_mels = cfg.n_mels
        self.width = w
        self.in_proj = nn.Linear(2 * km, w)
        self.cond_proj = nn.Linear(cfg.dim, w)
        self.t_fc1 = nn.Linear(w, w)
        self.t_fc2 = nn.Linear(w, w)
        self.norms = nn.ModuleList([nn.LayerNorm(w) for _ in range(cfg.head_blocks)])
        self.ada = nn.ModuleList([nn.Linear(w, 3 * w) for _ in range(cfg.head_blocks)])
        self.fc1 = nn.ModuleList([nn.Linear(w, 2 * w) for _ in range(cfg.head_blocks)])
        self.fc2 = nn.ModuleList([nn.Linear(2 * w, w) for _ in range(cfg.head_blocks)])
        self.norm_out = nn.LayerNorm(w)
        self.ada_out = nn.Linear(w, 2 * w)
        self.out = nn.Linear(w, km)

    def forward(self, x_t: torch.Tensor, t: torch.Tensor, cond: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """x_t, prev [N, K, M]; t [N]; cond [N, D] -> v [N, K, M]."""
        n = x_t.shape[0]
        temb = self.t_fc2(F.silu(self.t_fc1(timestep_embedding(t, self.width))))
        c = F.silu(self.cond_proj(cond) + temb)
        h = self.in_proj(torch.cat([x_t.reshape(n, -1), prev.reshape(n, -1)], dim=-1))
        for norm, ada, fc1, fc2 in zip(self.norms, self.ada, self.fc1, self.fc2):
            shift, scale, gate = ada(c).chunk(3, dim=-1)
            y = norm(h) * (1 + scale) + shift
            h = h + gate * fc2(F.gelu(fc1(y)))
        shift, scale = self.ada_out(c).chunk(2, dim=-1)
        h = self.norm_out(h) * (1 + scale) + shift
        return self.out(h).reshape(n, self.patch, self.n_mels)


class Ardit(nn.Module):
    def __init__(self, cfg: ArditConfig):
        super().__init__()
        cfg.check()
        self.cfg = cfg
        self.phone_emb = nn.Embedding(cfg.token_count, cfg.dim)
        self.bos = nn.Parameter(torch.randn(cfg.dim) * 0.02)
        self.patch_in = nn.Linear(cfg.patch * cfg.n_mels, cfg.dim)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.norm = nn.LayerNorm(cfg.dim)
        self.stop = nn.Linear(cfg.dim, 1)
        self.head = FlowHead(cfg)
        if cfg.aux_weight > 0:  # training-only (export.py never calls it)
            self.aux = nn.Linear(cfg.dim, cfg.patch * cfg.n_mels)
        self.register_buffer("inv_freq", rope_inv_freq(cfg.head_dim, cfg.rope_base), persistent=False)

    # ----- backbone -----

    def backbone(self, x: torch.Tensor, pos: torch.Tensor, bias: Optional[torch.Tensor],
                 past_key: Optional[torch.Tensor] = None, past_value: Optional[torch.Tensor] = None
                 ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x [B, T, D], pos [B, T], bias broadcastable to [B, H, T, Tpast + T];
        past_* [L, B, H, Tpast, Dh]. Returns normalised hidden [B, T, D] and the grown caches."""
        cos, sin = rope_tables(pos, self.inv_freq)
        keys: List[torch.Tensor] = []
        values: List[torch.Tensor] = []
        for i, block in enumerate(self.blocks):
            pk = past_key[i] if past_key is not None else None
            pv = past_value[i] if past_value is not None else None
            x, k, v = block(x, cos, sin, bias, pk, pv)
            keys.append(k)
            values.append(v)
        return self.norm(x), torch.stack(keys), torch.stack(values)

    def embed_patches(self, patches: torch.Tensor) -> torch.Tensor:
        """[B, N, K, M] -> [B, N, D]."""
        b, n = patches.shape[0], patches.shape[1]
        return self.patch_in(patches.reshape(b, n, -1))

    # ----- inference (what the ONNX graphs compute) -----

    def prefill(self, phone_ids: torch.Tensor, phone_pos: torch.Tensor, bos_pos: torch.Tensor):
        """phone_ids int64 [1, P], phone_pos [1, P], bos_pos [1, 1] ->
        hidden [1, D] (BOS), stop_logit [1, 1], present_key/value [L, 1, H, P + 1, Dh]."""
        b = phone_ids.shape[0]
        x = torch.cat([self.phone_emb(phone_ids), self.bos.reshape(1, 1, -1).expand(b, 1, -1)], dim=1)
        pos = torch.cat([phone_pos, bos_pos], dim=1)
        idx = torch.arange(x.shape[1], device=x.device)
        num_phones = x.shape[1] - 1
        allowed = (idx.unsqueeze(0) < num_phones) | (idx.unsqueeze(0) <= idx.unsqueeze(1))
        bias = torch.where(allowed, torch.zeros((), dtype=x.dtype), torch.full((), NEG_INF, dtype=x.dtype))
        h, keys, values = self.backbone(x, pos, bias)
        hidden = h[:, -1]
        return hidden, self.stop(hidden), keys, values

    def step(self, patch: torch.Tensor, pos: torch.Tensor, past_key: torch.Tensor, past_value: torch.Tensor):
        """patch [1, K, M] (normalised), pos [1, 1] -> hidden [1, D], stop_logit [1, 1],
        present_key/value [L, 1, H, Tp + 1, Dh]. An audio query sees the whole cache: no mask."""
        x = self.embed_patches(patch.unsqueeze(1))
        h, keys, values = self.backbone(x, pos, None, past_key, past_value)
        hidden = h[:, -1]
        return hidden, self.stop(hidden), keys, values

    # ----- training -----

    def forward_train(self, phones: torch.Tensor, phone_lens: torch.Tensor, mels: torch.Tensor,
                      frame_lens: torch.Tensor, generator: Optional[torch.Generator] = None,
                      phone_pos: Optional[torch.Tensor] = None):
        """Teacher-forced losses for one padded batch.

        phones int64 [B, P] (padded with anything), phone_lens [B]; mels [B, F, M] normalised
        log-mel (padded), frame_lens [B]; phone_pos [B, P] the text tokens' timeline positions in
        patches (their aligned centres), or None to spread them evenly. Frames are grouped into patches of K; a partial last
        patch is zero-padded and its padding frames are masked out of the flow loss (the data
        pipeline should rather pad audio to a multiple of K frames with silence).
        Returns dict(loss, flow, stop).
        """
        cfg = self.cfg
        k, m = cfg.patch, cfg.n_mels
        b, p = phones.shape
        device = mels.device
        n_lens = torch.div(frame_lens + k - 1, k, rounding_mode="floor")  # patches per item
        n_max = int(n_lens.max())
        frames = n_max * k
        if mels.shape[1] < frames:
            mels = F.pad(mels, (0, 0, 0, frames - mels.shape[1]))
        mels = mels[:, :frames]
        frame_valid = torch.arange(frames, device=device).unsqueeze(0) < frame_lens.unsqueeze(1)
        mels = mels * frame_valid.unsqueeze(-1)
        patches = mels.reshape(b, n_max, k, m)
        inputs = patches  # what the backbone and the flow head read as previous patches
        if self.training and cfg.input_noise > 0:
            noise_in = torch.randn(patches.shape, device=device, generator=generator) * cfg.input_noise
            inputs = patches + noise_in * frame_valid.reshape(b, n_max, k, 1)

        # Positions: phones on the planned-length timeline (true length at training time).
        if phone_pos is None:
            phone_idx = torch.arange(p, device=device, dtype=torch.float32).unsqueeze(0)
            phone_pos = ((phone_idx + 0.5) * n_lens.unsqueeze(1).float()) / phone_lens.unsqueeze(1).float()
        audio_pos = torch.arange(n_max + 1, device=device, dtype=torch.float32).unsqueeze(0).expand(b, -1)
        pos = torch.cat([phone_pos, audio_pos], dim=1)
        x = torch.cat([self.phone_emb(phones), self.bos.reshape(1, 1, -1).expand(b, 1, -1),
                       self.embed_patches(inputs)], dim=1)

        # Prefix-LM mask with padding: S = P + 1 + n_max.
        s = p + 1 + n_max
        idx = torch.arange(s, device=device)
        is_phone = idx < p
        audio_index = idx - p  # 0 = BOS
        key_valid = torch.where(is_phone.unsqueeze(0), idx.unsqueeze(0) < phone_lens.unsqueeze(1),
                                audio_index.unsqueeze(0) <= n_lens.unsqueeze(1))  # [B, S]
        causal = (~is_phone.unsqueeze(1)) & (idx.unsqueeze(0) <= idx.unsqueeze(1)) & (~is_phone.unsqueeze(0))
        structural = is_phone.unsqueeze(0) | causal  # [S(q), S(k)]: any query sees phones; audio causal
        structural = structural & ~(is_phone.unsqueeze(1) & ~is_phone.unsqueeze(0))  # phones never see audio
        allowed = structural.unsqueeze(0) & key_valid.unsqueeze(1)
        allowed = allowed | torch.eye(s, dtype=torch.bool, device=device).unsqueeze(0)  # padding rows stay finite
        bias = torch.zeros(b, 1, s, s, device=device).masked_fill(~allowed.unsqueeze(1), NEG_INF)
        h, _, _ = self.backbone(x, pos, bias)
        ha = h[:, p:]  # [B, n_max + 1, D], index a: BOS (0) or patch a

        # Flow matching: hidden a (a < N) -> patch a + 1, with patch a (zeros for BOS) as prev.
        cond = ha[:, :n_max]
        aux = torch.zeros((), device=device)
        if cfg.aux_weight > 0:
            pred = self.aux(cond).reshape(b, n_max, k, m)
            amask = frame_valid.reshape(b, n_max, k).float()
            aux = (((pred - patches) ** 2).mean(-1) * amask).sum() / amask.sum().clamp(min=1)
        prev = torch.cat([torch.zeros_like(inputs[:, :1]), inputs[:, :-1]], dim=1)
        draws = cfg.noise_draws
        cond = cond.reshape(b * n_max, -1).repeat(draws, 1)
        target = patches.reshape(b * n_max, k, m).repeat(draws, 1, 1)
        prev = prev.reshape(b * n_max, k, m).repeat(draws, 1, 1)
        fmask = frame_valid.reshape(b * n_max, k).repeat(draws, 1).float()
        rows = cond.shape[0]
        if self.training and cfg.cond_dropout > 0:
            keep = (torch.rand(rows, 1, device=device, generator=generator) >= cfg.cond_dropout).float()
            cond = cond * keep
        noise = torch.randn(target.shape, device=device, generator=generator)
        t = torch.rand(rows, device=device, generator=generator)
        x_t = (1 - t).reshape(-1, 1, 1) * noise + t.reshape(-1, 1, 1) * target
        v = self.head(x_t, t, cond, prev)
        err = ((v - (target - noise)) ** 2).mean(-1) * fmask
        flow = err.sum() / fmask.sum().clamp(min=1)

        # Stop: label 1 on the last `stop_patience` patches (a > N - patience), BOS excluded.
        a = torch.arange(n_max + 1, device=device).unsqueeze(0)
        stop_valid = (a >= 1) & (a <= n_lens.unsqueeze(1))
        labels = (a > (n_lens.unsqueeze(1) - cfg.stop_patience)).float()
        logits = self.stop(ha).squeeze(-1)
        bce = F.binary_cross_entropy_with_logits(
            logits, labels, reduction="none", pos_weight=torch.tensor(cfg.stop_pos_weight, device=device))
        stop = (bce * stop_valid).sum() / stop_valid.sum().clamp(min=1)
        return {"loss": flow + stop + cfg.aux_weight * aux, "flow": flow, "stop": stop, "aux": aux}


def num_parameters(model: nn.Module) -> int:
    """Parameters of the exported graphs: the training-only auxiliary head is left out."""
    return sum(p.numel() for n, p in model.named_parameters() if not n.startswith("aux."))
