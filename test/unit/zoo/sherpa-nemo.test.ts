// sherpa-onnx (the reference consumer of the NeMo contracts) loads every NeMo fixture
// and decodes real speech with it: a non-empty, non-degenerate token sequence whose
// timestamps fit the audio. If an exported graph, its metadata or tokens.txt broke
// the contract, or the random weights collapsed to all-blank output, this fails.
import { existsSync } from 'node:fs';
import path from 'node:path';
import sherpa from 'sherpa-onnx-node';
import { describe, expect, it } from 'vitest';
import { dataDir, fixtureDir, readTokens } from './nemo-fixtures.js';

const tailPaddingSeconds = 0.66; // as sherpa's NeMo examples: flushes the last window
const secondsPerFrame = 0.08; // 10 ms x subsampling 8

interface Wave {
  samples: Float32Array;
  sampleRate: number;
}

interface Decoded {
  tokens: string[];
  timestamps: number[];
}

const clips = [
  { file: 'clips/jfk.wav', longForm: true }, // 16 kHz, 11 s
  { file: 'fsdd/recordings/0_theo_0.wav', longForm: false }, // 8 kHz: sherpa resamples
  { file: 'fsdd/recordings/7_jackson_12.wav', longForm: false },
].map((c) => ({ ...c, path: path.join(dataDir, c.file) }));

type ModelConfig = Record<string, unknown>;
const nemoCtc = (dir: string): ModelConfig => ({ nemoCtc: { model: path.join(dir, 'model.onnx') } });
// No modelType: sherpa must route to its NeMo transducer code from the graphs and metadata.
const transducer = (dir: string): ModelConfig => ({
  transducer: {
    encoder: path.join(dir, 'encoder.onnx'),
    decoder: path.join(dir, 'decoder.onnx'),
    joiner: path.join(dir, 'joiner.onnx'),
  },
});

const models = [
  { fixture: 'nemo-streaming-ctc', online: true, config: nemoCtc },
  { fixture: 'nemo-streaming-transducer', online: true, config: transducer },
  { fixture: 'nemo-streaming-hybrid', online: true, config: transducer },
  { fixture: 'nemo-streaming-hybrid', online: true, config: nemoCtc },
  { fixture: 'nemo-offline-ctc', online: false, config: nemoCtc },
  { fixture: 'nemo-offline-transducer', online: false, config: transducer },
].map((m) => ({ ...m, head: m.config === nemoCtc ? 'ctc' : 'transducer' }));

function recognizerConfig(fixture: string, config: (dir: string) => ModelConfig) {
  const dir = fixtureDir(fixture);
  return {
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: { ...config(dir), tokens: path.join(dir, 'tokens.txt'), numThreads: 1, debug: 0 },
  };
}

function decodeOnline(recognizer: sherpa.OnlineRecognizer, wave: Wave): Decoded {
  const stream = recognizer.createStream();
  stream.acceptWaveform(wave);
  const padding = new Float32Array(Math.round(tailPaddingSeconds * wave.sampleRate));
  stream.acceptWaveform({ samples: padding, sampleRate: wave.sampleRate });
  stream.inputFinished();
  while (recognizer.isReady(stream)) recognizer.decode(stream);
  return recognizer.getResult(stream);
}

function decodeOffline(recognizer: sherpa.OfflineRecognizer, wave: Wave): Decoded {
  const stream = recognizer.createStream();
  stream.acceptWaveform(wave);
  recognizer.decode(stream);
  return recognizer.getResult(stream);
}

describe.runIf(clips.every((c) => existsSync(c.path)))('sherpa-onnx decodes the NeMo fixtures', () => {
  const waves = new Map(clips.map((c) => [c.file, sherpa.readWave(c.path) as Wave]));

  describe.each(models)('$fixture ($head, online: $online)', ({ fixture, online, config }) => {
    const cfg = recognizerConfig(fixture, config);
    const recognizer = online ? new sherpa.OnlineRecognizer(cfg) : new sherpa.OfflineRecognizer(cfg);
    // sherpa reports tokens with the leading ▁ turned into a space (symbol table rule).
    const symbols = new Set(
      readTokens(fixture)
        .filter((t) => t.symbol !== '<blk>')
        .map((t) => t.symbol.replace(/^▁/, ' ')),
    );

    it.each(clips)('$file', ({ file, longForm }) => {
      const wave = waves.get(file)!;
      const duration = wave.samples.length / wave.sampleRate;
      const result = online ? decodeOnline(recognizer, wave) : decodeOffline(recognizer, wave);
      const { tokens, timestamps } = result;

      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) expect(symbols, `token ${JSON.stringify(token)}`).toContain(token);
      expect(timestamps).toHaveLength(tokens.length);
      const audible = duration + (online ? tailPaddingSeconds : secondsPerFrame);
      timestamps.forEach((t, i) => {
        expect(t).toBeGreaterThanOrEqual(i > 0 ? timestamps[i - 1]! : 0);
        expect(t).toBeLessThanOrEqual(audible);
      });
      // Not degenerate: greedy search emits at most a few tokens per 80 ms frame.
      expect(tokens.length).toBeLessThanOrEqual((2 * audible) / secondsPerFrame);
      if (longForm) {
        expect(new Set(tokens).size).toBeGreaterThanOrEqual(5);
        // Tokens come from across the clip, not only its start. (sherpa's online CTC
        // path reports 40 ms per frame instead of 80, halving its timestamps.)
        expect(timestamps.at(-1)! - timestamps[0]!).toBeGreaterThan(0.25 * duration);
      }
    });
  });
});
