import type { EndpointConfig, EndpointRuleName } from '../endpoint.js';

/**
 * sherpa-onnx's endpoint test (`endpoint.cc`) evaluated the way its C++ does, in float32:
 * lengths are frames x frame shift as floats, "contains non-silence" means the utterance
 * is longer than its trailing silence, and thresholds compare with `>=` without slack.
 * `asr/endpoint.ts` adds a microsecond of slack instead; the difference decides whether
 * exactly 60 frames x 10 ms reach a 0.6 s rule (in float32 they do not), and the
 * streaming Paraformer promises sherpa's endpoints.
 */
export function sherpaEndpoint(
  config: EndpointConfig,
  numFramesDecoded: number,
  trailingSilenceFrames: number,
  frameShiftSeconds: number,
): EndpointRuleName | null {
  const shift = Math.fround(frameShiftSeconds);
  const utterance = Math.fround(Math.fround(numFramesDecoded) * shift);
  const silence = Math.fround(Math.fround(trailingSilenceFrames) * shift);
  const containsSpeech = utterance > silence;
  for (const name of ['rule1', 'rule2', 'rule3'] as const) {
    const r = config[name];
    if (
      (containsSpeech || !r.mustContainNonSilence) &&
      silence >= Math.fround(r.minTrailingSilence) &&
      utterance >= Math.fround(r.minUtteranceLength)
    ) {
      return name;
    }
  }
  return null;
}
