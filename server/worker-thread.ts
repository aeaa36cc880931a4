/**
 * What the server's two worker kinds (the ASR engine and TTS) share: where the worker's
 * code is, how a coded error crosses the thread boundary, and the start-up handshake
 * (the worker loads its models, then posts `ready`, or `failed` with the load's error).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, errorCatalogue, SpeechError, toSpeechError } from '../common/errors.js';

/** A SpeechError as it is posted between threads (an Error's prototype does not survive). */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export function toWire(err: unknown): WireError {
  const e = toSpeechError(err);
  return e.details === undefined
    ? { code: e.code, message: e.message }
    : { code: e.code, message: e.message, details: e.details };
}

export function fromWire(error: WireError): SpeechError {
  const code = (Object.hasOwn(errorCatalogue, error.code) ? error.code : 'INTERNAL') as ErrorCode;
  return new SpeechError(code, error.message, error.details as Record<string, unknown> | undefined);
}

/**
 * A worker's entry: the compiled .js beside `moduleUrl` in dist/, or the .ts source run
 * through tsx's bootstrap (tests, benches). `data` goes into the worker's workerData.
 */
export function workerEntry(moduleUrl: string, name: string): { url: URL; data: { entry?: string } } {
  const js = new URL(`./${name}.js`, moduleUrl);
  if (existsSync(fileURLToPath(js))) return { url: js, data: {} };
  const ts = new URL(`./${name}.ts`, moduleUrl);
  return { url: new URL('./engine/ts-worker-bootstrap.mjs', import.meta.url), data: { entry: ts.href } };
}

type StartMessage<R> = { readonly t: 'ready' } & R;

/**
 * Starts a worker and waits for its `ready` message (returned), or rejects with the coded
 * error of a `failed` one, a start-up error or an exit before ready; the worker is
 * terminated whenever start-up fails. `what` names the worker in errors.
 */
export function startWorker<R extends object>(
  url: URL,
  workerData: unknown,
  what: string,
): Promise<{ worker: Worker; ready: StartMessage<R> }> {
  const worker = new Worker(url, { workerData });
  return new Promise((resolve, reject) => {
    const fail = (error: SpeechError) => {
      cleanup();
      void worker.terminate();
      reject(error);
    };
    const onMessage = (msg: { t: string; error?: WireError }) => {
      if (msg.t === 'ready') {
        cleanup();
        resolve({ worker, ready: msg as StartMessage<R> });
      } else if (msg.t === 'failed' && msg.error !== undefined) {
        fail(fromWire(msg.error));
      }
    };
    const onError = (err: Error) =>
      fail(new SpeechError('INTERNAL', `${what} failed to start: ${err.message}`, undefined, { cause: err }));
    const onExit = () => fail(new SpeechError('INTERNAL', `the ${what} exited while loading its models`));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
