/**
 * Batches ready streams across sessions into one decode call: a decode starts when
 * `maxBatch` streams are ready or the oldest ready stream has waited `maxWaitMs`,
 * whichever comes first (sherpa-onnx's server polls every 10 ms; FunASR batches too).
 * Exactly one decode runs at a time, so each stream has at most one decode in flight,
 * and a stream is never decoded twice in one batch.
 */
import type { EncoderCacheRows, RecognizerStream, StreamingRecognizer } from '../../asr/recognizer.js';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import type { AsrSession } from '../../asr/session/asr-session.js';
import type { BatchStats } from './engine-protocol.js';

export interface SchedulerOptions {
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly now?: () => number;
}

export interface ScheduledSession<S extends RecognizerStream> {
  readonly session: AsrSession<S>;
  /** When the stream became ready (undefined: not ready or already picked). */
  readySince: number | undefined;
  closed: boolean;
}

export interface SchedulerHooks<S extends RecognizerStream> {
  onEvents(entry: ScheduledSession<S>, events: readonly AsrEvent[]): void;
  onError(entries: readonly ScheduledSession<S>[], error: unknown): void;
  onBatch(stats: BatchStats): void;
}

export class BatchScheduler<S extends RecognizerStream> {
  readonly #entries = new Set<ScheduledSession<S>>();
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #cacheRows: EncoderCacheRows = { fedBack: 0, gathered: 0, zero: 0 };
  readonly #now: () => number;

  constructor(
    private readonly recognizer: StreamingRecognizer<S>,
    private readonly options: SchedulerOptions,
    private readonly hooks: SchedulerHooks<S>,
  ) {
    this.#now = options.now ?? (() => performance.now());
    // Counted from here: steps before (the engine's warm-up) are not the server's.
    this.#cacheRows = recognizer.encoderCacheRows?.() ?? this.#cacheRows;
  }

  add(session: AsrSession<S>): ScheduledSession<S> {
    const entry: ScheduledSession<S> = { session, readySince: undefined, closed: false };
    this.#entries.add(entry);
    return entry;
  }

  remove(entry: ScheduledSession<S>): void {
    entry.closed = true;
    this.#entries.delete(entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Something changed (audio arrived, finalize, end): look for work. */
  poke(): void {
    if (this.#running) return;
    if (this.#timer !== undefined) {
      // A wait is pending; a full batch should not wait for it.
      if (this.readyCount() < this.options.maxBatch) return;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#running = true;
    setImmediate(() => {
      void this.loop();
    });
  }

  private readyCount(): number {
    let n = 0;
    const now = this.#now();
    for (const e of this.#entries) {
      if (e.session.wantsDecode) {
        e.readySince ??= now;
        n++;
      } else e.readySince = undefined;
    }
    return n;
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        const n = this.readyCount();
        if (n === 0) return;
        const now = this.#now();
        const ready = [...this.#entries].filter((e) => e.readySince !== undefined);
        ready.sort((a, b) => a.readySince! - b.readySince!);
        const oldestWait = now - ready[0]!.readySince!;
        if (n < this.options.maxBatch && oldestWait < this.options.maxWaitMs) {
          // Give other sessions a moment to become ready and join this batch.
          this.#timer = setTimeout(
            () => {
              this.#timer = undefined;
              this.#running = true;
              void this.loop();
            },
            Math.max(1, this.options.maxWaitMs - oldestWait),
          );
          return;
        }
        await this.runBatch(ready.slice(0, this.options.maxBatch), now);
      }
    } finally {
      this.#running = false;
    }
  }

  /** The recognizer's cache-row counts since the last batch (undefined if it keeps none). */
  private cacheRowsSinceLast(): EncoderCacheRows | undefined {
    const now = this.recognizer.encoderCacheRows?.();
    if (now === undefined) return undefined;
    const last = this.#cacheRows;
    this.#cacheRows = now;
    return {
      fedBack: now.fedBack - last.fedBack,
      gathered: now.gathered - last.gathered,
      zero: now.zero - last.zero,
    };
  }

  private async runBatch(batch: ScheduledSession<S>[], now: number): Promise<void> {
    const waitMs = batch.map((e) => now - e.readySince!);
    for (const e of batch) e.readySince = undefined;
    const before = batch.map((e) => e.session.stream.secondsDecoded);
    const t0 = this.#now();
    try {
      await this.recognizer.decode(batch.map((e) => e.session.stream));
    } catch (err) {
      if (batch.length === 1) {
        this.hooks.onError(batch, err);
        return;
      }
      // One stream's failure must not end its batch-mates' sessions: a stream the failed
      // run left where it was is decoded again on its own; one it moved is in an unknown
      // state and fails with the batch's error.
      for (const [i, e] of batch.entries()) {
        if (e.closed) continue;
        const untouched = e.session.stream.secondsDecoded === before[i] && e.session.wantsDecode;
        if (!untouched) {
          this.hooks.onError([e], err);
          continue;
        }
        e.readySince = now - waitMs[i]!;
        await this.runBatch([e], now);
      }
      return;
    }
    const decodeMs = this.#now() - t0;
    const audioSeconds = batch.reduce((sum, e, i) => sum + (e.session.stream.secondsDecoded - before[i]!), 0);
    const cacheRows = this.cacheRowsSinceLast();
    this.hooks.onBatch({
      size: batch.length,
      audioSeconds,
      decodeMs,
      waitMs,
      ...(cacheRows && { cacheRows }),
    });
    for (const e of batch) {
      if (e.closed) continue;
      try {
        // Reported even when empty: the client accounts its audio backlog from it.
        this.hooks.onEvents(e, await e.session.update());
      } catch (err) {
        this.hooks.onError([e], err);
      }
    }
  }

  /** Stops scheduling; a batch in flight finishes. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#entries.clear();
  }
}
