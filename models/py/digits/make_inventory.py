"""Builds the isolated-word inventory: every training TTS voice saying the 11 words, plus the FSDD
training speakers, trimmed, at 16 kHz, in one bundle (words.npz) that the training sampler loads.

Held-out voices and theo are not in it: make_eval_sets.py renders those itself.
"""
from __future__ import annotations

import time

import numpy as np

from .audio_io import read_wav_16k
from .bundle import ClipBundle, build_bundle
from .fsdd import training_clips
from .trim import trim_silence
from .tts_engines import synthesize
from .voices import Voice
from .vocab import WORDS

MIN_CLIP_S = 0.12  # shorter than this after trimming means the engine produced (nearly) nothing


def synthesize_words(voices: list[Voice], workers: int = 2) -> tuple[list[np.ndarray], list[str], list[str]]:
    items = [(voice, word) for voice in voices for word in WORDS]
    audios = synthesize(items, workers)
    clips, words, names = [], [], []
    for (voice, word), audio in zip(items, audios):
        clip = trim_silence(audio)
        if len(clip) >= MIN_CLIP_S * 16000:
            clips.append(clip)
            words.append(word)
            names.append(voice.name)
    return clips, words, names


def fsdd_words(max_index: int | None = None) -> tuple[list[np.ndarray], list[str], list[str]]:
    clips, words, names = [], [], []
    for c in training_clips():
        if max_index is not None and c.index >= max_index:
            continue
        clips.append(trim_silence(read_wav_16k(c.path)))
        words.append(c.word)
        names.append(f"fsdd/{c.speaker}")
    return clips, words, names


def build_word_inventory(voices: list[Voice], quick: bool, workers: int = 2) -> tuple[ClipBundle, dict[str, float]]:
    """voices: the training voices (held-out ones are rejected here as a last line of defence)."""
    leaked = [v.name for v in voices if v.held_out]
    if leaked:
        raise ValueError(f"held-out voices must not enter the training inventory: {leaked[:3]}")
    t0 = time.time()
    s_clips, s_words, s_names = synthesize_words(voices, workers)
    t1 = time.time()
    f_clips, f_words, f_names = fsdd_words(max_index=5 if quick else None)
    t2 = time.time()
    bundle = build_bundle(s_clips + f_clips, s_words + f_words, s_names + f_names)
    timings = {"tts_words_s": t1 - t0, "fsdd_s": t2 - t1, "dropped_tts_words": len(voices) * len(WORDS) - len(s_clips)}
    return bundle, timings
