/**
 * The main thread's handle on the engine worker: opens sessions, forwards audio (as
 * transferred buffers), routes events back, and keeps per-session backlog accounting
 * so a transport can pause its socket when a client sends faster than we decode.
 */

import type { Worker } from 'node:worker_threads';
import type { EndpointOverrides } from '../../asr/endpoint.js';
import type { Hotword } from '../../asr/recognizer.js';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import { SpeechError } from '../../common/errors.js';
import { fromWire, startWorker, workerEntry } from '../worker-thread.js';
import type { LiveEngine } from './engine-pool.js';
import type {
  BatchStats,
  EngineDescription,
  EngineWorkerData,
  FromWorker,
  SessionSpec,
  ToWorker,
} from './engine-protocol.js';

export interface EngineSessionHandlers {
  /** `decodedSeconds`: stream audio the model has consumed when these events were made. */
  onEvents(events: readonly AsrEvent[], decodedSeconds: number): void;
  /** The session failed in the worker (it is closed there). */
  onError(error: SpeechError): void;
  /** Backlog went from above the high mark to below the low mark. */
  onDrain?(): void;
}

export class EngineSession {
  /** Seconds sent to the worker. */
  #sentSeconds = 0;
  /** Seconds the worker reported as accepted, and its undecoded backlog. */
  #acceptedSeconds = 0;
  #backlogSeconds = 0;
  #paused = false;
  #closed = false;

  constructor(
    private readonly client: EngineClient,
    readonly id: number,
    private readonly handlers: EngineSessionHandlers,
    private readonly sampleRate: number,
    private readonly highWaterSeconds: number,
  ) {}

  /** Audio in flight to or waiting in the worker (seconds). */
  get backlogSeconds(): number {
    return this.#sentSeconds - this.#acceptedSeconds + this.#backlogSeconds;
  }

  /** True when the transport should stop reading from the client. */
  get overloaded(): boolean {
    return this.backlogSeconds > this.highWaterSeconds;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Mono float32 at the model's rate; the buffer is transferred (do not reuse it). */
  sendAudio(samples: Float32Array): void {
    if (this.#closed || samples.length === 0) return;
    this.#sentSeconds += samples.length / this.sampleRate;
    if (this.overloaded) this.#paused = true;
    this.client.post({ t: 'audio', id: this.id, samples }, [samples.buffer as ArrayBuffer]);
  }

  finalize(): void {
    if (!this.#closed) this.client.post({ t: 'finalize', id: this.id });
  }

  end(): void {
    if (!this.#closed) this.client.post({ t: 'end', id: this.id });
  }

  /** Hotwords (next segment) and endpoint rules (at once); errors come back via onError. */
  configure(options: { hotwords?: readonly Hotword[]; endpoint?: EndpointOverrides }): void {
    if (!this.#closed) this.client.post({ t: 'configure', id: this.id, ...options });
  }

  /** Idempotent; the worker frees the stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.client.post({ t: 'close', id: this.id });
    this.client.forget(this.id);
  }

  /** @internal */
  deliver(msg: FromWorker): void {
    if (msg.t === 'events') {
      this.#acceptedSeconds = msg.acceptedSeconds;
      this.#backlogSeconds = msg.backlogSeconds;
      if (msg.events.length > 0) this.handlers.onEvents(msg.events, msg.decodedSeconds);
      if (this.#paused && this.backlogSeconds < this.highWaterSeconds / 2) {
        this.#paused = false;
        this.handlers.onDrain?.();
      }
    } else if (msg.t === 'error') {
      this.#closed = true;
      this.client.forget(this.id);
      this.handlers.onError(fromWire(msg.error));
    } else if (msg.t === 'closed') {
      this.#closed = true;
      this.client.forget(this.id);
    }
  }
}

export interface EngineClientOptions extends Omit<EngineWorkerData, 'entry'> {
  /** Backlog above which a session reports `overloaded` (default 5 s of audio). */
  readonly highWaterSeconds?: number;
  /** Called for every decode batch (metrics). */
  readonly onBatch?: (stats: BatchStats) => void;
}

export class EngineClient implements LiveEngine {
  readonly #worker: Worker;
  readonly #sessions = new Map<number, EngineSession>();
  readonly #opening = new Map<number, { resolve: () => void; reject: (e: SpeechError) => void }>();
  #nextId = 1;
  #stopped: Promise<void> | undefined;
  #exited = false;
  /** Called for every decode batch (metrics); settable after start. */
  onBatch: ((stats: BatchStats) => void) | undefined;

  private constructor(
    worker: Worker,
    readonly engine: EngineDescription,
    private readonly options: EngineClientOptions,
  ) {
    this.#worker = worker;
    this.onBatch = options.onBatch;
    worker.on('message', (msg: FromWorker) => this.route(msg));
    worker.on('exit', () => {
      this.#exited = true;
      const error = new SpeechError('INTERNAL', 'the engine worker exited');
      for (const s of [...this.#sessions.values()]) s.deliver({ t: 'error', id: s.id, error });
    });
  }

  /** Starts the worker and waits until its models are loaded. */
  static async start(options: EngineClientOptions): Promise<EngineClient> {
    const { url, data } = workerEntry(import.meta.url, 'engine-worker');
    const { highWaterSeconds: _h, onBatch: _b, ...workerOptions } = options;
    const workerData: EngineWorkerData = { ...workerOptions, ...data };
    const { worker, ready } = await startWorker<{ engine: EngineDescription }>(
      url,
      workerData,
      'engine worker',
    );
    return new EngineClient(worker, ready.engine, options);
  }

  get sampleRate(): number {
    return this.engine.primary.sampleRate;
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** One worker thread. */
  get workerCount(): number {
    return 1;
  }

  /** Opens a session; rejects with the worker's coded error for invalid options. */
  async openSession(spec: SessionSpec, handlers: EngineSessionHandlers): Promise<EngineSession> {
    if (this.#stopped !== undefined || this.#exited) {
      throw new SpeechError('INTERNAL', 'the engine is shutting down');
    }
    const id = this.#nextId++;
    const session = new EngineSession(
      this,
      id,
      handlers,
      this.sampleRate,
      this.options.highWaterSeconds ?? 5,
    );
    this.#sessions.set(id, session);
    await new Promise<void>((resolve, reject) => {
      this.#opening.set(id, { resolve, reject });
      this.post({ t: 'open', id, spec });
    });
    return session;
  }

  /** Closes every session and the models, then ends the worker. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (this.#exited) return;
      const stopped = new Promise<void>((resolve) => {
        const onMessage = (msg: FromWorker) => {
          if (msg.t === 'stopped') resolve();
        };
        this.#worker.on('message', onMessage);
        this.#worker.once('exit', () => resolve());
      });
      this.post({ t: 'shutdown' });
      await stopped;
      await this.#worker.terminate();
    })();
    return this.#stopped;
  }

  /** @internal */
  post(msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.#exited) this.#worker.postMessage(msg, transfer);
  }

  /** @internal */
  forget(id: number): void {
    this.#sessions.delete(id);
  }

  private route(msg: FromWorker): void {
    if (msg.t === 'batch') {
      this.onBatch?.(msg.stats);
      return;
    }
    if (msg.t === 'opened' || (msg.t === 'error' && this.#opening.has(msg.id))) {
      const pending = this.#opening.get(msg.id);
      this.#opening.delete(msg.id);
      if (msg.t === 'opened') pending?.resolve();
      else {
        this.#sessions.delete(msg.id);
        pending?.reject(fromWire(msg.error));
      }
      return;
    }
    if ('id' in msg) this.#sessions.get(msg.id)?.deliver(msg);
  }
}
