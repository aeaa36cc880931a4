"""Reference generation loop: the Python twin of tts/ardit/ (TypeScript), step for step.

Everything outside the three graphs (prefill, step, flow head) is host arithmetic done in
float64 and rounded to float32 where a value becomes a graph input or an output, exactly as
the TypeScript Float32Array code does, so the two agree up to the graphs' own float error.
See CONTRACT.md ("Runtime algorithm") for the prose version.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch

from data.token_durations import duration_row, planned_timeline

from .config import ArditConfig, text_tokens
from .model import Ardit
from .philox import normals


@dataclass
class GenerateOptions:
    seed: int = 0
    speed: float = 1.0
    flow_steps: int = 4
    cfg_scale: float = 1.0  # 1 = no guidance (one flow-head row per Euler step)
    noise_scale: float = 1.0
    stop_threshold: float = 0.5
    stop_patience: Optional[int] = None  # None: the model's metadata value
    min_ratio: float = 0.6
    max_ratio: float = 1.5
    max_steps: int = 1000  # absolute cap, whatever the text length


@dataclass
class LengthPlan:
    planned: int
    min_steps: int
    max_steps: int


@dataclass
class GenerateResult:
    mel: np.ndarray  # contract log-mel, frame-major [steps * K, M], float32
    steps: int
    plan: LengthPlan
    reason: str  # 'stop' | 'max'
    stop_logits: List[float] = field(default_factory=list)


def round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def plan_length(num_phones: int, frames_per_phone: float, patch: int, opts: GenerateOptions) -> LengthPlan:
    if num_phones < 1:
        raise ValueError("at least one phone is needed")
    return bounds(max(1, round_half_up((num_phones * frames_per_phone) / (patch * opts.speed))), opts)


def bounds(planned: int, opts: GenerateOptions) -> LengthPlan:
    """The stop window around N patches: [ceil(min_ratio N), min(cap, ceil(max_ratio N))]."""
    min_steps = max(1, math.ceil(opts.min_ratio * planned))
    max_steps = min(opts.max_steps, max(min_steps, math.ceil(opts.max_ratio * planned)))
    min_steps = min(min_steps, max_steps)
    return LengthPlan(planned, min_steps, max_steps)


def phone_positions(num_phones: int, planned: int) -> np.ndarray:
    return np.array([((i + 0.5) * planned) / num_phones for i in range(num_phones)], dtype=np.float64).astype(
        np.float32)


def plan_text(cfg: ArditConfig, phone_ids: List[int], voice: Optional[int], opts: GenerateOptions
              ) -> Tuple[LengthPlan, np.ndarray]:
    """The length plan and the prefill's text-token positions (CONTRACT.md "Positions").
    With a duration table: tokens at their planned centres (in patches), the voice token in
    the middle of the leading silence, N = round(end of the last token / K). Without one
    (older models): N from frames_per_phone, tokens spread evenly (the voice token included)."""
    tokens = text_tokens(cfg, phone_ids, voice)
    k = cfg.patch
    if not cfg.token_frames:
        plan = plan_length(len(phone_ids), cfg.frames_per_phone, k, opts)  # the voice token has no length
        return plan, phone_positions(len(tokens), plan.planned)
    if len(phone_ids) < 1:
        raise ValueError("at least one phone is needed")
    name = cfg.voices[0 if voice is None else voice] if cfg.voices else None
    row = duration_row(cfg.duration_voices, name)
    centres, total = planned_timeline(cfg.token_frames, cfg.lead_frames, row, phone_ids, opts.speed)
    pos = [c / k for c in centres]
    if cfg.voices:
        pos = [cfg.lead_frames[row] / opts.speed / 2 / k] + pos
    return bounds(max(1, round_half_up(total / k)), opts), np.array(pos, dtype=np.float64).astype(np.float32)


def euler_times(steps: int) -> List[float]:
    return [i / steps for i in range(steps + 1)]


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


VelocityFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def sample_patch(velocity: VelocityFn, noise: np.ndarray, cond: np.ndarray, prev: np.ndarray,
                 flow_steps: int, cfg_scale: float) -> np.ndarray:
    """Euler integration of the flow from noise (t = 0) to a patch (t = 1); float32 [K, M]."""
    x = noise.astype(np.float32)
    times = euler_times(flow_steps)
    guided = cfg_scale != 1.0
    for i in range(flow_steps):
        t = times[i]
        dt = times[i + 1] - times[i]
        if guided:
            v = velocity(np.stack([x, x]), np.full(2, t, np.float32), np.stack([cond, np.zeros_like(cond)]),
                         np.stack([prev, prev]))
            vc, vu = v[0].astype(np.float64), v[1].astype(np.float64)
            vel = vu + cfg_scale * (vc - vu)
        else:
            vel = velocity(x[None], np.full(1, t, np.float32), cond[None], prev[None])[0].astype(np.float64)
        x = (x.astype(np.float64) + dt * vel).astype(np.float32)
    return x


class TorchGraphs:
    """The three graphs' computations on the PyTorch module, float32 numpy in and out."""

    def __init__(self, model: Ardit):
        self.model = model.eval()

    @torch.no_grad()
    def prefill(self, phone_ids: List[int], phone_pos: np.ndarray) -> Tuple[np.ndarray, float, tuple]:
        h, s, k, v = self.model.prefill(torch.tensor([phone_ids], dtype=torch.int64),
                                        torch.from_numpy(phone_pos[None]), torch.zeros(1, 1))
        return h[0].numpy(), float(s[0, 0]), (k, v)

    @torch.no_grad()
    def step(self, patch: np.ndarray, pos: float, cache: tuple) -> Tuple[np.ndarray, float, tuple]:
        h, s, k, v = self.model.step(torch.from_numpy(patch[None]), torch.tensor([[pos]], dtype=torch.float32),
                                     cache[0], cache[1])
        return h[0].numpy(), float(s[0, 0]), (k, v)

    @torch.no_grad()
    def velocity(self, x_t, t, cond, prev) -> np.ndarray:
        return self.model.head(torch.from_numpy(x_t), torch.from_numpy(t), torch.from_numpy(cond),
                               torch.from_numpy(prev)).numpy()


