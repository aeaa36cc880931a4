"""Whole digit strings spoken by the TTS voices, so the model also hears co-articulation and
phrase-level prosody that concatenating isolated words cannot give."""
from __future__ import annotations

import numpy as np

from .bundle import ClipBundle, build_bundle
from .digit_text import random_digits, speak, tts_text
from .trim import trim_silence
from .tts_engines import synthesize
from .voices import Voice, VoicePicker


def synthesize_strings(voices: list[Voice], count: int, seed: int, min_len: int = 3, max_len: int = 12,
                       workers: int = 2) -> ClipBundle:
    by_name = {v.name: v for v in voices}
    picker = VoicePicker(list(by_name))
    rng = np.random.default_rng([seed, 2])
    items, transcripts = [], []
    for _ in range(count):
        voice = by_name[picker.pick(rng)]
        spoken = speak(random_digits(rng, min_len, max_len), rng)
        items.append((voice, tts_text(spoken, rng)))
        transcripts.append(spoken.transcript)
    audios = synthesize(items, workers)
    clips = [trim_silence(a) for a in audios]
    return build_bundle(clips, transcripts, [v.name for v, _ in items])
