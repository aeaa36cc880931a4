#!/usr/bin/python3
"""Trains the causal Vocos-tiny vocoder on CPU with spectral losses only, then exports it.

    /usr/bin/python3 models/py/tts/vocoder/train_vocoder.py            # data (if missing), train, export
    /usr/bin/python3 models/py/tts/vocoder/train_vocoder.py --steps 50 --out models/py/work/tts-vocoder/smoke

Run it under `nice -n 19` on a shared machine. Data: models/py/work/tts-vocoder/data/train.npz
(make_data.py, ~1.1 h of festival + flite; generated first when absent). Loss: multi-resolution
STFT (spectral convergence + L1 of log magnitudes at n_fft 256/512/1024/2048) + L1 of the
contract's log-mel. d=256, 4 ConvNeXt blocks; 2000 steps of random 48-frame crops (0.96 s), batch 8, AdamW 2e-3 with warm-up and
cosine decay, random gain in [0.25, 1] (log-mel shifted by ln g, floor kept).

Reproducible: fixed seed, crops drawn from a numpy Generator, 2 torch threads; a checkpoint
(model, optimiser, step, both RNG states) is written every 100 steps and picked up on restart,
so an interrupted run continues where it stopped. At the end it exports the ONNX (export.py).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.abspath(os.path.join(HERE, "..")))

import mel_spec  # noqa: E402
from model import HOP, N_FFT, VocosTiny, num_parameters  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
WORK = os.path.join(ROOT, "models", "py", "work", "tts-vocoder")
DATA = os.path.join(WORK, "data")
# (n_fft, hop); the 1024/320 one is the contract's STFT, so its magnitude also gives the mel loss.
RESOLUTIONS = ((256, 64), (512, 128), (1024, 320), (2048, 512))


def load_clips(path: str) -> list[np.ndarray]:
    z = np.load(path)
    audio, offsets = z["audio"], z["offsets"]
    return [audio[offsets[i]:offsets[i + 1]].astype(np.float32) / 32768.0 for i in range(len(offsets) - 1)]


def clip_mels(clips: list[np.ndarray]) -> list[torch.Tensor]:
    with torch.no_grad():
        return [mel_spec.log_mel(torch.from_numpy(c)).float() for c in clips]


def stft_mag(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    return torch.stft(x, n_fft, hop, n_fft, window=torch.hann_window(n_fft), center=True, pad_mode="reflect",
                      return_complex=True).abs()


def synthesize(model: VocosTiny, log_mel: torch.Tensor) -> torch.Tensor:
    """The model's output through torch.istft (FFT): equal to the exported ConvTranspose
    iSTFT to ~1e-6 (checked in export.py) and several times cheaper to train through."""
    re, im = model.spectrum(log_mel)
    return torch.istft(torch.complex(re, im), N_FFT, HOP, N_FFT, window=torch.hann_window(N_FFT), center=True,
                       length=log_mel.shape[-1] * HOP)


def losses(pred: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
    sc, mag, mel = 0.0, 0.0, 0.0
    fb = mel_spec.mel_filterbank().transpose(0, 1)
    for n_fft, hop in RESOLUTIONS:
        p = stft_mag(pred, n_fft, hop)
        with torch.no_grad():
            t = stft_mag(target, n_fft, hop)
        sc = sc + torch.linalg.norm(t - p) / torch.linalg.norm(t)
        mag = mag + F.l1_loss(torch.log(torch.clamp(p, min=1e-5)), torch.log(torch.clamp(t, min=1e-5)))
        if n_fft == mel_spec.N_FFT and hop == mel_spec.HOP_LENGTH:
            mel = F.l1_loss(torch.log(torch.clamp(fb @ p, min=mel_spec.LOG_FLOOR)),
                            torch.log(torch.clamp(fb @ t, min=mel_spec.LOG_FLOOR)))
    n = len(RESOLUTIONS)
    return {"sc": sc / n, "mag": mag / n, "mel": mel, "total": sc / n + mag / n + mel}


class Batches:
    """Random aligned crops: mel frames [a, a + L) <-> samples [320 a, 320 (a + L))."""

    def __init__(self, clips: list[np.ndarray], mels: list[torch.Tensor], frames: int, batch: int):
        self.clips, self.mels, self.frames, self.batch = clips, mels, frames, batch
        self.usable = [i for i, c in enumerate(clips) if len(c) // HOP >= frames]
        self.floor = float(np.log(mel_spec.LOG_FLOOR))

    def draw(self, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        mels, wavs = [], []
        for _ in range(self.batch):
            i = self.usable[int(rng.integers(len(self.usable)))]
            a = int(rng.integers(len(self.clips[i]) // HOP - self.frames + 1))
            g = float(rng.uniform(0.25, 1.0))
            mels.append(torch.clamp(self.mels[i][:, a:a + self.frames] + float(np.log(g)), min=self.floor))
            wavs.append(torch.from_numpy(self.clips[i][a * HOP:(a + self.frames) * HOP] * g))
        return torch.stack(mels), torch.stack(wavs)


def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * min(1.0, progress))))


def validate(model: VocosTiny, clips: list[np.ndarray], mels: list[torch.Tensor]) -> dict[str, float]:
    model.eval()
    tot: dict[str, float] = {}
    with torch.no_grad():
        for c, m in zip(clips, mels):
            frames = len(c) // HOP
            pred = synthesize(model, m[None, :, :frames])
            for k, v in losses(pred, torch.from_numpy(c[:frames * HOP])[None]).items():
                tot[k] = tot.get(k, 0.0) + float(v) / len(clips)
    model.train()
    return tot


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--out", default=os.path.join(WORK, "run"))
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    if not os.path.exists(os.path.join(DATA, "train.npz")):
        subprocess.run([sys.executable, os.path.join(HERE, "make_data.py")], check=True)

    t_load = time.time()
    clips = load_clips(os.path.join(DATA, "train.npz"))
    mels = clip_mels(clips)
    held = load_clips(os.path.join(DATA, "heldout.npz"))[:8]
    held_mels = clip_mels(held)
    cat = torch.cat(mels, 1)
    voiced = cat[:, (cat.max(0).values > np.log(1e-3))]  # statistics of frames with some energy
    print(f"data: {len(clips)} clips, {sum(map(len, clips)) / 16000 / 3600:.2f} h, "
          f"loaded in {time.time() - t_load:.0f}s", flush=True)

    torch.manual_seed(args.seed)
    model = VocosTiny(dim=args.dim, layers=args.layers)
    model.mel_mean.copy_(voiced.mean(1, keepdim=True))
    model.mel_std.copy_(voiced.std(1, keepdim=True).clamp(min=0.1))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.8, 0.99), weight_decay=0.01)
    rng = np.random.default_rng(args.seed)
    batches = Batches(clips, mels, args.frames, args.batch)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    step, elapsed, history = 0, 0.0, []
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed, history = ck["step"], ck["elapsed"], ck["history"]
        rng.bit_generator.state = ck["numpy_rng"]
        torch.set_rng_state(ck["torch_rng"])
        print(f"resumed at step {step} ({elapsed:.0f}s of training so far)", flush=True)
    print(f"model: {num_parameters(model)} parameters, receptive field {model.receptive_left} frames left",
          flush=True)

    def save() -> None:
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "elapsed": elapsed,
                    "history": history, "numpy_rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                    "config": model.config, "args": vars(args)}, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)

    model.train()
    t0, run = time.time(), {"total": 0.0, "sc": 0.0, "mag": 0.0, "mel": 0.0}
    while step < args.steps:
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args.steps, args.lr, 100)
        mel, wav = batches.draw(rng)
        parts = losses(synthesize(model, mel), wav)
        opt.zero_grad(set_to_none=True)
        parts["total"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        for k in run:
            run[k] += float(parts[k])
        if step % 50 == 0 or step == args.steps:
            now = time.time()
            elapsed += now - t0
            t0 = now
            entry = {"step": step, "elapsed": round(elapsed, 1), **{k: round(v / 50, 4) for k, v in run.items()}}
            if step % 400 == 0 or step == args.steps:
                entry["heldout"] = {k: round(v, 4) for k, v in validate(model, held, held_mels).items()}
            history.append(entry)
            print(json.dumps(entry), flush=True)
            run = {k: 0.0 for k in run}
            if step % 100 == 0 or step == args.steps:
                save()
                t0 = time.time()
    save()
    torch.save({"model": model.state_dict(), "config": model.config}, os.path.join(args.out, "vocoder.pt"))
    with open(os.path.join(args.out, "train_summary.json"), "w") as f:
        json.dump({"steps": step, "training_seconds": round(elapsed, 1), "parameters": num_parameters(model),
                   "history": history, "args": vars(args)}, f, indent=1)
    print(f"done: {step} steps, {elapsed:.0f}s of training", flush=True)
    if not args.no_export:
        subprocess.run([sys.executable, os.path.join(HERE, "export.py"), "--checkpoint",
                        os.path.join(args.out, "vocoder.pt")], check=True)


if __name__ == "__main__":
    main()
