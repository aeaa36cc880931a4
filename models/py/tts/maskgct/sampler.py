"""Reference decoding loop: the Python twin of tts/maskgct/ (TypeScript), step for step.

Everything outside the three graphs (t2s, s2a, codec decoder) is host arithmetic in float64:
the cosine schedule, temperature annealing, top-k, Gumbel sampling from the Philox stream,
confidence re-masking with committed tokens kept, classifier-free guidance on logits, the
coarse-to-fine step counts per codec layer, length planning and prompt continuation. The
TypeScript code performs the same operations in the same order (sums are sequential loops,
not numpy's pairwise sums), so on the same logits both choose the same tokens. See
CONTRACT.md ("Runtime algorithm") for the prose version.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch

from ardit.philox import philox4x32, seed_key
from data.token_durations import duration_row, planned_timeline

from .config import MaskGctConfig
from .model import MaskGct

TWO_32 = 4294967296.0
SCHEDULE_EPS = 1e-9  # floor(L * cos(...) + eps): robust to a last-ulp difference between libms
PASSES_PER_PHRASE = 16  # Philox counter word 3 = phrase * 16 + pass (pass 0 = T2S, 1 + q = S2A layer q)


@dataclass
class GenerateOptions:
    seed: int = 0
    speed: float = 1.0
    num_frames: Optional[int] = None  # target frames; None = planned from the phones
    max_frames: int = 1500  # absolute cap on a phrase's target frames (30 s)
    t2s_steps: int = 12
    t2s_temperature: float = 1.0
    t2s_top_k: int = 8
    t2s_cfg: float = 0.0  # 0 = no guidance (one row per graph call)
    s2a_steps: Optional[List[int]] = None  # per codec layer; None = default_s2a_steps(Q)
    s2a_temperature: float = 1.0
    s2a_top_k: int = 16
    s2a_cfg: float = 0.0
    conf_noise: float = 1.0  # confidence Gumbel noise scale (times t)
    prompt_frames: int = 50  # continuation prompt: last frames of the previous phrase
    voice: Optional[str] = None  # duration-table row (CONTRACT.md "Positions"); None or unknown = pooled


@dataclass
class Prompt:
    phones: List[int]
    sem: np.ndarray  # int64 [Tp]
    ac: np.ndarray  # int64 [Tp, Q]
    # float64 [Pp] phone centres in frames from the prompt start; None = evenly over the prompt.
    # Used only by models with a duration table.
    phone_pos: Optional[np.ndarray] = None


@dataclass
class StepTrace:
    chosen: List[int]  # token drawn per target position this step, -1 where committed earlier
    masked: List[int]  # 1 where the position is masked after the step


@dataclass
class PhraseResult:
    num_frames: int
    sem: np.ndarray  # [L]
    ac: np.ndarray  # [L, Q]
    mel: np.ndarray  # contract log-mel [L, 80], float32
    traces: Dict[str, List[StepTrace]] = field(default_factory=dict)
    min_margin: float = math.inf  # smallest score gap behind any decision (fixture selection)
    centres: Optional[List[float]] = None  # target phone centres in frames (duration table), else None
    phone_pos: Optional[np.ndarray] = None  # float32 positions of all phones fed to T2S


def default_s2a_steps(layers: int) -> List[int]:
    return [max(1, 8 >> q) for q in range(layers)]


def round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def plan_frames(num_phones: int, frames_per_phone: float, opts: GenerateOptions) -> int:
    if num_phones < 1:
        raise ValueError("at least one phone is needed")
    if opts.num_frames is not None:
        n = opts.num_frames
    else:
        n = max(1, round_half_up(num_phones * frames_per_phone / opts.speed))
    if not (1 <= n <= opts.max_frames):
        raise ValueError(f"target frames {n} outside 1..{opts.max_frames}")
    return n


def phone_positions(num_phones: int, num_frames: int) -> np.ndarray:
    return np.array([((i + 0.5) * num_frames) / num_phones for i in range(num_phones)],
                    dtype=np.float64).astype(np.float32)


def has_durations(cfg: MaskGctConfig) -> bool:
    return len(cfg.token_frames) > 0


def plan_phrase(cfg: MaskGctConfig, phone_ids: List[int], opts: GenerateOptions) -> Tuple[int, Optional[List[float]]]:
    """-> (target frames L, target phone centres in frames or None). Without a duration table:
    plan_frames, no centres (phones spread evenly). With one (CONTRACT.md "Positions"), float64:
    centres, total = planned_timeline(row of opts.voice, speed); L = num_frames, or
    max(1, floor(total + 0.5)); with num_frames given and total > 0 each centre becomes
    (centre * L) / total."""
    if not has_durations(cfg):
        return plan_frames(len(phone_ids), cfg.frames_per_phone, opts), None
    if len(phone_ids) < 1:
        raise ValueError("at least one phone is needed")
    row = duration_row(cfg.duration_voices, opts.voice)
    centres, total = planned_timeline(cfg.token_frames, cfg.lead_frames, row, phone_ids, opts.speed)
    if opts.num_frames is not None:
        n = opts.num_frames
        if total > 0:
            centres = [(c * n) / total for c in centres]
    else:
        n = max(1, round_half_up(total))
    if not (1 <= n <= opts.max_frames):
        raise ValueError(f"target frames {n} outside 1..{opts.max_frames}")
    return n, centres


def t2s_positions(prompt: Prompt, tp: int, length: int, num_target: int,
                  centres: Optional[List[float]]) -> np.ndarray:
    """float32 RoPE positions of [prompt phones; target phones]. Without centres (no table):
    all phones evenly over prompt + target, (i + 0.5) * (Tp + L) / P. With them: prompt
    phones at prompt.phone_pos, else ((i + 0.5) * Tp) / Pp; target phone i at Tp + centres[i];
    float64 throughout, float32 at the end."""
    pp = len(prompt.phones)
    if centres is None:
        return phone_positions(pp + num_target, tp + length)
    if prompt.phone_pos is not None:
        head = [float(v) for v in prompt.phone_pos]
    else:
        head = [((i + 0.5) * tp) / pp for i in range(pp)]
    return np.array(head + [tp + c for c in centres], dtype=np.float64).astype(np.float32)


def masked_after_step(length: int, steps: int, step: int, masked_now: int) -> int:
    """Positions still masked after step `step` (0-based): floor(L * cos(pi/2 * (step+1)/steps)),
    at least one fewer than before (every step commits a token), 0 after the last step."""
    if step >= steps - 1:
        return 0
    n = math.floor(length * math.cos(math.pi / 2 * ((step + 1) / steps)) + SCHEDULE_EPS)
    return max(0, min(masked_now - 1, n))


def uniform(key: Tuple[int, int], stream: int, step: int, row: int, word: int) -> float:
    w = philox4x32((word >> 2, row, step, stream), key)[word & 3]
    return (w + 0.5) / TWO_32


def gumbel(u: float) -> float:
    return -math.log(-math.log(u))


def top_k(logits: np.ndarray, k: int) -> List[int]:
    """Ids of the k largest logits, largest first, ties to the lower id."""
    order = sorted(range(len(logits)), key=lambda j: (-float(logits[j]), j))
    return order[:k]


LogitsFn = Callable[[np.ndarray, np.ndarray, bool], Tuple[np.ndarray, Optional[np.ndarray]]]


def mask_predict(logits_fn: LogitsFn, length: int, steps: int, temperature: float, k: int, cfg: float,
                 conf_noise: float, key: Tuple[int, int], stream: int,
                 trace: Optional[List[StepTrace]] = None, margin: Optional[List[float]] = None) -> np.ndarray:
    """Decodes `length` tokens by iterative mask-predict. logits_fn(tokens, masked, guided) gives
    float32 [length, V] conditional logits and, when guided, the unconditional ones."""
    tokens = np.zeros(length, dtype=np.int64)
    masked = np.ones(length, dtype=bool)
    for i in range(steps):
        t = 1.0 - i / steps
        last = i == steps - 1
        lc, lu = logits_fn(tokens, masked, cfg != 0.0)
        vocab = lc.shape[1]
        kk = min(k, vocab)
        chosen = [-1] * length
        conf: Dict[int, float] = {}
        for r in range(length):
            if not masked[r]:
                continue
            row = lc[r].astype(np.float64)
            if cfg != 0.0:
                ur = lu[r].astype(np.float64)
                row = np.array([row[j] + cfg * (row[j] - ur[j]) for j in range(vocab)])
            cand = top_k(row, kk)
            vals = [float(row[j]) for j in cand]
            if last:
                best = 0
                if margin is not None and kk > 1:
                    margin.append(vals[0] - vals[1])
            else:
                tau = temperature * t
                scores = [vals[n] / tau + gumbel(uniform(key, stream, i, r, cand[n])) for n in range(kk)]
                best = 0
                for n in range(1, kk):
                    if scores[n] > scores[best]:
                        best = n
                if margin is not None and kk > 1:
                    margin.append(scores[best] - max(s for n, s in enumerate(scores) if n != best))
            mx = vals[0]
            total = 0.0
            for v in vals:
                total += math.exp(v - mx)
            logp = vals[best] - mx - math.log(total)
            conf[r] = logp + conf_noise * t * gumbel(uniform(key, stream, i, r, vocab))
            tokens[r] = cand[best]
            chosen[r] = cand[best]
        keep = masked_after_step(length, steps, i, int(masked.sum()))
        order = sorted(conf.keys(), key=lambda r: (conf[r], r))
        masked[:] = False
        for r in order[:keep]:
            masked[r] = True
        if margin is not None and 0 < keep < len(order):
            margin.append(conf[order[keep]] - conf[order[keep - 1]])
        if trace is not None:
            trace.append(StepTrace(chosen, [int(m) for m in masked]))
        if keep == 0:
            break
    return tokens


class TorchGraphs:
    """The three graphs' computations on the PyTorch modules, numpy in and out. `cfg` is what
    the host loop plans with: the model's, or (fixture) a copy without the duration table."""

    def __init__(self, model: MaskGct, cfg: Optional[MaskGctConfig] = None):
        self.model = model.eval()
        self.cfg = model.cfg if cfg is None else cfg

    @torch.no_grad()
    def t2s(self, phone_ids, phone_pos, sem_ids, sem_masked, drop_prefix) -> np.ndarray:
        return self.model.t2s(torch.from_numpy(phone_ids), torch.from_numpy(phone_pos), torch.from_numpy(sem_ids),
                              torch.from_numpy(sem_masked), torch.from_numpy(drop_prefix)).numpy()

    @torch.no_grad()
    def s2a(self, sem_ids, ac_ids, ac_known, layer: int, drop_prefix) -> np.ndarray:
        return self.model.s2a(torch.from_numpy(sem_ids), torch.from_numpy(ac_ids), torch.from_numpy(ac_known),
                              torch.tensor([layer], dtype=torch.int64), torch.from_numpy(drop_prefix)).numpy()

    @torch.no_grad()
    def decode(self, ac_ids) -> np.ndarray:
        return self.model.codec(torch.from_numpy(ac_ids)).numpy()


