import type { AsrEngine } from './engine.js';
import type { StreamingRecognizer, StreamOptions } from './recognizer.js';

/**
 * Runs an engine through the calls live traffic will make before the first client comes:
 * one stream alone from start to flush (the single-stream graph), one step at every batch
 * size from `maxBatch` down to 2, one stream with both heads when 2-pass finals vote, and
 * the second pass once. onnxruntime plans memory per
 * input shape and V8 compiles the hot paths on first use; without this the first clients
 * after a start pay for both (at 100 live streams the first round after start-up was the one whose
 * word-latency p95 went over 200 ms, BENCHMARKS.md).
 *
 * The audio is quiet deterministic noise, so nothing is recognised and no state leaks:
 * every stream is closed before this returns. Returns the milliseconds it took.
 */
export async function warmUpEngine(engine: AsrEngine, maxBatch: number, seconds = 1): Promise<number> {
  const started = performance.now();
  if (engine.primary.mode === 'streaming') {
    const recognizer = engine.primary.recognizer as StreamingRecognizer;
    const audio = quietNoise(Math.round(recognizer.info.sampleRate * seconds));
    await decodeToEnd(recognizer, audio);
    for (let size = maxBatch; size >= 2; size--) await oneBatchedStep(recognizer, size, audio);
    // 2-pass sessions that vote decode with both heads: on a hybrid directory whose default
    // is CTC that is another graph (encoder.onnx and the heads, not the fused model.onnx).
    if (engine.secondPass !== undefined && engine.secondPassCombine === 'vote') {
      await decodeToEnd(recognizer, audio, { decoder: 'hybrid' });
    }
  }
  const second = engine.secondPass?.recognizer;
  if (second !== undefined) await second.transcribe(quietNoise(Math.round(second.info.sampleRate * seconds)));
  return performance.now() - started;
}

/** One stream from its first step to its flush: the single-stream graph and the tail shapes. */
async function decodeToEnd(
  recognizer: StreamingRecognizer,
  audio: Float32Array,
  options?: StreamOptions,
): Promise<void> {
  const stream = recognizer.createStream(options);
  try {
    stream.acceptAudio(audio);
    stream.inputFinished();
    while (recognizer.isReady(stream)) await recognizer.decode([stream]);
  } finally {
    stream.close();
  }
}

/** One decode step of `size` new streams together: the batch shape of that size. */
async function oneBatchedStep(
  recognizer: StreamingRecognizer,
  size: number,
  audio: Float32Array,
): Promise<void> {
  const streams = Array.from({ length: size }, () => recognizer.createStream());
  try {
    for (const s of streams) s.acceptAudio(audio);
    const ready = streams.filter((s) => recognizer.isReady(s));
    if (ready.length > 0) await recognizer.decode(ready);
  } finally {
    for (const s of streams) s.close();
  }
}

/** -60 dBFS noise from a fixed LCG: the same samples on every start. */
function quietNoise(length: number): Float32Array {
  const out = new Float32Array(length);
  let state = 0x2545f491;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 4294967296 - 0.5) * 0.002;
  }
  return out;
}
