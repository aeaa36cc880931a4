"""Trains the embedded streaming digits model: a cache-aware FastConformer hybrid (CTC + RNN-T
on one encoder), multi-lookahead, on DigitStringDataset strings.

    /usr/bin/python3 models/py/digits/train_streaming.py           # the shipped run (~1 h, 2 CPU cores)
    /usr/bin/python3 models/py/digits/train_streaming.py --quick   # smoke run, a few minutes

Writes into models/py/work/streaming/ (--quick: models/py/work/quick/streaming/):
checkpoint.pt (every --checkpoint-every steps; rerunning the command resumes from it),
model.pt (the final weights, what export_streaming.py reads), train.log, summary.json.

Training matches inference: features are `nemo-native-streaming` (features_torch), each batch
draws one lookahead R from {0, 1, 6, 13} and encodes with drop_frames=2, which is the chunk
grid sherpa's window protocol produces (zoo/check_streaming.py). Loss = 0.7 RNN-T + 0.3 CTC,
both summed per utterance and averaged over the batch (NeMo's hybrid with ctc_loss_weight 0.3).
"""
from __future__ import annotations

import os
import sys
import time
from typing import Optional

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "digits"

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from features_torch import nemo_log_mel  # noqa: E402
from zoo.fastconformer import DROP_PRE_ENCODED  # noqa: E402
from zoo.fastconformer_subsampling import subsampled_length  # noqa: E402
from zoo.rnnt import rnnt_loss  # noqa: E402

from .augment import AugmentConfig  # noqa: E402
from .dataset import DigitStringDataset, StringConfig  # noqa: E402
from .eval_sets import load_set  # noqa: E402
from .metrics import score  # noqa: E402
from .streaming_decode import ctc_greedy, encode_like_runtime, rnnt_greedy  # noqa: E402
from .streaming_model import ENCODER, HEADS, build_model, set_feature_statistics  # noqa: E402
from .streaming_tokens import BLANK_ID, ids_to_words, words_to_ids  # noqa: E402
from .word_alignment import AlignedWords, frame_targets  # noqa: E402
from .training import (  # noqa: E402
    POOL_BATCHES, PoolDataset, RunLog, Stage, Schedule, batches_from, format_eta, load_checkpoint,
    parameter_count, run_arguments, run_end, save_checkpoint, spec_augment, start_run, step_rng, validation_rows,
    VtlpSetting, vtlp_factor, vtlp_setting, write_json,
)

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.abspath(os.path.join(HERE, "..", "work"))
CTC_WEIGHT = 0.3
SEED = 20240917
STATS_STRINGS = 400  # training strings measured for the encoder's input normalisation
# The first steps see 1-4 digit strings built from words (no whole TTS strings, which run to
# 12 digits): two earlier runs of this model on the full mix sat on the blank plateau
# (a time-invariant encoder, loss ~20 per string) for 250-350 steps without leaving it.
# Three stages (see word_alignment.py for why): frame-labelled single words, then 1-4 digit
# strings built from words (no whole TTS strings, which run to 12 digits), then the full mix.
WORD_STEPS = 320
SHORT_STEPS = 240
SINGLE_WORDS = StringConfig(length_weights=(1.0,),
                            mode_weights={"fsdd_speaker": 0.45, "synth_voice": 0.4, "mixed": 0.15, "tts_string": 0.0})
SHORT_STRINGS = StringConfig(length_weights=(1.0, 1.0, 1.0, 1.0),
                             mode_weights={"fsdd_speaker": 0.45, "synth_voice": 0.4, "mixed": 0.15, "tts_string": 0.0})
FRAME_CE_HYBRID_WEIGHT = 0.2  # the sequence losses also run in stage 1, to start the RNN-T heads


class Featurize:
    """Worker side: a length-sorted slice of strings -> padded features and targets, with
    vocal tract length perturbation of the mel bank when `vtlp` is set (training.vtlp_factor)."""

    def __init__(self, vtlp: Optional[VtlpSetting] = None, seed: int = 0) -> None:
        self.vtlp, self.seed = vtlp, seed

    def __call__(self, items):
        lengths = torch.tensor([len(w) for w, _, _ in items], dtype=torch.long)
        waves = torch.zeros(len(items), int(lengths.max()))
        for i, (w, _, _) in enumerate(items):
            waves[i, : len(w)] = w
        warps = None if self.vtlp is None else [vtlp_factor(w.numpy(), self.vtlp, self.seed) for w, _, _ in items]
        return targets_for(items, *nemo_log_mel(waves, lengths, warps=warps), lengths)


featurize = Featurize()


def targets_for(items, feats, frames, lengths):
    """Padded token targets for a featurised batch."""
    ids = [words_to_ids(words) for _, words, _ in items]
    targets = torch.zeros(len(items), max(len(t) for t in ids), dtype=torch.long)
    for i, t in enumerate(ids):
        targets[i, : len(t)] = torch.tensor(t)
    return {"feats": feats, "frames": frames, "targets": targets,
            "target_lengths": torch.tensor([len(t) for t in ids]), "audio_s": float(lengths.sum()) / 16000}


