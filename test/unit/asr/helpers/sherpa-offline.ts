// sherpa-onnx-node's OfflineRecognizer as the independent reference for the NeMo
// offline fixtures (tests only). Configured as test/unit/zoo/sherpa-nemo.test.ts does:
// greedy search, 80 feature bins, one thread; no modelType, so sherpa picks its NeMo
// CTC / NeMo transducer code from the graphs and their metadata.
import path from 'node:path';
import sherpa from 'sherpa-onnx-node';
import { zooDir } from './clips.js';
import type { SherpaHead } from './sherpa-reference.js';

export interface SherpaOfflineResult {
  readonly tokens: string[];
  readonly timestamps: number[];
  readonly text: string;
}

export function sherpaOfflineNemo(fixture: string, head: SherpaHead): sherpa.OfflineRecognizer {
  const dir = path.join(zooDir, fixture);
  const model =
    head === 'ctc'
      ? { nemoCtc: { model: path.join(dir, 'model.onnx') } }
      : {
          transducer: {
            encoder: path.join(dir, 'encoder.onnx'),
            decoder: path.join(dir, 'decoder.onnx'),
            joiner: path.join(dir, 'joiner.onnx'),
          },
        };
  return new sherpa.OfflineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: { ...model, tokens: path.join(dir, 'tokens.txt'), numThreads: 1, debug: 0 },
  });
}

/** One utterance, decoded alone (a batch of one), from exactly these 16 kHz samples. */
export function sherpaOfflineDecode(
  recognizer: sherpa.OfflineRecognizer,
  samples: Float32Array,
): SherpaOfflineResult {
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples, sampleRate: 16000 });
  recognizer.decode(stream);
  const r = recognizer.getResult(stream);
  return { tokens: r.tokens, timestamps: r.timestamps, text: r.text };
}