def generate(graphs: TorchGraphs, phone_ids: List[int], opts: GenerateOptions,
             voice: Optional[int] = None) -> GenerateResult:
    cfg = graphs.model.cfg
    k, m = cfg.patch, cfg.n_mels
    patience = opts.stop_patience if opts.stop_patience is not None else cfg.stop_patience
    plan, positions = plan_text(cfg, phone_ids, voice, opts)
    hidden, _, cache = graphs.prefill(text_tokens(cfg, phone_ids, voice), positions)
    mean = np.asarray(cfg.mel_mean, dtype=np.float64)
    std = np.asarray(cfg.mel_std, dtype=np.float64)
    prev = np.zeros((k, m), dtype=np.float32)
    frames: List[np.ndarray] = []
    stop_logits: List[float] = []
    run = 0
    step = 0
    reason = "max"
    while True:
        step += 1
        noise = normals(opts.seed, (step - 1) * k * m, k * m).reshape(k, m).astype(np.float64)
        noise = (opts.noise_scale * noise).astype(np.float32)
        patch = sample_patch(graphs.velocity, noise, hidden, prev, opts.flow_steps, opts.cfg_scale)
        frames.append((patch.astype(np.float64) * std + mean).astype(np.float32))
        prev = patch
        if step >= plan.max_steps:
            reason = "max"
            break
        hidden, stop_logit, cache = graphs.step(patch, float(step), cache)
        stop_logits.append(stop_logit)
        run = run + 1 if sigmoid(stop_logit) > opts.stop_threshold else 0
        if run >= patience and step >= plan.min_steps:
            reason = "stop"
            break
    return GenerateResult(np.concatenate(frames, axis=0), step, plan, reason, stop_logits)
