#!/usr/bin/python3
"""Golden feature vectors for asr/features, from implementations independent of ours.

Run from the repository root with Debian's interpreter (torch 1.13, torchaudio 0.13):

    /usr/bin/python3 models/py/golden/make_feature_golden.py

It writes test/fixtures/features/golden.json (index), golden.f32 (all arrays,
little-endian float32) and am-560.mvn (CMVN statistics in FunASR's am.mvn format).

References, per feature family:
- Kaldi-mode fbank (knf is_librosa=false): torchaudio.compliance.kaldi.fbank.
  Checked against knf (kaldi-native-fbank csrc): same frame placement (snip_edges
  false centres frame f on f*shift + shift/2), same reflection at the edges
  (torchaudio pads with the flipped signal: -1 -> 0, -2 -> 1, N -> N-1), same
  frame count round(N/shift), same high_freq <= 0 meaning Nyquist + high_freq, same
  processing order (dither, DC removal, pre-emphasis with x[0] -= c*x[0], window),
  same ln(max(E, FLT_EPSILON)). Differences: torchaudio reflects only once (knf
  reflects repeatedly for signals shorter than the reflected span) and it refuses
  signals shorter than one frame (knf returns round(N/shift) frames with snip_edges
  false, none with it true); the 250-sample input therefore uses the framing
  re-implementation below with torchaudio's Kaldi mel banks.
- librosa-mode fbank (knf is_librosa=true): torch re-implementation below, framing by
  numpy's 'symmetric' padding (the same reflection as knf), torch.fft.rfft, and
  torchaudio.functional.melscale_fbanks(norm='slaney', mel_scale='slaney'). The same
  framing code is checked against torchaudio's kaldi.fbank on the Kaldi-mode cases.
- NeMo FilterbankFeatures (eval mode): torch re-implementation: global pre-emphasis,
  torch.stft(center=True, pad_mode='constant', window=torch.hann_window(400,
  periodic=False)), |X|^2, the Slaney mel matrix (librosa.filters.mel equivalent from
  torchaudio), log(x + 2^-24), floor(N/160) frames, per_feature normalisation with
  the unbiased std + 1e-5.
- LFR and CMVN: numpy, written from FunASR's WavFrontend.apply_lfr / sherpa lfr.cc;
  the streaming position encoding: FunASR's SinusoidalPositionEncoder.encode in torch.

Everything is computed in float64 from the float32 input samples stored in the fixture.
"""

import json
import math
import os
import sys

import numpy as np
import scipy.io.wavfile
import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi
import torchaudio.functional as taf

torch.set_default_dtype(torch.float64)

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..')))
from features_torch import kaldi_fbank, lfr_offline, lfr_online, nemo_log_mel  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
DATA = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'data'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'features')
FLT_EPSILON = float(np.finfo(np.float32).eps)


# ---------------------------------------------------------------- inputs

def read_wav(path):
    rate, x = scipy.io.wavfile.read(path)
    assert x.dtype == np.int16 and x.ndim == 1, path
    return rate, x.astype(np.float64) / 32768.0


def make_inputs():
    rate, jfk = read_wav(os.path.join(DATA, 'clips', 'jfk.wav'))
    assert rate == 16000
    rate8, digit = read_wav(os.path.join(DATA, 'fsdd', 'recordings', '7_george_12.wav'))
    assert rate8 == 8000
    up = taf.resample(torch.from_numpy(digit), 8000, 16000).numpy()
    # Lengths are deliberately not multiples of the 160-sample shift, so the tail
    # frames (reflection in knf, zero padding in NeMo) are exercised.
    inputs = {
        'jfk-2.5s': (16000, jfk[5000:5000 + 40117]),
        'fsdd-7-george-16k': (16000, up),
        'jfk-short-250': (16000, jfk[20000:20250]),
        # Shorter than the 120 samples reflected in front of frame 0: knf reflects twice.
        'jfk-tiny-100': (16000, jfk[30000:30100]),
        'fsdd-7-george-8k': (8000, digit),
    }
    # The fixture stores float32; every reference below starts from those exact values.
    return {k: (r, x.astype(np.float32)) for k, (r, x) in inputs.items()}


# ---------------------------------------------------------------- knf fbank options

SHERPA = dict(sampleRate=16000, frameLengthMs=25, frameShiftMs=10, dither=0, preemphCoeff=0.97,
              roundToPowerOfTwo=True, numMelBins=80, useLogFbank=True)

