// sherpa-onnx-node's OfflineRecognizer as the independent reference for the NeMo
// offline fixtures (tests only). Configured as test/unit/zoo/sherpa-nemo.test.ts does:
// greedy search, 80 feature bins, one thread; no modelType, so sherpa picks its NeMo
// CTC / NeMo transducer code from the graphs and their metadata.
import path from 'node:path';
import sherpa from 'sherpa-onnx-node';
import { zooDir } from './clips.js';
import { type SherpaHead, sherpaNemoModelConfig } from './sherpa-reference.js';

export interface SherpaOfflineResult {
  readonly tokens: string[];
  readonly timestamps: number[];
  readonly text: string;
}

export function sherpaOfflineNemo(fixture: string, head: SherpaHead): sherpa.OfflineRecognizer {
  return new sherpa.OfflineRecognizer(sherpaNemoModelConfig(path.join(zooDir, fixture), head));
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
