/**
 * The main thread's handle on the TTS worker: starts it (models loaded), admits syntheses
 * through bounded slots (speech-slots.ts), routes chunks to their SpeechStream, and turns
 * the worker's wire errors back into coded errors. One client per server.
 */

import type { Worker } from 'node:worker_threads';
import { SpeechError } from '../../common/errors.js';
import { fromWire, startWorker, workerEntry } from '../worker-thread.js';
import { SpeechSlots } from './speech-slots.js';
import { type SpeechReport, SpeechStream } from './speech-stream.js';
import type { FromWorker, ToWorker, TtsJob, TtsModelInfo, TtsWorkerData } from './tts-protocol.js';

/** Chunks a request may have in flight: enough to hide a message round trip, no more. */
const DEFAULT_CREDITS = 4;

export interface TtsClientOptions {
  /** Model directories; the first is the default model. At least one. */
  readonly models: readonly string[];
  readonly searchDirs?: readonly string[];
  readonly provider: string;
  readonly threads: number;
  /** Syntheses generating at once (ttsConcurrency). */
  readonly concurrency: number;
  /** Syntheses waiting for a slot (ttsQueue); beyond it LIMIT_TOO_MANY_CONNECTIONS. */
  readonly queue: number;
  readonly credits?: number;
  /** Test-only fault injection (see TtsFaults). */
  readonly faults?: TtsWorkerData['faults'];
}

interface Open {
  readonly stream: SpeechStream;
  readonly release: () => void;
}

export class TtsClient {
  readonly #worker: Worker;
  readonly #slots: SpeechSlots;
  readonly #open = new Map<number, Open>();
  readonly #listeners = new Set<(report: SpeechReport) => void>();
  #nextId = 1;
  #stopped: Promise<void> | undefined;
  #exited = false;
  #crash: Error | undefined;

  private constructor(
    worker: Worker,
    readonly models: readonly TtsModelInfo[],
    options: TtsClientOptions,
  ) {
    this.#worker = worker;
    this.#slots = new SpeechSlots(options.concurrency, options.queue);
    worker.on('message', (msg: FromWorker) => this.#route(msg));
    // Without a listener a worker's uncaught exception would be rethrown on this thread.
    worker.on('error', (err) => {
      this.#crash = err;
    });
    worker.on('exit', () => {
      this.#exited = true;
      const reason = this.#crash?.message ?? 'it exited';
      const error = new SpeechError('INTERNAL', `the TTS worker stopped: ${reason}`);
      for (const [id, open] of [...this.#open]) this.#end(id, open, { outcome: 'failed' }, error);
    });
  }

  /** Starts the worker and waits until every model is loaded; rejects with the load's coded error. */
  static async start(options: TtsClientOptions): Promise<TtsClient> {
    if (options.models.length === 0) {
      throw new SpeechError('CONFIG_INVALID', 'the TTS worker needs at least one model');
    }
    const { url, data } = workerEntry(import.meta.url, 'tts-worker');
    const workerData: TtsWorkerData = {
      models: options.models,
      searchDirs: options.searchDirs ?? [],
      provider: options.provider,
      threads: options.threads,
      credits: options.credits ?? DEFAULT_CREDITS,
      ...(options.faults ? { faults: options.faults } : {}),
      ...data,
    };
    const { worker, ready } = await startWorker<{ models: readonly TtsModelInfo[] }>(
      url,
      workerData,
      'TTS worker',
    );
    return new TtsClient(worker, ready.models, options);
  }

  /** The model a request that names none gets. */
  get defaultModel(): TtsModelInfo {
    return this.models[0]!;
  }

  /** Syntheses holding a slot (generating, or their last chunks on the way). */
  get active(): number {
    return this.#slots.active;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.#slots.waiting;
  }

  get concurrency(): number {
    return this.#slots.concurrency;
  }

  /** Calls `listener` with the report of every synthesis that ends; returns its removal. */
  onEnded(listener: (report: SpeechReport) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Waits for a slot, then starts the synthesis. Rejects with LIMIT_TOO_MANY_CONNECTIONS
   * when the wait queue is full, with the signal's reason when it aborts first. Once the
   * stream exists, aborting `signal` cancels it.
   */
  async speak(job: TtsJob, signal?: AbortSignal): Promise<SpeechStream> {
    this.#checkRunning();
    const model = this.models.find((m) => m.id === job.model);
    if (model === undefined) {
      throw new SpeechError('MODEL_NOT_FOUND', `no TTS model ${job.model} is loaded`, {
        models: this.models.map((m) => m.id),
      });
    }
    const release = await this.#slots.acquire(signal);
    try {
      this.#checkRunning();
      signal?.throwIfAborted();
    } catch (err) {
      release();
      throw err;
    }
    const id = this.#nextId++;
    const stream = new SpeechStream(
      {
        ack: (i, n) => this.#post({ t: 'ack', id: i, n }),
        cancel: (i) => this.#post({ t: 'cancel', id: i }),
      },
      id,
      job,
      model,
    );
    if (signal !== undefined) {
      const onAbort = () => stream.cancel(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void stream.finished.then(() => signal.removeEventListener('abort', onAbort));
    }
    this.#open.set(id, { stream, release });
    this.#post({ t: 'speak', id, job });
    return stream;
  }

  /** Cancels every synthesis, releases the models, ends the worker. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      if (this.#exited) return;
      const stopped = new Promise<void>((resolve) => {
        this.#worker.on('message', (msg: FromWorker) => {
          if (msg.t === 'stopped') resolve();
        });
        this.#worker.once('exit', () => resolve());
      });
      this.#post({ t: 'shutdown' });
      await stopped;
      await this.#worker.terminate();
    })();
    return this.#stopped;
  }

  #checkRunning(): void {
    if (this.#stopped !== undefined) {
      throw new SpeechError('SERVER_SHUTTING_DOWN', 'text-to-speech is shutting down');
    }
    if (this.#exited) throw new SpeechError('INTERNAL', 'the TTS worker is not running');
  }

  #post(msg: ToWorker): void {
    if (!this.#exited) this.#worker.postMessage(msg);
  }

  #route(msg: FromWorker): void {
    if (msg.t === 'audio') {
      this.#open.get(msg.id)?.stream.deliverAudio(msg.samples);
    } else if (msg.t === 'ended') {
      const open = this.#open.get(msg.id);
      if (open !== undefined) {
        this.#end(msg.id, open, msg.report, msg.error === undefined ? undefined : fromWire(msg.error));
      }
    }
  }

  #end(
    id: number,
    open: Open,
    outcome: Partial<SpeechReport> & Pick<SpeechReport, 'outcome'>,
    error: SpeechError | undefined,
  ): void {
    this.#open.delete(id);
    open.release();
    const report: SpeechReport = {
      chunks: 0,
      samples: 0,
      elapsedMs: 0,
      ...outcome,
      id,
      model: open.stream.model.id,
      voice: open.stream.job.voice,
    };
    open.stream.deliverEnd(report, error);
    for (const listener of this.#listeners) listener(report);
  }
}