# The presets as contract section 1.2 describes them, restated here independently of
# asr/features/presets.ts: the TS test builds its extractor from its own preset table.
PRESETS = {
    'sherpa-online-nemo-ctc': dict(SHERPA, windowType='povey', lowFreq=20, highFreq=-400, isLibrosa=False,
                                   removeDcOffset=True, snipEdges=False),
    'sherpa-online-nemo-transducer': dict(SHERPA, windowType='hann', lowFreq=0, highFreq=8000, isLibrosa=True,
                                          removeDcOffset=False, snipEdges=False),
    'sherpa-offline-nemo-ctc': dict(SHERPA, windowType='hann', lowFreq=0, highFreq=0, isLibrosa=True,
                                    removeDcOffset=False, snipEdges=False),
    'sherpa-offline-nemo-transducer': dict(SHERPA, windowType='povey', lowFreq=0, highFreq=-400, isLibrosa=True,
                                           removeDcOffset=False, snipEdges=False),
    'sherpa-offline-paraformer': dict(SHERPA, windowType='hamming', lowFreq=20, highFreq=8000, isLibrosa=False,
                                      removeDcOffset=True, snipEdges=True, sampleScale=32768),
    'sherpa-online-paraformer': dict(SHERPA, windowType='hamming', lowFreq=20, highFreq=8000, isLibrosa=False,
                                     removeDcOffset=True, snipEdges=True, sampleScale=32768),
}

# Extra option sets exercising what the presets do not (fed to the TS as explicit options).
VARIANTS = {
    'kaldi-hanning-snip-nodc-nopreemph-40': dict(sampleRate=16000, frameLengthMs=25, frameShiftMs=10, dither=0,
                                                  windowType='hanning', snipEdges=True, removeDcOffset=False,
                                                  preemphCoeff=0, numMelBins=40, lowFreq=0, highFreq=0),
    'kaldi-rectangular-64-100-7000': dict(sampleRate=16000, frameLengthMs=25, frameShiftMs=10, dither=0,
                                          windowType='rectangular', snipEdges=False, removeDcOffset=True,
                                          preemphCoeff=0.5, numMelBins=64, lowFreq=100, highFreq=-1000),
    'kaldi-povey-32ms-snip': dict(sampleRate=16000, frameLengthMs=32, frameShiftMs=12.5, dither=0,
                                  windowType='povey', snipEdges=True, removeDcOffset=True, preemphCoeff=0.97,
                                  numMelBins=80, lowFreq=20, highFreq=-400),
    'librosa-hann-nonorm-64': dict(sampleRate=16000, frameLengthMs=25, frameShiftMs=10, dither=0,
                                   windowType='hann', snipEdges=True, removeDcOffset=True, preemphCoeff=0.97,
                                   numMelBins=64, lowFreq=50, highFreq=7000, isLibrosa=True, melNorm='none'),
}

VARIANTS_8K = {
    'kaldi-8k-povey-23': dict(sampleRate=8000, frameLengthMs=25, frameShiftMs=10, dither=0, windowType='povey',
                              snipEdges=False, removeDcOffset=True, preemphCoeff=0.97, numMelBins=23,
                              lowFreq=20, highFreq=0),
    'librosa-8k-hann-40': dict(sampleRate=8000, frameLengthMs=25, frameShiftMs=10, dither=0, windowType='hann',
                               snipEdges=False, removeDcOffset=False, preemphCoeff=0.97, numMelBins=40,
                               lowFreq=0, highFreq=0, isLibrosa=True),
}

KNF_DEFAULTS = dict(sampleRate=16000, frameLengthMs=25, frameShiftMs=10, windowType='povey', snipEdges=True,
                    removeDcOffset=True, preemphCoeff=0.97, dither=0, roundToPowerOfTwo=True, numMelBins=80,
                    lowFreq=20, highFreq=0, isLibrosa=False, melNorm='slaney', useLogFbank=True, sampleScale=1)


def full(opts):
    o = dict(KNF_DEFAULTS)
    o.update(opts)
    return o


def geometry(o):
    length = int(o['sampleRate'] * o['frameLengthMs'] / 1000)
    shift = int(o['sampleRate'] * o['frameShiftMs'] / 1000)
    padded = 1 << (length - 1).bit_length()
    return length, shift, padded


