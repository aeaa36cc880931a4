import type { RecognizerInfo } from '../../../../asr/recognizer.js';

/** What a fake 16 kHz offline recognizer (a test's second pass) reports about itself. */
export function fakeOfflineInfo(id: string): RecognizerInfo {
  return {
    id,
    family: 'test',
    mode: 'offline',
    sampleRate: 16000,
    provider: 'none',
    featurePreset: 'none',
    decoders: [],
    lookaheads: [],
    secondsPerFrame: 0.06,
  };
}
