/**
 * Runner for the NeMo cache-aware streaming encoder contract (contract 2.1.1 / 2.2.1):
 * five inputs (features [B,F,T] channel-first, int64 length, the channel cache, the
 * time cache, int64 cache length) and five outputs in that order; bound by position
 * like sherpa-onnx. The same runner serves the fused CTC graph (`model.onnx`, output 0
 * = log-probs [B,T,V+1]) and the transducer encoder (`encoder.onnx`, output 0 =
 * [B,D,T] channel-first): `outputLayout` says which.
 *
 * Per-stream caches are rows of the cache tensors an earlier run returned
 * (encoder-cache.ts): the next call of the same streams feeds those tensors back as they
 * are (on the GPU under WebGPU); any other batch gathers its streams' rows into one
 * reused batch buffer per input.
 */
import { SpeechError } from '../../common/errors.js';
import { DeviceDownload } from '../runtime/device-download.js';
import type { OnnxMetadata } from '../runtime/metadata-map.js';
import { float32Scratch, int64Scratch } from '../runtime/scratch.js';
import type { ModelSession } from '../runtime/session.js';
import {
  describeTensor,
  disposeTensor,
  float32Data,
  float32Tensor,
  int64Data,
  int64Tensor,
  type ModelTensor,
} from '../runtime/tensor.js';
import {
  type DownloadFloat32,
  type HostRows,
  hostFloat32,
  NemoEncoderCache,
  ResidentBatch,
} from './encoder-cache.js';