def torchaudio_fbank(x, o):
    """Kaldi mode via torchaudio.compliance.kaldi.fbank (float64), through features_torch."""
    assert not o['isLibrosa'] and o['dither'] == 0
    out = kaldi_fbank(
        torch.from_numpy(x.astype(np.float64)), sample_rate=o['sampleRate'], frame_length_ms=o['frameLengthMs'],
        frame_shift_ms=o['frameShiftMs'], window_type=o['windowType'], snip_edges=o['snipEdges'],
        remove_dc_offset=o['removeDcOffset'], preemph=o['preemphCoeff'], low_freq=o['lowFreq'],
        high_freq=o['highFreq'], num_mel_bins=o['numMelBins'], sample_scale=o['sampleScale'])
    return out.numpy()


def window(kind, n):
    i = torch.arange(n, dtype=torch.float64)
    if kind == 'povey':
        return torch.hann_window(n, periodic=False).pow(0.85)
    if kind == 'hamming':
        return torch.hamming_window(n, periodic=False, alpha=0.54, beta=0.46)
    if kind in ('hanning', 'hann-symmetric'):
        return torch.hann_window(n, periodic=False)
    if kind == 'hann':
        return torch.hann_window(n, periodic=True)
    if kind == 'rectangular':
        return torch.ones(n)
    raise ValueError(kind)


