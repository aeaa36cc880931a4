/**
 * Runner for the NeMo cache-aware streaming encoder contract (contract 2.1.1 / 2.2.1):
 * five inputs (features [B,F,T] channel-first, int64 length, the channel cache, the
 * time cache, int64 cache length) and five outputs in that order; bound by position
 * like sherpa-onnx. The same runner serves the fused CTC graph (`model.onnx`, output 0
 * = log-probs [B,T,V+1]) and the transducer encoder (`encoder.onnx`, output 0 =
 * [B,D,T] channel-first): `outputLayout` says which.
 *
 * Per-stream caches are plain typed arrays owned by the stream; a batched call copies
 * them into one reused batch buffer per input and copies the next caches back out.
 */
import { SpeechError } from '../../common/errors.js';
import type { OnnxMetadata } from '../runtime/metadata-map.js';
import { float32Scratch, int64Scratch } from '../runtime/scratch.js';
import type { ModelSession } from '../runtime/session.js';
import { float32Data, float32Tensor, int64Data, int64Tensor, type ModelTensor } from '../runtime/tensor.js';

/** One stream's encoder caches (contract 2.1.4); zero-filled for a new segment. */
export interface NemoEncoderCache {
  /** [layers, channelCacheFrames, dModel] */
  readonly channel: Float32Array;
  /** [layers, dModel, timeCacheFrames] */
  readonly time: Float32Array;
  /** Valid rows of the channel cache. */
  channelLen: bigint;
}

export type EncoderOutputLayout = 'channels-first' | 'time-major';

export interface NemoEncoderGeometry {
  readonly featDim: number;
  readonly layers: number;
  readonly channelCacheFrames: number;
  readonly dModel: number;
  readonly timeCacheFrames: number;
  /** Feature frames fed per call and advanced per call at the exported default lookahead. */
  readonly windowSize: number;
  readonly chunkShift: number;
  readonly subsamplingFactor: number;
}

export interface EncoderStepOutput {
  /**
   * Per stream, time-major [frames, width]. For a time-major graph this is a view of the
   * run's output (never reused by onnxruntime); copy it to keep it apart from the batch.
   */
  readonly frames: Float32Array;
  readonly numFrames: number;
}

export class NemoStreamingEncoder {
  readonly geometry: NemoEncoderGeometry;
  /** Width of one output frame: d_model for an encoder, V+1 for the fused CTC graph. */
  readonly outputWidth: number;
  readonly #x = float32Scratch();
  readonly #channel = float32Scratch();
  readonly #time = float32Scratch();
  readonly #lengths = int64Scratch();
  readonly #channelLen = int64Scratch();
  /** The same graph with static shapes for one stream at the default window, when opened. */
  #single: ModelSession | undefined;

