/**
 * Analysis windows, exactly as kaldi-native-fbank (knf) and torch build them.
 *
 * knf evaluates the cosine in double and stores float; we keep double (the golden
 * references are float64, and the float32 rounding of a window is far below 1e-6).
 */

/**
 * - `povey`: (0.5 - 0.5 cos(2πi/(L-1)))^0.85 (Kaldi's default, zero at both ends).
 * - `hamming`: 0.54 - 0.46 cos(2πi/(L-1)) (symmetric).
 * - `hanning`: 0.5 - 0.5 cos(2πi/(L-1)) (symmetric; knf's name).
 * - `hann`: 0.5 - 0.5 cos(2πi/L) (periodic; knf follows torch.hann_window's default here).
 * - `hann-symmetric`: torch.hann_window(L, periodic=False), NeMo's window; numerically `hanning`.
 * - `rectangular`: all ones.
 */
export const windowTypes = ['povey', 'hamming', 'hanning', 'hann', 'hann-symmetric', 'rectangular'] as const;

export type WindowType = (typeof windowTypes)[number];

export function makeWindow(type: WindowType, length: number): Float64Array {
  const w = new Float64Array(length);
  // A one-sample symmetric window would divide by zero; knf would produce NaN there,
  // torch returns [1]. Options validation rejects such frames before we get here.
  const symmetric = (2 * Math.PI) / (length - 1);
  const periodic = (2 * Math.PI) / length;
  for (let i = 0; i < length; i++) {
    switch (type) {
      case 'povey':
        w[i] = (0.5 - 0.5 * Math.cos(symmetric * i)) ** 0.85;
        break;
      case 'hamming':
        w[i] = 0.54 - 0.46 * Math.cos(symmetric * i);
        break;
      case 'hanning':
      case 'hann-symmetric':
        w[i] = 0.5 - 0.5 * Math.cos(symmetric * i);
        break;
      case 'hann':
        w[i] = 0.5 - 0.5 * Math.cos(periodic * i);
        break;
      case 'rectangular':
        w[i] = 1;
        break;
    }
  }
  return w;
}