def knf_frames(x, o):
    """[T, L] raw frames placed and reflected as knf does, via numpy 'symmetric' padding."""
    length, shift, _ = geometry(o)
    n = len(x)
    if o['snipEdges']:
        count = 0 if n < length else 1 + (n - length) // shift
        starts = [f * shift for f in range(count)]
    else:
        count = (n + shift // 2) // shift
        starts = [f * shift + shift // 2 - length // 2 for f in range(count)]
    pad = length + shift
    padded = np.pad(x.astype(np.float64), (pad, pad), mode='symmetric')  # -1 -> 0, N -> N-1
    return np.stack([padded[s + pad:s + pad + length] for s in starts]) if count else np.zeros((0, length))


def knf_like_fbank(x, o, mel_matrix):
    """Generic knf pipeline in torch; mel_matrix is [fft_bins_used, num_bins]."""
    length, _, padded = geometry(o)
    frames = torch.from_numpy(knf_frames(x, o) * o['sampleScale'])
    if frames.shape[0] == 0:
        return np.zeros((0, mel_matrix.shape[1]))
    if o['removeDcOffset']:
        frames = frames - frames.mean(dim=1, keepdim=True)
    c = o['preemphCoeff']
    if c != 0:
        prev = torch.cat([frames[:, :1], frames[:, :-1]], dim=1)
        frames = frames - c * prev
    frames = frames * window(o['windowType'], length)
    spec = torch.fft.rfft(frames, n=padded, dim=1)
    power = spec.real ** 2 + spec.imag ** 2
    mel = power[:, :mel_matrix.shape[0]] @ mel_matrix
    return torch.log(torch.clamp(mel, min=FLT_EPSILON)).numpy()


def librosa_mode_fbank(x, o):
    length, _, padded = geometry(o)
    high = o['highFreq'] if o['highFreq'] > 0 else o['sampleRate'] / 2 + o['highFreq']
    fb = taf.melscale_fbanks(n_freqs=padded // 2 + 1, f_min=float(o['lowFreq']), f_max=float(high),
                             n_mels=o['numMelBins'], sample_rate=o['sampleRate'],
                             norm='slaney' if o.get('melNorm', 'slaney') == 'slaney' else None,
                             mel_scale='slaney')
    return knf_like_fbank(x, o, fb)


def kaldi_mode_via_generic(x, o):
    """Cross-check of knf_frames / knf_like_fbank against torchaudio, with torchaudio's Kaldi mel banks."""
    length, _, padded = geometry(o)
    banks, _ = kaldi.get_mel_banks(o['numMelBins'], padded, float(o['sampleRate']), float(o['lowFreq']),
                                   float(o['highFreq']), 100.0, -500.0, 1.0)
    return knf_like_fbank(x, o, banks.T.to(torch.float64))


def fbank_reference(x, opts):
    o = full(opts)
    if o['isLibrosa']:
        return librosa_mode_fbank(x, o), 'torch re-implementation of knf librosa mode (torchaudio melscale_fbanks slaney)'
    if len(x) < geometry(o)[0]:
        # torchaudio asserts N >= frame length; knf does not (snip_edges=false still yields
        # round(N/shift) frames). The generic framing, checked against torchaudio on every
        # longer input, stands in.
        return kaldi_mode_via_generic(x, o), 'knf framing re-implementation + torchaudio kaldi.get_mel_banks'
    ref = torchaudio_fbank(x, o)
    check = kaldi_mode_via_generic(x, o)
    err = float(np.abs(ref - check).max()) if ref.size else 0.0
    assert ref.shape == check.shape and err < 1e-6, ('framing cross-check failed', ref.shape, check.shape, err)
    return ref, 'torchaudio.compliance.kaldi.fbank'


# ---------------------------------------------------------------- NeMo

def nemo_mel(x, normalize, n_mels=80):
    """[T, n_mels] for one utterance, through features_torch.nemo_log_mel (float64)."""
    logmel, _ = nemo_log_mel(torch.from_numpy(x.astype(np.float64)), n_mels=n_mels, normalize=normalize)
    return logmel[0].T.contiguous().numpy()


# ---------------------------------------------------------------- LFR / CMVN (numpy)

# lfr_offline and lfr_online come from features_torch.


def write_am_mvn(path, neg_mean, inv_std):
    dim = len(neg_mean)
    fmt = lambda v: ' '.join('%.8g' % float(a) for a in v)  # noqa: E731
    text = (
        '<Nnet>\n'
        f'<Splice> {dim} {dim}\n[ 0 ]\n'
        f'<AddShift> {dim} {dim}\n<LearnRateCoef> 0 [ {fmt(neg_mean)} ]\n'
        f'<Rescale> {dim} {dim}\n<LearnRateCoef> 0 [ {fmt(inv_std)} ]\n'
        '</Nnet>\n'
    )
    with open(path, 'w') as f:
        f.write(text)
    return text


def parse_am_mvn(text):
    """The FunASR load_cmvn logic (line-based)."""
    lines = text.splitlines()
    means, scales = None, None
    for i, line in enumerate(lines):
        item = line.split()
        if item and item[0] == '<AddShift>':
            nxt = lines[i + 1].split()
            means = nxt[3:len(nxt) - 1]
        elif item and item[0] == '<Rescale>':
            nxt = lines[i + 1].split()
            scales = nxt[3:len(nxt) - 1]
    return np.array(means, dtype=np.float32), np.array(scales, dtype=np.float32)


def funasr_position_encoding(timesteps, depth, start):
    """FunASR SinusoidalPositionEncoder.encode with positions start .. start + T - 1."""
    positions = torch.arange(start, start + timesteps, dtype=torch.float64)[None, :]
    log_timescale_increment = torch.log(torch.tensor([10000], dtype=torch.float64)) / (depth / 2 - 1)
    inv_timescales = torch.exp(torch.arange(depth / 2).type(torch.float64) * (-log_timescale_increment))
    inv_timescales = torch.reshape(inv_timescales, [1, -1])
    scaled_time = torch.reshape(positions, [1, -1, 1]) * torch.reshape(inv_timescales, [1, 1, -1])
    return torch.cat([torch.sin(scaled_time), torch.cos(scaled_time)], dim=2)[0].numpy()


# ---------------------------------------------------------------- output

def main():
    inputs = make_inputs()
    blob = []
    offset = 0

    def put(arr):
        nonlocal offset
        a = np.ascontiguousarray(arr, dtype='<f4')
        blob.append(a.tobytes())
        start = offset
        offset += a.size
        return start

    index = {'generator': 'models/py/golden/make_feature_golden.py',
             'torch': torch.__version__, 'torchaudio': torchaudio.__version__,
             'layout': 'golden.f32 holds little-endian float32 arrays; offsets and lengths count floats',
             'inputs': [], 'cases': []}
    for name, (rate, x) in inputs.items():
        index['inputs'].append({'name': name, 'sampleRate': rate, 'offset': put(x), 'length': int(x.size)})

    def case(name, input_name, kind, ref, reference, **extra):
        ref = np.asarray(ref)
        entry = {'name': name, 'input': input_name, 'kind': kind, 'reference': reference,
                 'numFrames': int(ref.shape[0]), 'dim': int(ref.shape[1]) if ref.ndim == 2 else 0,
                 'offset': put(ref), 'length': int(ref.size)}
        entry.update(extra)
        index['cases'].append(entry)
        print(f'{name:55s} {input_name:20s} {tuple(ref.shape)}', file=sys.stderr)

    for input_name in ('jfk-2.5s', 'fsdd-7-george-16k', 'jfk-short-250', 'jfk-tiny-100'):
        x = inputs[input_name][1]
        for preset, opts in PRESETS.items():
            ref, how = fbank_reference(x, opts)
            case(f'{preset}/{input_name}', input_name, 'fbank', ref, how, preset=preset)
        if not input_name.startswith(('jfk-short', 'jfk-tiny')):
            for variant, opts in VARIANTS.items():
                ref, how = fbank_reference(x, opts)
                case(f'{variant}/{input_name}', input_name, 'fbank', ref, how, options=opts)
            for normalize, preset in (('per_feature', 'nemo-native'), ('none', 'nemo-native-streaming')):
                ref = nemo_mel(x, normalize)
                case(f'{preset}/{input_name}', input_name, 'nemo-mel', ref,
                     'torch re-implementation of NeMo FilterbankFeatures', preset=preset)
    x8 = inputs['fsdd-7-george-8k'][1]
    for variant, opts in VARIANTS_8K.items():
        ref, how = fbank_reference(x8, opts)
        case(f'{variant}/fsdd-7-george-8k', 'fsdd-7-george-8k', 'fbank', ref, how, options=opts)

    # Paraformer post-processing on the offline Paraformer fbank of the JFK clip.
    fb, _ = fbank_reference(inputs['jfk-2.5s'][1], PRESETS['sherpa-offline-paraformer'])
    off = lfr_offline(fb)
    on = lfr_online(fb)
    mean = off.mean(axis=0)
    std = off.std(axis=0)
    text = write_am_mvn(os.path.join(OUT, 'am-560.mvn'), -mean, 1.0 / std)
    neg_mean, inv_std = parse_am_mvn(text)
    src = {'source': 'sherpa-offline-paraformer/jfk-2.5s'}
    case('lfr-offline/jfk-2.5s', 'jfk-2.5s', 'lfr-offline', off, 'numpy FunASR apply_lfr', m=7, n=6, **src)
    case('lfr-online/jfk-2.5s', 'jfk-2.5s', 'lfr-online', on, 'numpy sherpa online LFR', m=7, n=6, **src)
    cm = (off + neg_mean.astype(np.float64)) * inv_std.astype(np.float64)
    case('lfr-offline-cmvn/jfk-2.5s', 'jfk-2.5s', 'lfr-offline-cmvn', cm, 'numpy (x + neg_mean) * inv_stddev',
         m=7, n=6, cmvn='am-560.mvn', scale=1, **src)
    cm_on = (on + neg_mean.astype(np.float64)) * (inv_std.astype(np.float64) * math.sqrt(512))
    case('lfr-online-cmvn-sqrt512/jfk-2.5s', 'jfk-2.5s', 'lfr-online-cmvn', cm_on,
         'numpy (x + neg_mean) * inv_stddev * sqrt(512)', m=7, n=6, cmvn='am-560.mvn', scale=math.sqrt(512), **src)
    # Streaming Paraformer chunk as sherpa builds it for the second 61-frame chunk
    # (processed = 60 fbank frames before it): unpadded LFR of frames [60, 121),
    # CMVN x sqrt(512), then the position encoding from p = 1 + 60 / 6.
    chunk = lfr_online(fb[60:121])
    chunk = (chunk + neg_mean.astype(np.float64)) * (inv_std.astype(np.float64) * math.sqrt(512))
    chunk = chunk + funasr_position_encoding(chunk.shape[0], chunk.shape[1], 1 + 60 // 6)
    case('paraformer-online-chunk2/jfk-2.5s', 'jfk-2.5s', 'paraformer-online-chunk', chunk,
         'torch FunASR StreamSinusoidalPositionEncoder.encode + numpy LFR/CMVN', m=7, n=6, cmvn='am-560.mvn',
         scale=math.sqrt(512), firstFrame=60, numInputFrames=61, firstPosition=1 + 60 // 6, **src)

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, 'golden.f32'), 'wb') as f:
        for b in blob:
            f.write(b)
    with open(os.path.join(OUT, 'golden.json'), 'w') as f:
        json.dump(index, f, indent=1)
        f.write('\n')
    print(f'wrote {offset * 4} bytes, {len(index["cases"])} cases', file=sys.stderr)


if __name__ == '__main__':
    main()
