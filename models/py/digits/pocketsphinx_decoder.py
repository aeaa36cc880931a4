"""Batch decoding with CMU pocketsphinx (Debian's 5prealpha CLI) under a digits JSGF grammar.

Debian ships no Python binding for this version, so audio goes through pocketsphinx_batch:
16 kHz 16-bit WAVs, one process per share of the list (the machine has 2 cores).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import time

import numpy as np

from .audio_io import MODEL_RATE, write_wav
from .vocab import WORDS

MODEL_DIR = "/usr/share/pocketsphinx/model/en-us"
HMM = os.path.join(MODEL_DIR, "en-us")
CMUDICT = os.path.join(MODEL_DIR, "cmudict-en-us.dict")
WAV_HEADER_BYTES = 44  # scipy writes canonical 44-byte PCM headers; the batch tool reads raw samples

# Any non-empty sequence of the 11 words: errors are acoustic, not language-model ones.
DIGITS_GRAMMAR = f"#JSGF V1.0;\ngrammar digits;\npublic <digits> = ( {' | '.join(WORDS)} )+ ;\n"
SINGLE_WORD_GRAMMAR = f"#JSGF V1.0;\ngrammar word;\npublic <word> = ( {' | '.join(WORDS)} ) ;\n"


def digits_dictionary() -> str:
    """The 11 words' entries (with alternates such as "zero(2)") from the model's cmudict."""
    keep = set(WORDS)
    with open(CMUDICT) as f:
        lines = [line for line in f if line.split(" ", 1)[0].split("(")[0] in keep]
    missing = keep - {line.split(" ", 1)[0].split("(")[0] for line in lines}
    if missing:
        raise RuntimeError(f"{CMUDICT} lacks {sorted(missing)}")
    return "".join(lines)


def _read_hyps(path: str) -> dict[str, str]:
    """Lines look like "four zero seven (u00001 -12345)"; an empty hypothesis is " (u00001 0)"."""
    hyps = {}
    with open(path) as f:
        for line in f:
            text, _, tail = line.rstrip("\n").rpartition("(")
            hyps[tail.split()[0]] = text.strip()
    return hyps


def decode(audios: list[np.ndarray], grammar: str = DIGITS_GRAMMAR, workers: int = 2) -> tuple[list[str], float]:
    """Hypotheses for 16 kHz float clips, in order, and the decoding wall time (excluding WAV writing)."""
    with tempfile.TemporaryDirectory(prefix="psphinx-") as tmp:
        gram, dic, wav_dir = os.path.join(tmp, "g.gram"), os.path.join(tmp, "d.dict"), os.path.join(tmp, "wav")
        with open(gram, "w") as f:
            f.write(grammar)
        with open(dic, "w") as f:
            f.write(digits_dictionary())
        os.makedirs(wav_dir)
        ids = [f"u{i:06d}" for i in range(len(audios))]
        for uid, audio in zip(ids, audios):
            write_wav(os.path.join(wav_dir, uid + ".wav"), audio, MODEL_RATE)
        ctl = os.path.join(tmp, "list.ctl")
        with open(ctl, "w") as f:
            f.write("\n".join(ids) + "\n")
        per = -(-len(ids) // max(workers, 1))
        t0 = time.time()
        procs = []
        for p in range(workers):
            if p * per >= len(ids):
                break
            cmd = ["pocketsphinx_batch", "-adcin", "yes", "-adchdr", str(WAV_HEADER_BYTES), "-cepdir", wav_dir,
                   "-cepext", ".wav", "-ctl", ctl, "-ctloffset", str(p * per), "-ctlcount", str(min(per, len(ids) - p * per)),
                   "-hmm", HMM, "-dict", dic, "-jsgf", gram, "-samprate", str(MODEL_RATE),
                   "-hyp", os.path.join(tmp, f"part{p}.hyp"), "-logfn", os.path.join(tmp, f"part{p}.log")]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for p, proc in enumerate(procs):
            if proc.wait() != 0:
                with open(os.path.join(tmp, f"part{p}.log")) as f:
                    raise RuntimeError(f"pocketsphinx_batch failed: {f.read()[-1000:]}")
        wall = time.time() - t0
        hyps: dict[str, str] = {}
        for p in range(len(procs)):
            hyps.update(_read_hyps(os.path.join(tmp, f"part{p}.hyp")))
    return [hyps.get(uid, "") for uid in ids], wall