def featurize_aligned(items):
    """Worker side, stage 1: single words with frame labels (word_alignment.py)."""
    batch = featurize([(w, words, "") for w, words, _, _ in items])
    out_frames = int(subsampled_length(batch["frames"]).max()) - DROP_PRE_ENCODED
    batch["frame_targets"] = frame_targets(items, out_frames, batch["targets"][:, 0], BLANK_ID)
    return batch


def frame_loss(model, batch, lookahead):
    """Frame-level cross-entropy of the CTC head against word/blank frame labels, plus the
    sequence losses at a small weight."""
    # No SpecAugment here: masking a band or 80 ms of a lone word slows a warm start that
    # has only a few hundred steps (a run with it classified 4 % of word frames right
    # after 190 steps; runs without it, 15-25 % after 120).
    encoded, enc_len = model.encode(batch["feats"], batch["frames"], lookahead, DROP_PRE_ENCODED)
    log_probs = model.ctc(encoded)
    valid = torch.arange(log_probs.shape[1])[None, :] < enc_len[:, None]
    ce = F.nll_loss(log_probs[valid], batch["frame_targets"][:, : log_probs.shape[1]][valid])
    targets, target_len = batch["targets"], batch["target_lengths"]
    ctc = F.ctc_loss(log_probs.transpose(0, 1), targets, enc_len, target_len, blank=model.blank,
                     reduction="sum", zero_infinity=True) / targets.shape[0]
    logits = model.joiner(encoded.transpose(1, 2), model.predictor.forward_training(targets))
    rnnt = rnnt_loss(logits, enc_len, targets, target_len, model.blank)
    seq = (1 - CTC_WEIGHT) * rnnt + CTC_WEIGHT * ctc
    return ce + FRAME_CE_HYBRID_WEIGHT * seq, float(rnnt), float(ctc), float(ce)


def hybrid_loss(model, batch, lookahead, augment_rng):
    feats = spec_augment(batch["feats"], batch["frames"], augment_rng)
    encoded, enc_len = model.encode(feats, batch["frames"], lookahead, DROP_PRE_ENCODED)
    targets, target_len = batch["targets"], batch["target_lengths"]
    log_probs = model.ctc(encoded)  # [B, T, V+1]
    ctc = F.ctc_loss(log_probs.transpose(0, 1), targets, enc_len, target_len, blank=model.blank,
                     reduction="sum", zero_infinity=True) / targets.shape[0]
    logits = model.joiner(encoded.transpose(1, 2), model.predictor.forward_training(targets))
    rnnt = rnnt_loss(logits, enc_len, targets, target_len, model.blank)
    return (1 - CTC_WEIGHT) * rnnt + CTC_WEIGHT * ctc, float(rnnt), float(ctc)


def evaluate(model, rows, lookahead):
    """Digit error rates of both heads on rows with "wave" and "words", decoded as the runtime does."""
    model.eval()
    refs, ctc_hyps, rnnt_hyps = [], [], []
    for row in rows:
        enc = encode_like_runtime(model, torch.from_numpy(row["wave"]), lookahead)
        refs.append(row["words"])
        ctc_hyps.append(ids_to_words(ctc_greedy(model, enc)))
        rnnt_hyps.append(ids_to_words(rnnt_greedy(model, enc)))
    model.train()
    return score(refs, ctc_hyps), score(refs, rnnt_hyps)


