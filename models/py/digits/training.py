"""Training machinery shared by the digit-string trainers: length-bucketed batches made in a
worker process, the learning-rate schedule, SpecAugment, resumable checkpoints, and a log
that goes both to stdout and to a file.

Reproducibility: every batch is a pure function of (seed, step) -- the strings come from
DigitStringDataset seeded by (seed, epoch, index), the lookahead and SpecAugment masks from
generators seeded by (seed, step) -- and the torch RNG (dropout) is saved in checkpoints,
so a run resumed from a checkpoint continues exactly as if it had not stopped.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .dataset import DigitStringDataset

# A pool of POOL_BATCHES batches is generated together, sorted by length and cut into
# batches, so each batch pads to a similar length (a third less padding than random batches).
POOL_BATCHES = 8


@dataclass(frozen=True)
class Schedule:
    peak_lr: float
    warmup_steps: int
    total_steps: int
    final_lr_fraction: float = 0.02

    def lr(self, step: int) -> float:
        """Linear warm-up, then cosine decay to final_lr_fraction of the peak."""
        if step < self.warmup_steps:
            return self.peak_lr * (step + 1) / self.warmup_steps
        progress = min(1.0, (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps))
        floor = self.final_lr_fraction
        return self.peak_lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))


@dataclass(frozen=True)
class Stage:
    """From pool `first_pool` on, strings come from `source` and are featurised by `featurize`."""
    first_pool: int
    source: torch.utils.data.Dataset  # with set_epoch(), items whose [0] is the waveform
    featurize: Callable[[list], dict]


class PoolDataset(torch.utils.data.Dataset):
    """Item k = the k-th pool of batches, already featurised in the worker.

    Pool k draws items (epoch = k // pools_per_epoch, indices of that pool) from the source
    of the stage it belongs to, so pool k is the same in every run and after a resume.
    Stages give a curriculum: a small model from scratch leaves the blank plateau far
    sooner when its first examples are easy.
    """

    def __init__(self, stages: Sequence[Stage], batch_size: int, pools_per_epoch: int, seed: int) -> None:
        if not stages or stages[0].first_pool != 0:
            raise ValueError("the first stage must start at pool 0")
        self.stages, self.batch_size = list(stages), batch_size
        self.pools_per_epoch, self.seed = pools_per_epoch, seed

    def __len__(self) -> int:
        return 10**9

    def __getitem__(self, pool: int) -> List[dict]:
        torch.set_num_threads(1)
        torch.set_flush_denormal(True)
        stage = [s for s in self.stages if s.first_pool <= pool][-1]
        size = self.batch_size * POOL_BATCHES
        stage.source.set_epoch(pool // self.pools_per_epoch)
        first = (pool % self.pools_per_epoch) * size
        items = [stage.source[first + i] for i in range(size)]
        items.sort(key=lambda it: len(it[0]))
        batches = [stage.featurize(items[i:i + self.batch_size]) for i in range(0, size, self.batch_size)]
        order = np.random.default_rng([self.seed, pool, 7]).permutation(len(batches))
        return [batches[i] for i in order]


class _FromPool(torch.utils.data.Sampler):
    def __init__(self, first: int, count: int) -> None:
        self.first, self.count = first, count

    def __iter__(self):
        return iter(range(self.first, self.first + self.count))

    def __len__(self) -> int:
        return self.count


def batches_from(pools: PoolDataset, first_step: int, total_steps: int) -> Iterator[Tuple[int, dict]]:
    """(step, batch) for steps first_step .. total_steps-1; first_step must start a pool.
    One worker process builds the next pools while the main process trains."""
    if first_step % POOL_BATCHES:
        raise ValueError(f"resume step {first_step} is not a multiple of {POOL_BATCHES}")
    first_pool = first_step // POOL_BATCHES
    count = math.ceil((total_steps - first_step) / POOL_BATCHES)
    loader = torch.utils.data.DataLoader(pools, batch_size=None, sampler=_FromPool(first_pool, count),
                                         num_workers=1, prefetch_factor=2, collate_fn=lambda x: x)
    step = first_step
    for pool in loader:
        for batch in pool:
            if step >= total_steps:
                return
            yield step, batch
            step += 1


VtlpSetting = Tuple[float, float, float]


def vtlp_setting(text: Optional[str]) -> Optional[VtlpSetting]:
    """--vtlp LO,HI[,P] -> (low, high, probability), None when off."""
    if not text:
        return None
    parts = [float(v) for v in text.split(",")]
    return (parts[0], parts[1], parts[2] if len(parts) > 2 else 0.8)


def vtlp_factor(wave: np.ndarray, vtlp: Optional[VtlpSetting], seed: int) -> float:
    """The VTLP warp of one string (1 = none). Vocal tract length perturbation (Jaitly &
    Hinton 2013) warps the mel bank's frequencies: formants move as between speakers while
    the timing stays, which speed perturbation cannot do (it moves both). Drawn from the
    string's own samples, so a batch stays a pure function of (seed, step)."""
    if vtlp is None:
        return 1.0
    low, high, probability = vtlp
    rng = np.random.default_rng([seed, zlib.crc32(np.ascontiguousarray(wave).tobytes()), 11])
    return float(rng.uniform(low, high)) if rng.random() < probability else 1.0


def step_rng(seed: int, step: int, salt: int) -> random.Random:
    return random.Random(seed * 1_000_003 + step * 31 + salt)


def spec_augment(feats: torch.Tensor, lengths: torch.Tensor, rng: random.Random, freq_masks: int = 2,
                 freq_width: int = 12, time_masks: int = 2, time_width: int = 8,
                 fill: Optional[float] = None) -> torch.Tensor:
    """Zero (or `fill`) random frequency bands and short time spans, per utterance.
    feats [B, F, T]. Time spans stay short (<= 80 ms) so no whole word disappears."""
    out = feats.clone()
    value = float(feats.mean()) if fill is None else fill
    for b in range(feats.shape[0]):
        for _ in range(freq_masks):
            w = rng.randint(0, freq_width)
            f0 = rng.randint(0, feats.shape[1] - w)
            out[b, f0:f0 + w, :] = value
        n = int(lengths[b])
        for _ in range(time_masks):
            w = rng.randint(0, time_width)
            if n > w:
                t0 = rng.randint(0, n - w)
                out[b, :, t0:t0 + w] = value
    return out


class RunLog:
    """Lines to stdout and to a log file (appended, so a resumed run keeps one log)."""

    def __init__(self, path: str) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.file = open(path, "a", buffering=1)

    def __call__(self, message: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {message}"
        print(line, flush=True)
        self.file.write(line + "\n")


def save_checkpoint(path: str, model: torch.nn.Module, optimizer: torch.optim.Optimizer, step: int,
                    elapsed_s: float, extra: Dict[str, object]) -> None:
    """Atomic write (temp file + rename): a crash mid-save leaves the previous checkpoint."""
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
             "elapsed_s": elapsed_s, "torch_rng": torch.get_rng_state(), **extra}
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: str) -> Dict[str, object]:
    return torch.load(path, map_location="cpu")


