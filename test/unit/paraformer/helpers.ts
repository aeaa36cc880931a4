/**
 * Shared by the Paraformer runtime tests: the zoo fixtures, every real clip decoded once
 * to 16 kHz mono float by our own decoder (the same samples go to sherpa-onnx and to our
 * runtime), and a typed view of the part of sherpa-onnx-node the tests use.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { decodeAudio } from '../../../streaming/audio/index.js';
import { mulberry32 } from '../../helpers/prng.js';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const dataDir = resolve(repoRoot, '../shared/data');
export const OFFLINE_DIR = join(repoRoot, 'test/fixtures/zoo/paraformer-offline');
export const STREAMING_DIR = join(repoRoot, 'test/fixtures/zoo/paraformer-streaming');

/** Every audio file in clips/ (all formats), and a few FSDD digits (8 kHz WAV). */
export const CLIPS: readonly string[] = [
  ...readdirSync(join(dataDir, 'clips'))
    .filter((f) => !f.endsWith('.txt'))
    .sort()
    .map((f) => `clips/${f}`),
  'fsdd/recordings/0_george_0.wav',
  'fsdd/recordings/3_theo_1.wav',
  'fsdd/recordings/5_jackson_7.wav',
  'fsdd/recordings/8_lucas_12.wav',
];

const cache = new Map<string, Promise<Float32Array>>();

/** A clip as mono float32 at 16 kHz, through streaming/audio (native WAV, ffmpeg otherwise). */
export function loadClip(relative: string): Promise<Float32Array> {
  let p = cache.get(relative);
  if (p === undefined) {
    p = (async () => {
      const parts: Float32Array[] = [];
      for await (const chunk of decodeAudio(join(dataDir, relative), { sampleRate: 16000 }))
        parts.push(chunk);
      const out = new Float32Array(parts.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of parts) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    })();
    cache.set(relative, p);
  }
  return p;
}

/** A deterministic PRNG (mulberry32) so failures reproduce. */
export const rng = mulberry32;

// sherpa-onnx-node ships no type declarations: the part these tests use.
export interface SherpaWave {
  samples: Float32Array;
  sampleRate: number;
}
export interface SherpaResult {
  text: string;
  tokens: string[];
  timestamps?: number[];
}
interface OfflineStream {
  acceptWaveform(wave: SherpaWave): void;
}
export interface SherpaOfflineRecognizer {
  createStream(): OfflineStream;
  decode(stream: OfflineStream): void;
  getResult(stream: OfflineStream): SherpaResult;
}
export interface SherpaOnlineStream {
  acceptWaveform(wave: SherpaWave): void;
  setOption(key: string, value: string): void;
  inputFinished(): void;
}
export interface SherpaOnlineRecognizer {
  createStream(): SherpaOnlineStream;
  isReady(stream: SherpaOnlineStream): boolean;
  decode(stream: SherpaOnlineStream): void;
  isEndpoint(stream: SherpaOnlineStream): boolean;
  reset(stream: SherpaOnlineStream): void;
  getResult(stream: SherpaOnlineStream): SherpaResult;
}
interface Sherpa {
  OfflineRecognizer: new (config: object) => SherpaOfflineRecognizer;
  OnlineRecognizer: new (config: object) => SherpaOnlineRecognizer;
}
const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as Sherpa;

export function sherpaOffline(): SherpaOfflineRecognizer {
  return new sherpa.OfflineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      paraformer: { model: join(OFFLINE_DIR, 'model.onnx') },
      tokens: join(OFFLINE_DIR, 'tokens.txt'),
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'greedy_search',
  });
}

export function sherpaOnline(endpoint: object = {}): SherpaOnlineRecognizer {
  return new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      paraformer: {
        encoder: join(STREAMING_DIR, 'encoder.onnx'),
        decoder: join(STREAMING_DIR, 'decoder.onnx'),
      },
      tokens: join(STREAMING_DIR, 'tokens.txt'),
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    decodingMethod: 'greedy_search',
    ...endpoint,
  });
}

export function sherpaDecodeOffline(r: SherpaOfflineRecognizer, samples: Float32Array): SherpaResult {
  const s = r.createStream();
  s.acceptWaveform({ samples, sampleRate: 16000 });
  r.decode(s);
  return r.getResult(s);
}

/** All audio at once, then final: every chunk sherpa's loop produces. */
export function sherpaDecodeOnline(r: SherpaOnlineRecognizer, samples: Float32Array): SherpaResult {
  const s = r.createStream();
  s.acceptWaveform({ samples, sampleRate: 16000 });
  s.setOption('is_final', '1');
  s.inputFinished();
  while (r.isReady(s)) r.decode(s);
  return r.getResult(s);
}
