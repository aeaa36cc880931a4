/**
 * Several engine workers behind one handle, so live sessions use more than one core.
 *
 * onnxruntime-node runs a session synchronously on the thread that calls it, so one engine
 * worker does features, encoder runs and decoding on one core; profiling 100 live streams
 * on the shipped model showed that worker busy 95% of the time while the second core sat
 * idle. Each worker here loads its own copy of the models (a few MB for the embedded ones)
 * and batches its own sessions; a new session goes to the worker with the fewest.
 */
import { SpeechError } from '../../common/errors.js';
import {
  EngineClient,
  type EngineClientOptions,
  type EngineSession,
  type EngineSessionHandlers,
} from './engine-client.js';
import type { BatchStats, EngineDescription, SessionSpec } from './engine-protocol.js';

/** What the server needs from its ASR engine: one worker (EngineClient) or a pool of them. */
export interface LiveEngine {
  readonly engine: EngineDescription;
  readonly sampleRate: number;
  /** Sessions open now, over every worker. */
  readonly sessionCount: number;
  /** Engine worker threads (each with its own copy of the models). */
  readonly workerCount: number;
  /** Called for every decode batch of any worker (metrics). */
  onBatch: ((stats: BatchStats) => void) | undefined;
  openSession(spec: SessionSpec, handlers: EngineSessionHandlers): Promise<EngineSession>;
  /** Closes every session and model, then ends the worker(s). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Batching for `auto` settings. On the CPU, smaller batches sooner: at 100-140 live streams
 * on 2 cores, max batch 16 with a 5 ms wait gave a word-latency p95 of 175-201 ms (8 rounds)
 * against 206-243 ms for 32 / 10 ms, at the same capacity (BENCHMARKS.md). On a GPU, where
 * a large batch costs little more than a small one, 32 / 10 ms (not measured: no GPU here).
 */
export const AUTO_BATCHING = {
  cpu: { maxBatch: 16, maxWaitMs: 5 },
  gpu: { maxBatch: 32, maxWaitMs: 10 },
} as const;

export function resolveBatching(
  maxBatch: number | 'auto',
  maxWaitMs: number | 'auto',
  provider: string,
): { maxBatch: number; maxWaitMs: number } {
  const auto = provider === 'cpu' ? AUTO_BATCHING.cpu : AUTO_BATCHING.gpu;
  return {
    maxBatch: maxBatch === 'auto' ? auto.maxBatch : maxBatch,
    maxWaitMs: maxWaitMs === 'auto' ? auto.maxWaitMs : maxWaitMs,
  };
}

/** Most workers `auto` starts: each holds its own copy of the models. */
export const AUTO_WORKERS_MAX = 4;

/**
 * The worker count for a setting: a number as given; `auto` = one per core (at most
 * AUTO_WORKERS_MAX) on the CPU provider, and 1 for any other provider request, because on
 * a GPU one worker's large batches keep the device fed and copies would only split them.
 */
export function resolveEngineWorkers(setting: number | 'auto', provider: string, cores: number): number {
  if (setting !== 'auto') return setting;
  if (provider !== 'cpu') return 1;
  return Math.max(1, Math.min(AUTO_WORKERS_MAX, Math.floor(cores)));
}

export interface EnginePoolOptions extends EngineClientOptions {
  /** Engine worker threads (>= 1). */
  readonly workers: number;
}

export class EnginePool implements LiveEngine {
  #onBatch: ((stats: BatchStats) => void) | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(readonly workers: readonly EngineClient[]) {}

  /** Starts every worker at once; if one fails the others are stopped before the error leaves. */
  static async start(options: EnginePoolOptions): Promise<EnginePool> {
    const { workers, ...clientOptions } = options;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new SpeechError('CONFIG_INVALID', `engine workers must be a whole number >= 1, got ${workers}`);
    }
    const started = await Promise.allSettled(
      Array.from({ length: workers }, () => EngineClient.start(clientOptions)),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const clients = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failed !== undefined) {
      await Promise.all(clients.map((c) => c.stop()));
      throw failed.reason;
    }
    const pool = new EnginePool(clients);
    pool.onBatch = options.onBatch;
    return pool;
  }

  get engine(): EngineDescription {
    return this.workers[0]!.engine;
  }

  get sampleRate(): number {
    return this.workers[0]!.sampleRate;
  }

  get workerCount(): number {
    return this.workers.length;
  }

  get sessionCount(): number {
    let n = 0;
    for (const w of this.workers) n += w.sessionCount;
    return n;
  }

  get onBatch(): ((stats: BatchStats) => void) | undefined {
    return this.#onBatch;
  }

  set onBatch(callback: ((stats: BatchStats) => void) | undefined) {
    this.#onBatch = callback;
    for (const w of this.workers) w.onBatch = callback;
  }

  /** Opens the session on the least-loaded worker (fewest sessions; the first on ties). */
  openSession(spec: SessionSpec, handlers: EngineSessionHandlers): Promise<EngineSession> {
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.sessionCount < best.sessionCount) best = w;
    return best.openSession(spec, handlers);
  }

  stop(): Promise<void> {
    this.#stopped ??= Promise.all(this.workers.map((w) => w.stop())).then(() => undefined);
    return this.#stopped;
  }
}
