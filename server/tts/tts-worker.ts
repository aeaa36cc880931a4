/**
 * The TTS worker thread: loads the speech models and runs every synthesis. It is separate
 * from the ASR engine worker because onnxruntime-node's run() holds the thread it is
 * called on: a long sentence being spoken must not delay live transcription, nor the
 * reverse. Syntheses interleave here between model calls; how many run at once is capped
 * by the client (ttsConcurrency).
 */

import { parentPort, workerData } from 'node:worker_threads';
import { SpeechError } from '../../common/errors.js';
import type { ProviderRequest } from '../../models/runtime/providers.js';
import { loadSpeechModel } from '../../models/tts/load-speech-model.js';
import type { SpeechChunk, SpeechSynthesizer } from '../../tts/speech/speech-synthesizer.js';
import { toWire } from '../worker-thread.js';
import type { FromWorker, ToWorker, TtsJob, TtsModelInfo, TtsWorkerData, WireError } from './tts-protocol.js';

const port = parentPort;
if (port === null) throw new Error('tts-worker must run in a worker thread');
const data = workerData as TtsWorkerData;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

/** One synthesis: its credit, its cancellation, what it sent. */
class Job {
  readonly abort = new AbortController();
  chunks = 0;
  samples = 0;
  #credits: number;
  #wake: (() => void) | undefined;

  constructor(credits: number) {
    this.#credits = credits;
  }

  grant(n: number): void {
    this.#credits += n;
    this.#wake?.();
  }

  cancel(): void {
    this.abort.abort(new SpeechError('INTERNAL', 'the request was cancelled'));
    this.#wake?.();
  }

  /** Resolves once a chunk may be sent, or the job was cancelled. */
  waitForCredit(): Promise<void> {
    if (this.#credits > 0 || this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = undefined;
        resolve();
      };
    });
  }

  spend(): void {
    this.#credits--;
  }
}

async function loadModels(): Promise<Map<string, SpeechSynthesizer>> {
  const models = new Map<string, SpeechSynthesizer>();
  try {
    // One at a time: loading is start-up only, and peak memory stays one model's.
    for (const dir of data.models) {
      const synth = await loadSpeechModel(dir, {
        session: {
          provider: data.provider as ProviderRequest,
          intraOpThreads: data.threads,
          interOpThreads: 1,
        },
        searchDirs: data.searchDirs,
      });
      if (models.has(synth.id)) {
        await synth.close();
        throw new SpeechError('CONFIG_INVALID', `two TTS models have the id ${synth.id} (${dir})`, { dir });
      }
      models.set(synth.id, synth);
    }
  } catch (err) {
    await Promise.allSettled([...models.values()].map((m) => m.close()));
    throw err;
  }
  return models;
}

function describe(synth: SpeechSynthesizer, dir: string): TtsModelInfo {
  return {
    id: synth.id,
    family: synth.family,
    sampleRate: synth.sampleRate,
    provider: synth.provider,
    voices: [...synth.voices],
    defaultVoice: synth.defaultVoice,
    dir,
  };
}

/** Test-only (TtsWorkerData.faults): does this job fail before its next chunk? */
function faultDue(spec: TtsJob, job: Job): boolean {
  const faults = data.faults;
  return (
    faults !== undefined && spec.text.includes(faults.textContains) && job.chunks >= (faults.afterChunks ?? 0)
  );
}

async function main(): Promise<void> {
  let models: Map<string, SpeechSynthesizer>;
  try {
    models = await loadModels();
  } catch (err) {
    post({ t: 'failed', error: toWire(err) });
    return;
  }
  const jobs = new Map<number, Job>();
  const running = new Set<Promise<void>>();
  let stopping = false;

  const run = async (id: number, spec: TtsJob, job: Job): Promise<void> => {
    const started = performance.now();
    let outcome: 'done' | 'cancelled' | 'failed' = 'done';
    let error: WireError | undefined;
    let chunks: AsyncIterator<SpeechChunk> | undefined;
    const { signal } = job.abort;
    try {
      const synth = models.get(spec.model);
      if (synth === undefined) {
        throw new SpeechError('MODEL_NOT_FOUND', `no TTS model ${spec.model} is loaded`, {
          models: [...models.keys()],
        });
      }
      // speak() refuses bad text, voice, speed or seed here, before any model call.
      chunks = synth
        .speak({ text: spec.text, voice: spec.voice, speed: spec.speed, seed: spec.seed, signal })
        [Symbol.asyncIterator]();
      for (;;) {
        // The next model call waits for credit: a reader that does not read stops generation.
        await job.waitForCredit();
        signal.throwIfAborted();
        if (faultDue(spec, job)) {
          throw new SpeechError('MODEL_RUN_FAILED', 'injected synthesis failure (test fault)');
        }
        const next = await chunks.next();
        if (next.done) break;
        signal.throwIfAborted();
        const samples = ownBuffer(next.value.samples);
        if (samples.length === 0) continue;
        job.spend();
        job.chunks++;
        job.samples += samples.length;
        post({ t: 'audio', id, samples }, [samples.buffer as ArrayBuffer]);
      }
    } catch (err) {
      if (signal.aborted) outcome = 'cancelled';
      else {
        outcome = 'failed';
        error = toWire(err);
      }
    } finally {
      // Ends the generator's own state (KV caches, vocoder stream) now, not at GC.
      await chunks?.return?.().catch(() => {});
      jobs.delete(id);
      post({
        t: 'ended',
        id,
        report: {
          outcome,
          chunks: job.chunks,
          samples: job.samples,
          elapsedMs: performance.now() - started,
        },
        ...(error === undefined ? {} : { error }),
      });
    }
  };

  const shutdown = async (): Promise<void> => {
    stopping = true;
    for (const job of jobs.values()) job.cancel();
    // Each job stops before its next model call; only then are the sessions released.
    await Promise.allSettled([...running]);
    await Promise.allSettled([...models.values()].map((m) => m.close()));
    post({ t: 'stopped' });
  };

  port!.on('message', (msg: ToWorker) => {
    switch (msg.t) {
      case 'speak': {
        const job = new Job(data.credits);
        jobs.set(msg.id, job);
        if (stopping) job.cancel();
        const p = run(msg.id, msg.job, job);
        running.add(p);
        void p.finally(() => running.delete(p));
        break;
      }
      case 'ack':
        jobs.get(msg.id)?.grant(msg.n);
        break;
      case 'cancel':
        jobs.get(msg.id)?.cancel();
        break;
      case 'shutdown':
        void shutdown();
        break;
    }
  });

  post({
    t: 'ready',
    models: data.models.map((dir, i) => describe([...models.values()][i]!, dir)),
  });
}

/**
 * The samples in a buffer of their own, so transferring it detaches nothing the synthesizer
 * still uses (a chunk may be a view into a larger buffer).
 */
function ownBuffer(samples: Float32Array): Float32Array {
  return samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength
    ? samples
    : samples.slice();
}

void main();
