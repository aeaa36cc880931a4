"""Runs the installed TTS tools (espeak-ng, flite, festival) and returns 16 kHz mono float32 audio.

espeak-ng and flite start in milliseconds, so each text is one process. festival takes 0.3-1 s
to start (the HTS voice longest), so each festival speaker renders a whole batch of texts from
one generated Scheme script.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

import numpy as np

from .audio_io import MODEL_RATE, read_wav, resample
from .voices import Voice

FESTIVAL_BATCH = 120  # utterances per festival process: start-up cost amortised, work still splits


def _read_16k(path: str) -> np.ndarray:
    audio, rate = read_wav(path)
    return resample(audio, rate, MODEL_RATE)


def _run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()[:500]}")


def espeak_command(voice: Voice, text: str, out_path: str) -> list[str]:
    variant = voice.setting("variant", "")
    name = f"{voice.speaker}+{variant}" if variant else voice.speaker
    return ["espeak-ng", "-v", name, "-s", str(voice.setting("rate", 175)), "-p", str(voice.setting("pitch", 50)),
            "-w", out_path, text]


def flite_command(voice: Voice, text: str, out_path: str) -> list[str]:
    cmd = ["flite", "-voice", voice.speaker, "--setf", f"duration_stretch={voice.setting('duration_stretch', 1.0)}"]
    f0 = voice.setting("f0_mean", 0)
    if f0:
        cmd += ["--setf", f"int_f0_target_mean={f0}"]
    return cmd + ["-t", text, "-o", out_path]


def _synth_one(voice: Voice, text: str, tmp: str, index: int) -> np.ndarray:
    path = os.path.join(tmp, f"u{index}.wav")
    builder = espeak_command if voice.engine == "espeak" else flite_command
    _run(builder(voice, text, path))
    audio = _read_16k(path)
    os.unlink(path)
    return audio


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def festival_script(items: list[tuple[Voice, str]], paths: list[str]) -> str:
    """One Scheme program rendering every (voice, text) item to its path."""
    lines, current = [], None
    for (voice, text), path in zip(items, paths):
        if voice.speaker != current:
            lines.append(f"(voice_{voice.speaker})")
            current = voice.speaker
        stretch = float(voice.setting("duration_stretch", 1.0))
        if voice.speaker == "cmu_us_slt_arctic_hts":
            # HTS ignores Duration_Stretch; its engine's "-r" is a speaking-rate factor (>1 = faster).
            lines.append("(set! hts_engine_params (append cmu_us_slt_arctic_hts::hts_engine_params "
                         f"(list '(\"-r\" {1.0 / stretch:.4f}))))")
        else:
            lines.append(f"(Parameter.set 'Duration_Stretch {stretch})")
            f0 = float(voice.setting("f0_mean", 105))
            lines.append(f"(set! int_lr_params '((target_f0_mean {f0}) (target_f0_std {0.14 * f0:.1f}) "
                         "(model_f0_mean 170) (model_f0_std 34)))")
        lines.append(f"(utt.save.wave (utt.synth (Utterance Text {_scheme_string(text)})) {_scheme_string(path)} 'riff)")
    return "\n".join(lines) + "\n"


def _synth_festival_batch(items: list[tuple[Voice, str]], tmp: str, batch_id: int) -> list[np.ndarray]:
    paths = [os.path.join(tmp, f"fest{batch_id}_{i}.wav") for i in range(len(items))]
    script = os.path.join(tmp, f"fest{batch_id}.scm")
    with open(script, "w") as f:
        f.write(festival_script(items, paths))
    _run(["festival", "--batch", script])
    out = []
    for (voice, _), path in zip(items, paths):
        cents = int(voice.setting("pitch_cents", 0))
        if cents:
            shifted = path + ".pitch.wav"
            # -R -D: no random dither, so regeneration is bit-exact. pitch keeps the duration.
            _run(["sox", "-R", "-D", path, shifted, "pitch", str(cents)])
            os.replace(shifted, path)
        out.append(_read_16k(path))
        os.unlink(path)
    os.unlink(script)
    return out


def synthesize(items: list[tuple[Voice, str]], workers: int = 2) -> list[np.ndarray]:
    """Renders each (voice, text); results are in input order and independent of `workers`."""
    results: list[np.ndarray | None] = [None] * len(items)
    with tempfile.TemporaryDirectory(prefix="digits-tts-") as tmp, ThreadPoolExecutor(workers) as pool:
        futures = []
        festival_idx = [i for i, (v, _) in enumerate(items) if v.engine == "festival"]
        festival_idx.sort(key=lambda i: (items[i][0].speaker, i))
        batch_id = 0
        for _, group in groupby(festival_idx, key=lambda i: items[i][0].speaker):
            group = list(group)
            for start in range(0, len(group), FESTIVAL_BATCH):
                idx = group[start:start + FESTIVAL_BATCH]
                fut = pool.submit(_synth_festival_batch, [items[i] for i in idx], tmp, batch_id)
                futures.append((idx, fut))
                batch_id += 1
        for i, (voice, text) in enumerate(items):
            if voice.engine != "festival":
                futures.append(([i], pool.submit(lambda v=voice, t=text, k=i: [_synth_one(v, t, tmp, k)])))
        for idx, fut in futures:
            for i, audio in zip(idx, fut.result()):
                results[i] = audio
    return results  # type: ignore[return-value]