def rows(x: np.ndarray, n: int) -> np.ndarray:
    return np.repeat(x[None], n, axis=0)


def generate_phrase(graphs: TorchGraphs, phone_ids: List[int], prompt: Optional[Prompt], opts: GenerateOptions,
                    phrase: int = 0, record: bool = True) -> PhraseResult:
    cfg = graphs.cfg
    q_count = cfg.codec_layers
    steps_per_layer = opts.s2a_steps if opts.s2a_steps is not None else default_s2a_steps(q_count)
    if len(steps_per_layer) != q_count or any(s < 1 for s in steps_per_layer):
        raise ValueError(f"s2a_steps needs {q_count} positive counts")
    if q_count >= PASSES_PER_PHRASE:
        raise ValueError(f"at most {PASSES_PER_PHRASE - 1} codec layers")
    if prompt is None:
        prompt = Prompt([], np.zeros(0, np.int64), np.zeros((0, q_count), np.int64))
    if prompt.phone_pos is not None and len(prompt.phone_pos) != len(prompt.phones):
        raise ValueError("prompt phone_pos needs one position per prompt phone")
    length, centres = plan_phrase(cfg, phone_ids, opts)
    key = seed_key(opts.seed)
    tp = len(prompt.sem)
    total = tp + length
    phones = np.array(prompt.phones + list(phone_ids), dtype=np.int64)
    pos = t2s_positions(prompt, tp, length, len(phone_ids), centres)
    traces: Dict[str, List[StepTrace]] = {}
    margin: List[float] = []

    def t2s_logits(tokens, masked, guided):
        n = 2 if guided else 1
        sem = np.concatenate([prompt.sem, np.where(masked, 0, tokens)]).astype(np.int64)
        m = np.concatenate([np.zeros(tp), masked.astype(np.float64)]).astype(np.float32)
        drop = np.array([0, len(phones) + tp][:n], dtype=np.int64)
        out = graphs.t2s(rows(phones, n), rows(pos, n), rows(sem, n), rows(m, n), drop)
        return out[0, tp:], (out[1, tp:] if guided else None)

    traces["t2s"] = []
    sem = mask_predict(t2s_logits, length, opts.t2s_steps, opts.t2s_temperature, opts.t2s_top_k, opts.t2s_cfg,
                       opts.conf_noise, key, phrase * PASSES_PER_PHRASE, traces["t2s"], margin)
    sem_all = np.concatenate([prompt.sem, sem]).astype(np.int64)
    ac = np.zeros((length, q_count), dtype=np.int64)
    for q in range(q_count):
        def s2a_logits(tokens, masked, guided, q=q):
            n = 2 if guided else 1
            ac_t = ac.copy()
            ac_t[:, q] = np.where(masked, 0, tokens)
            known_t = np.zeros((length, q_count), dtype=np.float32)
            known_t[:, :q] = 1.0
            known_t[:, q] = (~masked).astype(np.float32)
            ids = np.concatenate([prompt.ac, ac_t]).astype(np.int64)
            known = np.concatenate([np.ones((tp, q_count), np.float32), known_t])
            drop = np.array([0, tp][:n], dtype=np.int64)
            out = graphs.s2a(rows(sem_all, n), rows(ids, n), rows(known, n), q, drop)
            return out[0, tp:], (out[1, tp:] if guided else None)

        traces[f"s2a{q}"] = []
        ac[:, q] = mask_predict(s2a_logits, length, steps_per_layer[q], opts.s2a_temperature, opts.s2a_top_k,
                                opts.s2a_cfg, opts.conf_noise, key, phrase * PASSES_PER_PHRASE + 1 + q,
                                traces[f"s2a{q}"], margin)
    # The decoder sees the prompt's codes as left context; only the target's frames are kept.
    mel = graphs.decode(np.concatenate([prompt.ac, ac])[None].astype(np.int64))[0, tp:]
    return PhraseResult(length, sem, ac, mel.astype(np.float32), traces if record else {},
                        min(margin) if margin else math.inf, centres, pos)


