"""Training digit strings built on the fly from the word inventory and the TTS string bundle.

Each item is drawn from a generator seeded by (seed, epoch, index), so an item is the same on
every run, in any DataLoader worker, and a new epoch (set_epoch) gives new strings.
Item: (waveform float32 [samples] at 16 kHz, words "four oh seven", digits "407").
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import torch

from .augment import AugmentConfig, augment
from .bundle import ClipBundle, load_bundle
from .digit_text import speak
from .string_builder import PauseConfig, assemble, draw_gaps
from .voices import VoicePicker
from .vocab import OH_ID, WORD_TO_ID, WORDS, words_to_digits

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = os.path.abspath(os.path.join(HERE, "..", "work", "digits-data"))
WORDS_FILE = "words.npz"
STRINGS_FILE = "tts_strings.npz"


@dataclass(frozen=True)
class StringConfig:
    # How a string is made. fsdd_speaker: one real speaker; synth_voice: one TTS voice;
    # mixed: every word from any source; tts_string: a whole string synthesised by a TTS voice.
    mode_weights: dict[str, float] = field(default_factory=lambda: {
        "fsdd_speaker": 0.35, "synth_voice": 0.25, "mixed": 0.10, "tts_string": 0.30})
    # Relative weights of string lengths 1, 2, 3, ...: mostly 3-10 digits, some shorter and longer.
    length_weights: tuple[float, ...] = (0.4, 0.6, 1, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.8)
    group_prob: float = 0.5
    word_gain_db: tuple[float, float] = (-3.0, 3.0)  # loudness differs word to word in real speech
    fsdd_share_in_mixed: float = 0.5
    join_tts_strings_prob: float = 0.15  # two TTS strings in one item: longer strings, a mid-string pause
    pauses: PauseConfig = PauseConfig()


class DigitStringDataset(torch.utils.data.Dataset):
    def __init__(self, data_dir: str = DEFAULT_DATA_DIR, epoch_size: int = 20000, seed: int = 0,
                 strings: StringConfig = StringConfig(), augmentation: AugmentConfig = AugmentConfig(),
                 words: ClipBundle | None = None, tts_strings: ClipBundle | None = None):
        self.words = words if words is not None else load_bundle(os.path.join(data_dir, WORDS_FILE))
        self.tts_strings = tts_strings if tts_strings is not None else load_bundle(os.path.join(data_dir, STRINGS_FILE))
        if any(str(v).startswith("fsdd/theo") for v in self.words.voices):
            raise ValueError("theo is the development speaker and must not be in the training inventory")
        self.epoch_size, self.seed, self.epoch = epoch_size, seed, 0
        self.cfg, self.aug = strings, augmentation
        self.rate = self.words.rate
        self._index_words()
        modes = [m for m, w in strings.mode_weights.items() if w > 0 and self._mode_available(m)]
        p = np.array([strings.mode_weights[m] for m in modes], dtype=np.float64)
        self.modes, self.mode_p = modes, p / p.sum()
        lw = np.array(strings.length_weights, dtype=np.float64)
        self.length_p = lw / lw.sum()

    def _index_words(self) -> None:
        # clips_of[voice_name][word_id] -> clip indices; real speakers have many takes per word.
        word_ids = np.array([WORD_TO_ID[str(w)] for w in self.words.words])
        self.clips_of: dict[str, list[np.ndarray]] = {}
        for v_id, name in enumerate(self.words.voices):
            mine = np.flatnonzero(self.words.voice_ids == v_id)
            self.clips_of[str(name)] = [mine[word_ids[mine] == w] for w in range(len(WORDS))]
        self.fsdd_speakers = sorted(n for n in self.clips_of if n.startswith("fsdd/"))
        synthetic = sorted(n for n in self.clips_of if not n.startswith("fsdd/"))
        self.picker = VoicePicker(synthetic) if synthetic else None
        is_fsdd = np.array([self.words.voice_of(i).startswith("fsdd/") for i in range(len(self.words))], dtype=bool)
        self.by_word = {src: [np.flatnonzero((word_ids == w) & (is_fsdd == (src == "fsdd"))) for w in range(len(WORDS))]
                        for src in ("fsdd", "synthetic")}

    def _mode_available(self, mode: str) -> bool:
        return {"fsdd_speaker": bool(self.fsdd_speakers), "synth_voice": self.picker is not None,
                "mixed": True, "tts_string": len(self.tts_strings) > 0}[mode]

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.epoch_size

    def __getitem__(self, index: int) -> tuple[torch.Tensor, str, str]:
        rng = np.random.default_rng([self.seed, self.epoch, index])
        audio, words = self.sample(rng)
        return torch.from_numpy(audio), " ".join(words), words_to_digits(words)

    def sample(self, rng: np.random.Generator, augmented: bool = True) -> tuple[np.ndarray, list[str]]:
        mode = self.modes[int(rng.choice(len(self.modes), p=self.mode_p))]
        if mode == "tts_string":
            clean, words = self._tts_string(rng)
        else:
            clean, words = self._concatenated(rng, mode)
        return (augment(clean, self.rate, rng, self.aug) if augmented else clean), words

    def _tts_string(self, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
        count = 2 if rng.random() < self.cfg.join_tts_strings_prob else 1
        picks = rng.integers(len(self.tts_strings), size=count)
        clips = [self.tts_strings.clip(int(i)) for i in picks]
        words = [w for i in picks for w in str(self.tts_strings.words[i]).split()]
        p = self.cfg.pauses
        gaps = [int(rng.uniform(*p.edge_ms) * self.rate / 1000)]
        gaps += [int(rng.uniform(*p.between_groups_ms) * self.rate / 1000) for _ in range(count - 1)]
        gaps.append(int(rng.uniform(*p.edge_ms) * self.rate / 1000))
        return assemble(clips, gaps), words

    def _concatenated(self, rng: np.random.Generator, mode: str) -> tuple[np.ndarray, list[str]]:
        n = 1 + int(rng.choice(len(self.length_p), p=self.length_p))
        digits = "".join(str(d) for d in rng.integers(0, 10, size=n))
        spoken = speak(digits, rng, allow_oh=mode != "fsdd_speaker", group_prob=self.cfg.group_prob)
        voice = (self.fsdd_speakers[int(rng.integers(len(self.fsdd_speakers)))] if mode == "fsdd_speaker"
                 else self.picker.pick(rng) if mode == "synth_voice" else None)
        clips = [self.words.clip(self._clip_for(rng, WORD_TO_ID[w], voice)) for w in spoken.words]
        gains = rng.uniform(*self.cfg.word_gain_db, size=len(clips)).tolist()
        return assemble(clips, draw_gaps(rng, spoken.groups, self.cfg.pauses, self.rate), gains), list(spoken.words)

    def _clip_for(self, rng: np.random.Generator, word_id: int, voice: str | None) -> int:
        if voice is not None and len(self.clips_of[voice][word_id]):
            options = self.clips_of[voice][word_id]
        else:  # mixed mode, or a voice that lacks this word (an engine dropped it)
            use_fsdd = word_id != OH_ID and rng.random() < self.cfg.fsdd_share_in_mixed
            options = self.by_word["fsdd" if use_fsdd else "synthetic"][word_id]
            if not len(options):
                options = self.by_word["synthetic" if use_fsdd else "fsdd"][word_id]
        return int(options[int(rng.integers(len(options)))])


def collate_padded(batch: list[tuple[torch.Tensor, str, str]]) -> tuple[torch.Tensor, torch.Tensor, list[str], list[str]]:
    """Zero-pads waveforms to the longest: (waves [B, T], lengths [B], words, digits)."""
    lengths = torch.tensor([len(w) for w, _, _ in batch], dtype=torch.long)
    waves = torch.zeros(len(batch), int(lengths.max()))
    for i, (w, _, _) in enumerate(batch):
        waves[i, : len(w)] = w
    return waves, lengths, [b[1] for b in batch], [b[2] for b in batch]
