/**
 * Messages between the main thread (sockets, HTTP, audio conversion) and the engine
 * worker (models, sessions, batching scheduler). Audio travels as transferred
 * Float32Array buffers at the model's rate; nothing else crosses the boundary.
 */

import type { EndpointOverrides } from '../../asr/endpoint.js';
import type { SecondPassCombineSetting } from '../../asr/engine.js';
import type {
  EncoderCacheRows,
  Hotword,
  RecognizerInfo,
  SearchKind,
  StreamingDecoderChoice,
} from '../../asr/recognizer.js';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import type { SecondPassCombine } from '../../asr/session/asr-session.js';
import type { WireError } from '../worker-thread.js';

export interface EngineWorkerData {
  readonly model: string;
  readonly secondPassModel?: string;
  readonly provider: string;
  readonly threads: number;
  readonly decoder?: StreamingDecoderChoice;
  readonly secondPassCombine?: SecondPassCombineSetting;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Worker entry, for the TypeScript bootstrap used by tests and benches. */
  readonly entry?: string;
  /** Test-only fault injection (reliability tests); the server never sets it. */
  readonly faults?: EngineFaults;
}

/**
 * Makes the recognizer fail on purpose, so tests can watch a model run that throws: the
 * decode of any batch holding a listed session's stream throws MODEL_RUN_FAILED once that
 * stream has been decoded `afterDecodes` times.
 */
export interface EngineFaults {
  /** EngineSession ids (1, 2, ... in the order sessions are opened). */
  readonly failDecodeOfSessions: readonly number[];
  readonly afterDecodes?: number;
}

/** What a client may ask for per session (all serialisable). */
export interface SessionSpec {
  readonly lookahead?: number;
  readonly decoder?: StreamingDecoderChoice;
  readonly search?: SearchKind;
  readonly hotwords?: readonly Hotword[];
  readonly endpoint?: EndpointOverrides;
  readonly interimResults?: boolean;
  readonly twoPass?: boolean;
}

export type ToWorker =
  | { readonly t: 'open'; readonly id: number; readonly spec: SessionSpec }
  | { readonly t: 'audio'; readonly id: number; readonly samples: Float32Array }
  | { readonly t: 'finalize'; readonly id: number }
  | {
      readonly t: 'configure';
      readonly id: number;
      readonly hotwords?: readonly Hotword[];
      readonly endpoint?: EndpointOverrides;
    }
  | { readonly t: 'end'; readonly id: number }
  | { readonly t: 'close'; readonly id: number }
  | { readonly t: 'shutdown' };

export interface EngineDescription {
  readonly primary: RecognizerInfo;
  readonly secondPass: RecognizerInfo | undefined;
  /** How 2-pass finals are made (sessions pinning one head replace). */
  readonly secondPassCombine: SecondPassCombine;
  readonly providers: Readonly<Record<string, string>>;
}

/** A coded error crossing the thread boundary (server/worker-thread.ts). */
export type { WireError };

export interface BatchStats {
  readonly size: number;
  /** Audio seconds decoded by this batch (all streams). */
  readonly audioSeconds: number;
  readonly decodeMs: number;
  /** Per stream: how long it waited ready before its decode started. */
  readonly waitMs: readonly number[];
  /** Where this batch's streams got their encoder caches (recognizers that report it). */
  readonly cacheRows?: EncoderCacheRows;
}

export type FromWorker =
  | { readonly t: 'ready'; readonly engine: EngineDescription }
  | { readonly t: 'failed'; readonly error: WireError }
  | { readonly t: 'opened'; readonly id: number }
  | {
      readonly t: 'events';
      readonly id: number;
      readonly events: readonly AsrEvent[];
      /** Audio accepted by the worker for this session (seconds, cumulative). */
      readonly acceptedSeconds: number;
      /** Audio not yet decoded (seconds). */
      readonly backlogSeconds: number;
      /** Stream seconds the model has consumed (for latency: when did that audio arrive?). */
      readonly decodedSeconds: number;
    }
  | { readonly t: 'error'; readonly id: number; readonly error: WireError }
  | { readonly t: 'closed'; readonly id: number }
  | { readonly t: 'batch'; readonly stats: BatchStats }
  | { readonly t: 'stopped' };
