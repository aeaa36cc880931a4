"""The teacher voices (festival and flite) and batch synthesis with phone alignments.

festival starts slowly (the HTS voice takes about a second), so each festival voice renders
a whole batch from one generated Scheme script, saving each utterance's wave and segment
times. flite starts in milliseconds: one process per utterance, `-psdur` on stdout.
Everything comes back as 16 kHz mono float32 (festival kal_diphone is an 8 kHz voice:
upsampled, it has no energy above 4 kHz).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from digits.audio_io import MODEL_RATE, read_wav, resample

from .alignments import clean, parse_festival_segs, parse_flite_psdur

FESTIVAL_BATCH = 150  # utterances per festival process


@dataclass(frozen=True)
class Teacher:
    engine: str  # "festival" | "flite"
    voice: str  # the engine's voice name
    held_out: bool = False  # never in training data; evaluation only
    band_hz: int = 8000  # audio bandwidth after resampling to 16 kHz

    @property
    def name(self) -> str:
        return f"{self.engine}/{self.voice}"


# flite rms is the held-out voice: a flite-only speaker, so no training voice shares its
# engine-and-speaker, and it is as intelligible as the others (see the teacher ladder).
TEACHERS = (
    Teacher("festival", "kal_diphone", band_hz=4000),
    Teacher("festival", "ked_diphone"),
    Teacher("festival", "cmu_us_slt_arctic_hts"),
    Teacher("flite", "slt"),
    Teacher("flite", "awb"),
    Teacher("flite", "kal16"),
    Teacher("flite", "rms", held_out=True),
)


@dataclass(frozen=True)
class Rendered:
    audio: np.ndarray  # float32, 16 kHz
    phones: list[tuple[str, float]]  # (our token symbol, end seconds), covering the audio


def _run(cmd: list[str]) -> str:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({result.returncode}): {result.stderr.strip()[:500]}")
    return result.stdout


def _scheme_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def festival_script(voice: str, items: list[tuple[str, float]], stems: list[str]) -> str:
    """Scheme that renders each (text, duration stretch) to stem.wav and stem.segs."""
    lines = [f"(voice_{voice})"]
    for (text, stretch), stem in zip(items, stems):
        if voice == "cmu_us_slt_arctic_hts":
            # HTS ignores Duration_Stretch; its engine's "-r" is a speaking-rate factor (>1 = faster).
            lines.append(f"(set! hts_engine_params (append {voice}::hts_engine_params "
                         f"(list '(\"-r\" {1.0 / stretch:.4f}))))")
        else:
            lines.append(f"(Parameter.set 'Duration_Stretch {stretch:.4f})")
        lines.append(f"(set! utt (utt.synth (Utterance Text {_scheme_string(text)})))")
        lines.append(f"(utt.save.wave utt {_scheme_string(stem + '.wav')} 'riff)")
        lines.append(f"(utt.save.segs utt {_scheme_string(stem + '.segs')})")
    return "\n".join(lines) + "\n"


def _finish(wav: str, segments: list[tuple[str, float]]) -> Rendered:
    audio, rate = read_wav(wav)
    audio = resample(audio, rate, MODEL_RATE)
    return Rendered(audio, clean(segments, len(audio) / MODEL_RATE))


def _festival_batch(voice: str, items: list[tuple[str, float]], tmp: str, batch: int) -> list[Rendered]:
    stems = [os.path.join(tmp, f"fest{batch}_{i}") for i in range(len(items))]
    script = os.path.join(tmp, f"fest{batch}.scm")
    with open(script, "w") as f:
        f.write(festival_script(voice, items, stems))
    _run(["festival", "--batch", script])
    out = []
    for stem in stems:
        with open(stem + ".segs") as f:
            segments = parse_festival_segs(f.read())
        out.append(_finish(stem + ".wav", segments))
        os.unlink(stem + ".wav")
        os.unlink(stem + ".segs")
    os.unlink(script)
    return out


def _flite_one(voice: str, text: str, stretch: float, tmp: str, index: int) -> Rendered:
    wav = os.path.join(tmp, f"flite{index}.wav")
    stdout = _run(["flite", "-voice", voice, "--setf", f"duration_stretch={stretch:.4f}", "-psdur", "-t", text,
                   "-o", wav])
    rendered = _finish(wav, parse_flite_psdur(stdout))
    os.unlink(wav)
    return rendered


def synthesize(items: list[tuple[Teacher, str, float]], workers: int = 2) -> list[Rendered]:
    """Renders each (teacher, text, duration stretch); results in input order, independent of `workers`."""
    results: list[Rendered | None] = [None] * len(items)
    with tempfile.TemporaryDirectory(prefix="tts-teachers-") as tmp, ThreadPoolExecutor(workers) as pool:
        futures = []
        batch = 0
        for teacher in sorted({t for t, _, _ in items if t.engine == "festival"}, key=lambda t: t.name):
            idx = [i for i, (t, _, _) in enumerate(items) if t == teacher]
            for start in range(0, len(idx), FESTIVAL_BATCH):
                chunk = idx[start:start + FESTIVAL_BATCH]
                fut = pool.submit(_festival_batch, teacher.voice, [(items[i][1], items[i][2]) for i in chunk], tmp,
                                  batch)
                futures.append((chunk, fut))
                batch += 1
        for i, (teacher, text, stretch) in enumerate(items):
            if teacher.engine == "flite":
                futures.append(([i], pool.submit(lambda t=teacher, x=text, s=stretch, k=i: [_flite_one(
                    t.voice, x, s, tmp, k)])))
            elif teacher.engine != "festival":
                raise ValueError(f"unknown engine {teacher.engine}")
        for idx, fut in futures:
            for i, rendered in zip(idx, fut.result()):
                results[i] = rendered
    return results  # type: ignore[return-value]
