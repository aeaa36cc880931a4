/**
 * Messages between the main thread (HTTP, encoding) and the TTS worker (speech models,
 * syntheses). Audio travels as transferred Float32Array buffers at the model's rate.
 *
 * Flow control is by credit: the worker sends a request at most `credits` audio chunks the
 * main thread has not acknowledged, and asks its model for the next chunk only when it may
 * send it. A client that stops reading therefore stops generation within a few chunks,
 * and no queue on either side grows with the length of the text.
 */
import type { WireError } from '../worker-thread.js';

export interface TtsWorkerData {
  /** Model directories; the first is the default for requests that name none. */
  readonly models: readonly string[];
  /** Where a model's vocoder id is looked up (after the model's parent directory). */
  readonly searchDirs: readonly string[];
  readonly provider: string;
  readonly threads: number;
  /** Un-acknowledged chunks a request may have in flight. */
  readonly credits: number;
  /** Worker entry, for the TypeScript bootstrap used by tests and benches. */
  readonly entry?: string;
  /** Test-only fault injection (reliability tests); the server never sets it. */
  readonly faults?: TtsFaults;
}

/**
 * Makes a synthesis fail on purpose, so tests can watch a model run that throws: a request
 * whose text contains `textContains` throws MODEL_RUN_FAILED once it has produced
 * `afterChunks` chunks.
 */
export interface TtsFaults {
  readonly textContains: string;
  readonly afterChunks?: number;
}

/** What one loaded speech model offers (all serialisable). */
export interface TtsModelInfo {
  readonly id: string;
  /** 'ardit-tts' | 'maskgct-tts'. */
  readonly family: string;
  readonly sampleRate: number;
  /** Execution provider actually used. */
  readonly provider: string;
  readonly voices: readonly string[];
  readonly defaultVoice: string;
  readonly dir: string;
}

/** One synthesis, already resolved to a loaded model and one of its voices. */
export interface TtsJob {
  readonly model: string;
  readonly text: string;
  readonly voice: string;
  readonly speed?: number;
  readonly seed?: number;
}

/** A coded error crossing the thread boundary (server/worker-thread.ts). */
export type { WireError };

/** How a request ended in the worker, with what it made. */
export interface TtsOutcome {
  readonly outcome: 'done' | 'cancelled' | 'failed';
  /** Chunks and samples sent to the main thread. */
  readonly chunks: number;
  readonly samples: number;
  /** From the speak message's arrival to the end (ms). */
  readonly elapsedMs: number;
}

export type ToWorker =
  | { readonly t: 'speak'; readonly id: number; readonly job: TtsJob }
  /** The main thread consumed `n` chunks of the request: that many more may be sent. */
  | { readonly t: 'ack'; readonly id: number; readonly n: number }
  /** Stop before the next model call; the worker answers with an 'ended' (cancelled). */
  | { readonly t: 'cancel'; readonly id: number }
  | { readonly t: 'shutdown' };

export type FromWorker =
  | { readonly t: 'ready'; readonly models: readonly TtsModelInfo[] }
  | { readonly t: 'failed'; readonly error: WireError }
  | { readonly t: 'audio'; readonly id: number; readonly samples: Float32Array }
  /** The request's last message: after it the worker holds nothing for the id. */
  | { readonly t: 'ended'; readonly id: number; readonly report: TtsOutcome; readonly error?: WireError }
  | { readonly t: 'stopped' };
