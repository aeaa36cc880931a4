/**
 * The two mel scales in use: HTK/Kaldi (natural log form) and Slaney (librosa's
 * default, linear below 1 kHz and logarithmic above).
 */

/** HTK / Kaldi mel: 1127 ln(1 + f/700). */
export function htkMel(hz: number): number {
  return 1127 * Math.log(1 + hz / 700);
}

export function htkMelToHz(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

const slaneyHzPerMel = 200 / 3;
const slaneyMinLogHz = 1000;
const slaneyMinLogMel = slaneyMinLogHz / slaneyHzPerMel; // 15
const slaneyLogStep = Math.log(6.4) / 27;

/** Slaney mel (librosa `htk=False`, torchaudio `mel_scale='slaney'`, knf `MelScaleSlaney`). */
export function slaneyMel(hz: number): number {
  return hz >= slaneyMinLogHz
    ? slaneyMinLogMel + Math.log(hz / slaneyMinLogHz) / slaneyLogStep
    : hz / slaneyHzPerMel;
}

export function slaneyMelToHz(mel: number): number {
  return mel >= slaneyMinLogMel
    ? slaneyMinLogHz * Math.exp(slaneyLogStep * (mel - slaneyMinLogMel))
    : slaneyHzPerMel * mel;
}