export { NemoEncoderCache } from './encoder-cache.js';

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
  /** Stream steps by where their cache came from (EncoderCacheRows in asr/recognizer.ts). */
  readonly cacheRows = { fedBack: 0, gathered: 0, zero: 0 };
  /** Reads caches the graph left in GPU memory; undefined while they come back on the host. */
  #device: DeviceDownload | undefined;
  readonly #download: DownloadFloat32;

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
    const [, , channelOut, timeOut] = session.outputNames;
    if (session.deviceOutputs.has(channelOut!) || session.deviceOutputs.has(timeOut!)) {
      this.#device = new DeviceDownload(session.provider);
    }
    const device = this.#device;
    this.#download = device ? (t) => device.float32(t, `${label} cache`) : hostFloat32;
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

  /** Names of the two cache outputs (what a GPU session keeps on the device). */
  get cacheOutputNames(): [string, string] {
    return [this.session.outputNames[2]!, this.session.outputNames[3]!];
  }

  /** Whether the caches stay in GPU memory between calls. */
  get cachesOnDevice(): boolean {
    return this.#device !== undefined;
  }

  /**
   * Steps of one stream at the default window run on `session` (same weights, static
   * shapes; opened with the same provider and device outputs as the generic graph).
   */
  useSingleStreamSession(session: ModelSession): void {
    const kept = (s: ModelSession) => this.cacheOutputNames.map((n) => s.deviceOutputs.has(n)).join();
    if (kept(session) !== kept(this.session)) {
      throw new SpeechError('INTERNAL', `${session.label}: must keep the same outputs on the device`);
    }
    this.#single = session;
  }

  get hasSingleStreamSession(): boolean {
    return this.#single !== undefined;
  }

  /** A zero cache: a new stream's (contract 2.1.4). */
  newCache(): NemoEncoderCache {
    return new NemoEncoderCache();
  }

  /**
   * One encoder step for B streams that share a window length. `features[b]` is the
   * stream's window, time-major [window, featDim]; `caches[b]` advances to the next
   * cache, row b of this call's output tensors. Returns each stream's output frames,
   * time-major.
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

    // Caches still in the tensors of the last call of exactly these streams (in any order)
    // are fed back as they are, each stream at its row; any other batch gathers its
    // streams' rows (encoder-cache.ts). slot[b]: stream b's row in this call.
    const home = caches[0]?.home;
    const resident = home?.holdsAll(caches) ? home : undefined;
    const slot = resident ? caches.map((c) => c.row) : caches.map((_, b) => b);
    if (resident) this.cacheRows.fedBack += batch;
    const sources = new Map<ResidentBatch, HostRows>();
    if (resident === undefined) {
      for (const cache of caches) {
        const from = cache.home;
        if (from !== undefined && !sources.has(from)) sources.set(from, await from.hostRows());
      }
    }

    // Channel-first features [B, F, T] (sherpa keeps [T, F] and transposes before Run).
    const channelSize = g.layers * g.channelCacheFrames * g.dModel;
    const timeSize = g.layers * g.dModel * g.timeCacheFrames;
    const channelDims = [batch, g.layers, g.channelCacheFrames, g.dModel];
    const timeDims = [batch, g.layers, g.dModel, g.timeCacheFrames];
    const x = this.#x.take(batch * g.featDim * window);
    const channel = resident ? undefined : this.#channel.take(batch * channelSize);
    const time = resident ? undefined : this.#time.take(batch * timeSize);
    const lengths = this.#lengths.take(batch);
    const channelLen = this.#channelLen.take(batch);
    let out: ModelTensor[];
    resident?.pin();
    try {
      const win = BigInt(window);
      for (let b = 0; b < batch; b++) {
        const f = features[b]!;
        if (f.length !== window * g.featDim) {
          throw new SpeechError('INTERNAL', 'encoder step: streams in one batch must share a window length');
        }
        const base = slot[b]! * g.featDim * window;
        for (let t = 0; t < window; t++) {
          const row = t * g.featDim;
          for (let c = 0; c < g.featDim; c++) x[base + c * window + t] = f[row + c]!;
        }
        const cache = caches[b]!;
        if (channel !== undefined && time !== undefined) {
          const rows = cache.home === undefined ? undefined : sources.get(cache.home);
          if (rows === undefined) {
            channel.fill(0, b * channelSize, (b + 1) * channelSize);
            time.fill(0, b * timeSize, (b + 1) * timeSize);
            this.cacheRows.zero++;
          } else {
            this.cacheRows.gathered++;
            const r = cache.row;
            channel.set(rows.channel.subarray(r * channelSize, (r + 1) * channelSize), b * channelSize);
            time.set(rows.time.subarray(r * timeSize, (r + 1) * timeSize), b * timeSize);
          }
        }
        lengths[b] = win;
        channelLen[slot[b]!] = cache.channelLen;
      }

      const session = batch === 1 && window === g.windowSize ? (this.#single ?? this.session) : this.session;
      out = await session.runPositional([
        float32Tensor(x, [batch, g.featDim, window]),
        int64Tensor(lengths, [batch]),
        resident ? resident.channel : float32Tensor(channel!, channelDims),
        resident ? resident.time : float32Tensor(time!, timeDims),
        int64Tensor(channelLen, [batch]),
      ]);
    } catch (err) {
      resident?.unpin();
      throw err;
    } finally {
      this.#x.give(x);
      if (channel) this.#channel.give(channel);
      if (time) this.#time.give(time);
      this.#lengths.give(lengths);
      this.#channelLen.give(channelLen);
    }

    const y = out[0]!;
    const yData = float32Data(y, `${this.label} output 0`);
    const numFrames = this.outputLayout === 'channels-first' ? y.dims[2]! : y.dims[1]!;
    const width = this.outputLayout === 'channels-first' ? y.dims[1]! : y.dims[2]!;
    const nextLen = int64Data(out[4]!, `${this.label} output 4`);
    const same = (t: ModelTensor, dims: number[]) =>
      t.dims.length === dims.length && dims.every((d, i) => t.dims[i] === d);
    if (!same(out[2]!, channelDims) || !same(out[3]!, timeDims)) {
      resident?.unpin();
      disposeTensor(out[2]!);
      disposeTensor(out[3]!);
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${this.label}: returned caches must keep their input shapes (got ${describeTensor(out[2]!)} and ${describeTensor(out[3]!)})`,
      );
    }

    const results: EncoderStepOutput[] = [];
    const perStream = numFrames * width;
    for (let b = 0; b < batch; b++) {
      let frames: Float32Array;
      const r = slot[b]!;
      if (this.outputLayout === 'time-major') {
        frames = yData.subarray(r * perStream, (r + 1) * perStream);
      } else {
        frames = new Float32Array(perStream);
        const base = r * perStream;
        for (let c = 0; c < width; c++) {
          const src = base + c * numFrames;
          for (let t = 0; t < numFrames; t++) frames[t * width + c] = yData[src + t]!;
        }
      }
      results.push({ frames, numFrames });
    }
    // The next caches stay where the run put them; each stream's is now row slot[b].
    const byRow: NemoEncoderCache[] = new Array(batch);
    caches.forEach((cache, b) => {
      byRow[slot[b]!] = cache;
      cache.channelLen = nextLen[slot[b]!]!;
    });
    new ResidentBatch(out[2]!, out[3]!, byRow, this.#download);
    resident?.unpin();
    // Streams that moved here may have left half-empty batches behind: shrink those.
    for (const source of sources.keys()) {
      if (source.needsCompaction) await source.compact();
    }
    return results;
  }

  async release(): Promise<void> {
    await this.#device?.release();
    await this.session.release();
  }
}