def main(argv=None) -> int:
    parser = run_arguments(__doc__.splitlines()[0], "streaming", 2400, 1.5e-3, 100, SEED)
    parser.add_argument("--gain-db", default=None, metavar="LOW,HIGH",
                        help="input level range after peak normalisation to 0.5 (default %s dB)"
                        % ",".join(str(v) for v in AugmentConfig().gain_db_range))
    parser.add_argument("--speed", default=None, metavar="LOW,HIGH",
                        help="speed perturbation range (default %s)"
                        % ",".join(str(v) for v in AugmentConfig().speed_range))
    args = parser.parse_args(argv)
    vtlp = vtlp_setting(args.vtlp)
    steps, out, log = start_run(args, WORK, "streaming", 2400)
    pair = lambda text: tuple(float(v) for v in text.split(","))  # noqa: E731
    augmentation = AugmentConfig(**{k: pair(v) for k, v in (("gain_db_range", args.gain_db),
                                                             ("speed_range", args.speed)) if v is not None})
    if augmentation != AugmentConfig():
        log(f"augmentation: gain {augmentation.gain_db_range} dB, speed {augmentation.speed_range}")

    strings = DigitStringDataset(epoch_size=args.batch_size * POOL_BATCHES * 50, seed=args.seed,
                                 augmentation=augmentation)
    model = build_model()
    stats_strings = DigitStringDataset(epoch_size=STATS_STRINGS, seed=args.seed + 2, words=strings.words,
                                       tts_strings=strings.tts_strings)
    set_feature_statistics(model, (stats_strings[i][0] for i in range(40 if args.quick else STATS_STRINGS)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.peak_lr, betas=(0.9, 0.98), weight_decay=1e-3)
    schedule = Schedule(args.peak_lr, min(args.warmup, steps // 4), steps)
    ckpt_path = os.path.join(out, "checkpoint.pt")
    first_step, elapsed = 0, 0.0
    if os.path.exists(ckpt_path):
        state = load_checkpoint(ckpt_path)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        first_step, elapsed = int(state["step"]), float(state["elapsed_s"])
        log(f"resumed from {ckpt_path} at step {first_step} ({format_eta(elapsed)} trained)")
    log(f"model: {parameter_count(model):,} parameters (encoder {parameter_count(model.encoder):,}); "
        f"{steps} steps x batch {args.batch_size}; lookaheads {ENCODER.lookaheads}; seed {args.seed}; "
        f"torch {torch.__version__}, {args.threads} threads; vtlp {vtlp}")

    def sibling(config: StringConfig, seed: int) -> DigitStringDataset:
        return DigitStringDataset(epoch_size=strings.epoch_size, seed=seed, strings=config, words=strings.words,
                                  tts_strings=strings.tts_strings, augmentation=augmentation)

    word_pools = min(WORD_STEPS, steps // 4) // POOL_BATCHES
    short_pools = word_pools + min(SHORT_STEPS, steps // 4) // POOL_BATCHES
    pools = PoolDataset([Stage(0, AlignedWords(sibling(SINGLE_WORDS, args.seed + 4)), featurize_aligned),
                         Stage(word_pools, sibling(SHORT_STRINGS, args.seed + 3), featurize),
                         Stage(short_pools, strings, Featurize(vtlp, args.seed))], args.batch_size, 50, args.seed)
    val = validation_rows(8 if args.quick else 48, SEED + 1)
    theo = load_set("theo", limit=8 if args.quick else 40)
    extra = {"encoder_config": ENCODER.to_dict(), "head_config": HEADS.__dict__, "seed": args.seed,
             "steps": steps, "batch_size": args.batch_size}

    model.train()
    started = time.time() - elapsed
    run_start = time.time()
    window, audio_s, losses, frame_ces = [], 0.0, [], []
    step = first_step
    end = run_end(args, steps)
    for step, batch in batches_from(pools, first_step, end):
        t0 = time.time()
        for g in optimizer.param_groups:
            g["lr"] = schedule.lr(step)
        lookahead = step_rng(args.seed, step, 1).choice(ENCODER.lookaheads)
        if "frame_targets" in batch:
            loss, rnnt, ctc, ce = frame_loss(model, batch, lookahead)
            frame_ces.append(ce)
        else:
            loss, rnnt, ctc = hybrid_loss(model, batch, lookahead, step_rng(args.seed, step, 2))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        window.append(time.time() - t0)
        losses.append((rnnt, ctc))
        audio_s += batch["audio_s"]
        done = step + 1
        if done % 20 == 0 or done == first_step + 8:
            per_step = (time.time() - run_start) / (done - first_step)
            r = sum(x for x, _ in losses) / len(losses)
            c = sum(y for _, y in losses) / len(losses)
            ce = f"frame-ce {sum(frame_ces) / len(frame_ces):.3f} " if frame_ces else ""
            log(f"step {done}/{steps} {ce}rnnt {r:.3f} ctc {c:.3f} lr {schedule.lr(step):.2e} "
                f"compute {sum(window) / len(window):.2f}s/step wall {per_step:.2f}s/step "
                f"audio {audio_s / 3600:.2f}h; projected total {format_eta(per_step * steps)}, "
                f"left {format_eta(per_step * (steps - done))}")
            window, losses, frame_ces = [], [], []
        if done % args.checkpoint_every == 0 or done == end:
            save_checkpoint(ckpt_path, model, optimizer, done, time.time() - started, extra)
        if done % args.eval_every == 0 or done == steps:
            for name, rows in (("validation", val), ("theo-dev40", theo)):
                c_rates, r_rates = evaluate(model, rows, 1)
                log(f"eval step {done} {name} R=1: CTC {c_rates.summary()} | RNNT {r_rates.summary()}")

    wall = time.time() - started
    if end < steps:
        log(f"stopped after step {end} of {steps} (--stop-after); {ckpt_path} resumes it")
        return 0
    final = {"model": model.state_dict(), **extra, "wall_s": wall}
    torch.save(final, os.path.join(out, "model.pt"))
    write_json(os.path.join(out, "summary.json"), {
        "parameters": parameter_count(model), "encoder_parameters": parameter_count(model.encoder),
        "steps": steps, "batch_size": args.batch_size, "seed": args.seed, "wall_s": round(wall, 1),
        "threads": args.threads, "torch": torch.__version__})
    log(f"done: {steps} steps in {format_eta(wall)}; weights in {os.path.join(out, 'model.pt')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