  constructor(
    private readonly session: ModelSession,
    metadata: OnnxMetadata,
    readonly outputLayout: EncoderOutputLayout,
  ) {
    const label = session.label;
    if (session.inputs.length !== 5 || session.outputs.length !== 5) {
      const extra = session.inputNames.includes('prompt_index')
        ? ' (a multilingual encoder with prompt_index is not supported yet)'
        : '';
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${label}: a NeMo streaming encoder has 5 inputs and 5 outputs, this one has ${session.inputs.length} and ${session.outputs.length}${extra}`,
        { model: label, inputs: session.inputNames, outputs: session.outputNames },
      );
    }
    const featDim = session.inputs[0]?.dims?.[1];
    if (typeof featDim !== 'number') {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${label}: input 0 (${session.inputNames[0]}) must have a static feature dimension at axis 1`,
        { model: label, dims: session.inputs[0]?.dims },
      );
    }
    this.geometry = {
      featDim,
      layers: metadata.int('cache_last_channel_dim1'),
      channelCacheFrames: metadata.int('cache_last_channel_dim2'),
      dModel: metadata.int('cache_last_channel_dim3'),
      timeCacheFrames: metadata.int('cache_last_time_dim3'),
      windowSize: metadata.int('window_size'),
      chunkShift: metadata.int('chunk_shift'),
      subsamplingFactor: metadata.int('subsampling_factor'),
    };
    if (metadata.int('cache_last_time_dim1') !== this.geometry.layers) {
      throw new SpeechError(
        'MODEL_METADATA_INVALID',
        `${label}: cache_last_time_dim1 != cache_last_channel_dim1`,
      );
    }
    const out0 = session.outputs[0]?.dims ?? [];
    const width = outputLayout === 'channels-first' ? out0[1] : out0[2];
    this.outputWidth = typeof width === 'number' ? width : this.geometry.dModel;
  }

  get label(): string {
    return this.session.label;
  }

  /**
   * Input shapes of a one-stream step at the exported default window, by input name: what
   * a static-shape copy of the graph is opened with (models/runtime/static-input-shapes.ts).
   */
  singleStreamShapes(): Record<string, number[]> {
    const g = this.geometry;
    const [x, len, channel, time, channelLen] = this.session.inputNames as [
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      [x]: [1, g.featDim, g.windowSize],
      [len]: [1],
      [channel]: [1, g.layers, g.channelCacheFrames, g.dModel],
      [time]: [1, g.layers, g.dModel, g.timeCacheFrames],
      [channelLen]: [1],
    };
  }

  /** Steps of one stream at the default window run on `session` (same weights, static shapes). */
  useSingleStreamSession(session: ModelSession): void {
    this.#single = session;
  }

  get hasSingleStreamSession(): boolean {
    return this.#single !== undefined;
  }

  newCache(): NemoEncoderCache {
    const g = this.geometry;
    return {
      channel: new Float32Array(g.layers * g.channelCacheFrames * g.dModel),
      time: new Float32Array(g.layers * g.dModel * g.timeCacheFrames),
      channelLen: 0n,
    };
  }

  /**
   * One encoder step for B streams that share a window length. `features[b]` is the
   * stream's window, time-major [window, featDim]; `caches[b]` is replaced in place by
   * the next cache. Returns each stream's output frames, time-major.
   */
  async step(
    features: readonly Float32Array[],
    caches: readonly NemoEncoderCache[],
  ): Promise<EncoderStepOutput[]> {
    const g = this.geometry;
    const batch = features.length;
    if (batch === 0) return [];
    if (caches.length !== batch)
      throw new SpeechError('INTERNAL', 'encoder step: features/caches length mismatch');
    const window = (features[0]?.length ?? 0) / g.featDim;
    if (!Number.isInteger(window) || window <= 0) {
      throw new SpeechError(
        'INTERNAL',
        `encoder step: window of ${features[0]?.length} floats is not frames x ${g.featDim}`,
      );
    }

    // Channel-first features [B, F, T] (sherpa keeps [T, F] and transposes before Run).
    const channelSize = g.layers * g.channelCacheFrames * g.dModel;
    const timeSize = g.layers * g.dModel * g.timeCacheFrames;
    const x = this.#x.take(batch * g.featDim * window);
    const channel = this.#channel.take(batch * channelSize);
    const time = this.#time.take(batch * timeSize);
    const lengths = this.#lengths.take(batch);
    const channelLen = this.#channelLen.take(batch);
    let out: ModelTensor[];
    try {
      const win = BigInt(window);
      for (let b = 0; b < batch; b++) {
        const f = features[b]!;
        if (f.length !== window * g.featDim) {
          throw new SpeechError('INTERNAL', 'encoder step: streams in one batch must share a window length');
        }
        const base = b * g.featDim * window;
        for (let t = 0; t < window; t++) {
          const row = t * g.featDim;
          for (let c = 0; c < g.featDim; c++) x[base + c * window + t] = f[row + c]!;
        }
        const cache = caches[b]!;
        channel.set(cache.channel, b * channelSize);
        time.set(cache.time, b * timeSize);
        lengths[b] = win;
        channelLen[b] = cache.channelLen;
      }

      const session = batch === 1 && window === g.windowSize ? (this.#single ?? this.session) : this.session;
      out = await session.runPositional([
        float32Tensor(x, [batch, g.featDim, window]),
        int64Tensor(lengths, [batch]),
        float32Tensor(channel, [batch, g.layers, g.channelCacheFrames, g.dModel]),
        float32Tensor(time, [batch, g.layers, g.dModel, g.timeCacheFrames]),
        int64Tensor(channelLen, [batch]),
      ]);
    } finally {
      this.#x.give(x);
      this.#channel.give(channel);
      this.#time.give(time);
      this.#lengths.give(lengths);
      this.#channelLen.give(channelLen);
    }

    const y = out[0]!;
    const yData = float32Data(y, `${this.label} output 0`);
    const numFrames = this.outputLayout === 'channels-first' ? y.dims[2]! : y.dims[1]!;
    const width = this.outputLayout === 'channels-first' ? y.dims[1]! : y.dims[2]!;
    const nextChannel = float32Data(out[2]!, `${this.label} output 2`);
    const nextTime = float32Data(out[3]!, `${this.label} output 3`);
    const nextLen = int64Data(out[4]!, `${this.label} output 4`);
    if (nextChannel.length !== batch * channelSize || nextTime.length !== batch * timeSize) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${this.label}: returned caches must keep their input shapes (got ${out[2]!.dims} and ${out[3]!.dims})`,
      );
    }

    const results: EncoderStepOutput[] = [];
    const perStream = numFrames * width;
    for (let b = 0; b < batch; b++) {
      let frames: Float32Array;
      if (this.outputLayout === 'time-major') {
        frames = yData.subarray(b * perStream, (b + 1) * perStream);
      } else {
        frames = new Float32Array(perStream);
        const base = b * perStream;
        for (let c = 0; c < width; c++) {
          const src = base + c * numFrames;
          for (let t = 0; t < numFrames; t++) frames[t * width + c] = yData[src + t]!;
        }
      }
      results.push({ frames, numFrames });
      const cache = caches[b]!;
      (cache.channel as Float32Array).set(nextChannel.subarray(b * channelSize, (b + 1) * channelSize));
      (cache.time as Float32Array).set(nextTime.subarray(b * timeSize, (b + 1) * timeSize));
      cache.channelLen = nextLen[b]!;
    }
    return results;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
