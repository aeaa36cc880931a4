// sherpa-onnx-node as the independent reference runtime (tests only).
import path from 'node:path';
import sherpa from 'sherpa-onnx-node';
import { zooDir } from './clips.js';

export type SherpaHead = 'ctc' | 'transducer';

/** sherpa's NeMo examples pad 0.66 s of zeros before inputFinished (contract 2.1.5). */
export const SHERPA_TAIL_PADDING_SECONDS = 0.66;

/** sherpa's modelConfig for a NeMo directory: the fused CTC graph, or the three transducer graphs. */
export function sherpaNemoModelConfig(dir: string, head: SherpaHead, threads = 1) {
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
  return {
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: { ...model, tokens: path.join(dir, 'tokens.txt'), numThreads: threads, debug: 0 },
  };
}

/** An online recognizer for a zoo fixture name or a model directory path. */
export function sherpaOnlineNemo(fixtureOrDir: string, head: SherpaHead): sherpa.OnlineRecognizer {
  const dir = fixtureOrDir.includes('/') ? fixtureOrDir : path.join(zooDir, fixtureOrDir);
  return new sherpa.OnlineRecognizer(sherpaNemoModelConfig(dir, head));
}

/** Whole-clip streaming decode as sherpa's examples do it; returns token symbols. */
export function sherpaOnlineTokens(recognizer: sherpa.OnlineRecognizer, samples: Float32Array): string[] {
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples, sampleRate: 16000 });
  stream.acceptWaveform({
    samples: new Float32Array(Math.round(SHERPA_TAIL_PADDING_SECONDS * 16000)),
    sampleRate: 16000,
  });
  stream.inputFinished();
  while (recognizer.isReady(stream)) recognizer.decode(stream);
  return recognizer.getResult(stream).tokens;
}

/** sherpa's symbol rendering: a leading U+2581 becomes one space (contract 0.3). */
export function sherpaSymbol(symbol: string): string {
  return symbol.startsWith('\u2581') ? ` ${symbol.slice(1)}` : symbol;
}