def continuation_prompt(phone_ids: List[int], res: PhraseResult, max_frames: int) -> Prompt:
    """The next phrase's prompt: the last n = min(L, max_frames) frames of this phrase, and
    - with centres (duration table): the phones from the first whose centre >= w = L - n (at
      least the last phone), at positions centre - w (float64) in the prompt;
    - without: the last max(1, ceil(P * n / L)) phones (proportional; where the phones sit
      is not known), positioned evenly by the next phrase."""
    length = res.num_frames
    n = min(length, max_frames)
    p = len(phone_ids)
    sem, ac = res.sem[length - n:].copy(), res.ac[length - n:].copy()
    if res.centres is None:
        keep = max(1, (p * n + length - 1) // length)
        return Prompt(list(phone_ids[p - keep:]), sem, ac)
    w = length - n
    first = p - 1
    for i, c in enumerate(res.centres):
        if c >= w:
            first = i
            break
    pos = np.array([c - w for c in res.centres[first:]], dtype=np.float64)
    return Prompt(list(phone_ids[first:]), sem, ac, pos)


def synthesize(graphs: TorchGraphs, phrases: List[List[int]], opts: GenerateOptions,
               prompt: Optional[Prompt] = None) -> List[PhraseResult]:
    """Phrase by phrase in one voice: phrase k > 0 continues from the tail of phrase k - 1."""
    if opts.prompt_frames < 1:
        raise ValueError("prompt_frames must be >= 1")
    if len(phrases) * PASSES_PER_PHRASE >= 2 ** 32:
        raise ValueError("too many phrases")
    out: List[PhraseResult] = []
    for k, phones in enumerate(phrases):
        res = generate_phrase(graphs, phones, prompt, opts, phrase=k)
        out.append(res)
        prompt = continuation_prompt(phones, res, opts.prompt_frames)
    return out
