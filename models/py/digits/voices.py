"""The catalogue of synthetic voices: engine x speaker x prosody variant, and which are held out.

A speaker is the unit of hold-out: every variant of a held-out speaker is kept out of training
so the "heldout-synthetic" set measures generalisation to a voice the model never heard.
Variants only change what each tool lets us change (rate, F0, espeak's voice variants); the
training sampler adds speed, level, noise, reverb and channel effects on top.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

# flite "rms" is a flite-only speaker (no festival twin, and flite ignores its F0 setting);
# espeak "en-gb-scotland" is the most distinct espeak accent. Both are out of training entirely.
HELD_OUT_SPEAKERS: tuple[str, ...] = ("flite/rms", "espeak/en-gb-scotland")

ESPEAK_SPEAKERS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp",
                   "en-gb-x-gbcwmd", "en-029", "en-us-nyc")
ESPEAK_VARIANT_DIR = "/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v"
# flite "awb_time" is a limited-domain talking clock and mangles other text; not used.
FLITE_SPEAKERS = ("kal", "kal16", "awb", "rms", "slt")
FESTIVAL_SPEAKERS = ("kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts")
FEMALE_SPEAKERS = {"slt", "cmu_us_slt_arctic_hts"}


@dataclass(frozen=True)
class Voice:
    engine: str  # "espeak" | "flite" | "festival"
    speaker: str  # the engine's own voice name
    variant: str  # label of the prosody settings, unique within the speaker
    settings: tuple[tuple[str, float | str], ...] = ()

    @property
    def speaker_key(self) -> str:
        return f"{self.engine}/{self.speaker}"

    @property
    def name(self) -> str:
        return f"{self.engine}/{self.speaker}/{self.variant}"

    @property
    def held_out(self) -> bool:
        return self.speaker_key in HELD_OUT_SPEAKERS

    def setting(self, key: str, default=None):
        return dict(self.settings).get(key, default)


@dataclass(frozen=True)
class CatalogueSize:
    espeak_variants_per_speaker: int  # espeak "!v" variants drawn per accent (plus the plain voice)
    stretches: tuple[float, ...]  # duration stretch factors (>1 = slower)
    male_f0: tuple[int, ...]  # F0 target means in Hz
    female_f0: tuple[int, ...]
    hts_pitch_cents: tuple[int, ...]  # sox pitch shift for the HTS voice (its F0 is not settable)


FULL = CatalogueSize(24, (0.8, 0.9, 1.0, 1.12, 1.25, 1.4), (85, 100, 120, 145), (150, 175, 205, 240),
                     (-300, -150, 0, 150))
QUICK = CatalogueSize(2, (0.9, 1.2), (95, 130), (160, 220), (-150, 100))


def espeak_variant_names() -> list[str]:
    return sorted(os.listdir(ESPEAK_VARIANT_DIR)) if os.path.isdir(ESPEAK_VARIANT_DIR) else []


def espeak_voices(size: CatalogueSize, seed: int) -> list[Voice]:
    rng = np.random.default_rng([seed, 1])
    all_variants = espeak_variant_names()
    voices = []
    for speaker in ESPEAK_SPEAKERS:
        k = min(size.espeak_variants_per_speaker, len(all_variants))
        chosen = [""] + sorted(rng.choice(all_variants, size=k, replace=False).tolist())
        for variant in chosen:
            rate = int(rng.integers(140, 241))  # words per minute; espeak's default is 175
            pitch = int(rng.integers(20, 81))  # 0-99; default 50
            label = f"{variant or 'plain'}_s{rate}_p{pitch}"
            voices.append(Voice("espeak", speaker, label, (("variant", variant), ("rate", rate), ("pitch", pitch))))
    return voices


def flite_voices(size: CatalogueSize) -> list[Voice]:
    voices = []
    for speaker in FLITE_SPEAKERS:
        f0s = size.female_f0 if speaker in FEMALE_SPEAKERS else size.male_f0
        if speaker == "rms":
            f0s = (0,)  # flite ignores int_f0_target_mean for rms; 0 = leave the voice's own
        for stretch in size.stretches:
            for f0 in f0s:
                voices.append(Voice("flite", speaker, f"ds{stretch}_f0{f0}",
                                    (("duration_stretch", stretch), ("f0_mean", f0))))
    return voices


def festival_voices(size: CatalogueSize) -> list[Voice]:
    voices = []
    for speaker in FESTIVAL_SPEAKERS:
        for stretch in size.stretches:
            if speaker == "cmu_us_slt_arctic_hts":
                for cents in size.hts_pitch_cents:
                    voices.append(Voice("festival", speaker, f"ds{stretch}_pc{cents}",
                                        (("duration_stretch", stretch), ("pitch_cents", cents))))
            else:
                f0s = size.female_f0 if speaker in FEMALE_SPEAKERS else size.male_f0
                for f0 in f0s:
                    voices.append(Voice("festival", speaker, f"ds{stretch}_f0{f0}",
                                        (("duration_stretch", stretch), ("f0_mean", f0))))
    return voices


def voice_catalogue(quick: bool = False, seed: int = 1234) -> list[Voice]:
    size = QUICK if quick else FULL
    return espeak_voices(size, seed) + flite_voices(size) + festival_voices(size)


# Share of synthetic material per engine. espeak is the least natural (formant synthesis), so it
# adds variety without being allowed to dominate; within an engine every speaker is equally likely
# however many prosody variants it has.
ENGINE_WEIGHTS: dict[str, float] = {"flite": 0.4, "festival": 0.35, "espeak": 0.25}


class VoicePicker:
    """Draws "engine/speaker/variant" names: engine by ENGINE_WEIGHTS, then speaker, then variant."""

    def __init__(self, names: list[str], engine_weights: dict[str, float] = ENGINE_WEIGHTS):
        self.tree: dict[str, dict[str, list[str]]] = {}
        for name in sorted(names):
            engine, speaker = name.split("/")[:2]
            self.tree.setdefault(engine, {}).setdefault(speaker, []).append(name)
        self.engines = [e for e in engine_weights if e in self.tree]
        if not self.engines:
            raise ValueError(f"no voices of engines {list(engine_weights)} among {len(names)} names")
        w = np.array([engine_weights[e] for e in self.engines], dtype=np.float64)
        self.engine_p = w / w.sum()

    def pick(self, rng: np.random.Generator) -> str:
        speakers = self.tree[self.engines[int(rng.choice(len(self.engines), p=self.engine_p))]]
        variants = speakers[sorted(speakers)[int(rng.integers(len(speakers)))]]
        return variants[int(rng.integers(len(variants)))]