def write_json(path: str, data: object) -> None:
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def format_eta(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def parameter_count(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def mean(values: Sequence[float]) -> float:
    return sum(values) / max(1, len(values))


def python_version() -> str:
    return sys.version.split()[0]


def run_arguments(description: str, name: str, default_steps: int, peak_lr: float, warmup: int,
                  seed: int) -> argparse.ArgumentParser:
    """The command line both digit trainers take; `name` is the run folder under work/."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help=f"smoke run: few steps, into work/quick/{name}")
    p.add_argument("--steps", type=int, default=None, help=f"total optimizer steps (default {default_steps}; quick 48)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--peak-lr", type=float, default=peak_lr)
    p.add_argument("--warmup", type=int, default=warmup)
    p.add_argument("--seed", type=int, default=seed)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--checkpoint-every", type=int, default=96)
    p.add_argument("--eval-every", type=int, default=400)
    p.add_argument("--out", default=None)
    p.add_argument("--vtlp", default=None, metavar="LO,HI[,P]",
                   help="vocal tract length perturbation of the full-mix strings: warp factor range and "
                        "probability (default 0.8), e.g. 0.88,1.12. Off by default")
    p.add_argument("--stop-after", type=int, default=None, metavar="STEP",
                   help="end the run after this step with its checkpoint saved (the learning-rate schedule "
                        "still runs to --steps); rerunning resumes from it. Records an interrupted run exactly.")
    return p


def fresh_directory(path: str, keep: Tuple[str, ...] = ("MODEL_CARD.md",)) -> None:
    """Empties an export directory (old graphs must not linger) but keeps the hand-written
    files named in `keep`, the model card above all."""
    kept = {}
    for name in keep:
        if os.path.exists(os.path.join(path, name)):
            with open(os.path.join(path, name), "rb") as f:
                kept[name] = f.read()
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)
    for name, data in kept.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)


def run_end(args: argparse.Namespace, steps: int) -> int:
    """The step a run stops at: --steps, or --stop-after when it comes first."""
    return steps if args.stop_after is None else min(steps, args.stop_after)


def start_run(args: argparse.Namespace, work: str, name: str, default_steps: int) -> Tuple[int, str, "RunLog"]:
    """(total steps, run folder, log) for parsed run_arguments, with torch set up for the run."""
    steps = args.steps or (48 if args.quick else default_steps)
    out = args.out or os.path.join(work, "quick" if args.quick else "", name)
    os.makedirs(out, exist_ok=True)
    log = RunLog(os.path.join(out, "train.log"))
    torch.set_num_threads(args.threads)
    # Denormal floats (underflowing softmax and gradient tails) made steps up to 10x slower.
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    return steps, out, log


def validation_rows(count: int, seed: int) -> List[dict]:
    """Strings from the training distribution with a seed the training never draws (a sanity
    check that the model fits its data; theo is the real test)."""
    ds = DigitStringDataset(epoch_size=count, seed=seed)
    ds.set_epoch(10**6)
    items = [ds[i] for i in range(count)]
    return [{"wave": wave.numpy(), "words": words} for wave, words, _ in items]
