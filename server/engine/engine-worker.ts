/**
 * The engine worker thread: loads the models, owns every live session, and runs the
 * batching scheduler. onnxruntime-node runs inference synchronously on the calling
 * thread, so keeping it here is what keeps the server's event loop responsive.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { type AsrEngine, loadAsrEngine, sessionCombine } from '../../asr/engine.js';
import type { RecognizerStream, StreamingRecognizer } from '../../asr/recognizer.js';
import type { AsrEvent } from '../../asr/session/asr-events.js';
import { AsrSession } from '../../asr/session/asr-session.js';
import { warmUpEngine } from '../../asr/warm-up.js';
import { SpeechError } from '../../common/errors.js';
import type { ProviderRequest } from '../../models/runtime/providers.js';
import { toWire } from '../worker-thread.js';
import { BatchScheduler, type ScheduledSession } from './batch-scheduler.js';
import type { EngineWorkerData, FromWorker, SessionSpec, ToWorker } from './engine-protocol.js';

const port = parentPort;
if (port === null) throw new Error('engine-worker must run in a worker thread');
const data = workerData as EngineWorkerData;

function post(message: FromWorker): void {
  port!.postMessage(message);
}

type Entry = ScheduledSession<RecognizerStream>;

async function main(): Promise<void> {
  let engine: AsrEngine;
  try {
    engine = await loadAsrEngine({
      model: data.model,
      secondPassModel: data.secondPassModel,
      session: {
        provider: data.provider as ProviderRequest,
        intraOpThreads: data.threads,
        interOpThreads: 1,
      },
      decoder: data.decoder,
      secondPassCombine: data.secondPassCombine,
    });
  } catch (err) {
    post({ t: 'failed', error: toWire(err) });
    return;
  }
  if (engine.primary.mode !== 'streaming') {
    post({
      t: 'failed',
      error: toWire(
        new SpeechError(
          'ASR_UNSUPPORTED_OPTION',
          `${engine.primary.manifest.id} is an offline model; the server needs a streaming model for live sessions`,
        ),
      ),
    });
    await engine.close();
    return;
  }
  try {
    await warmUpEngine(engine, data.maxBatch);
  } catch (err) {
    // A model that cannot decode quiet noise will not decode speech either: fail the start.
    post({ t: 'failed', error: toWire(err) });
    await engine.close();
    return;
  }
  const recognizer = engine.primary.recognizer as StreamingRecognizer;
  const sessions = new Map<number, Entry>();
  const ids = new Map<Entry, number>();
  const faulty = data.faults === undefined ? undefined : injectFaults(recognizer);

  const report = (entry: Entry, events: readonly AsrEvent[]) => {
    const id = ids.get(entry);
    if (id === undefined) return;
    const stream = entry.session.stream;
    post({
      t: 'events',
      id,
      events,
      acceptedSeconds: stream.secondsAccepted,
      backlogSeconds: Math.max(0, stream.secondsAccepted - stream.secondsDecoded),
      decodedSeconds: stream.secondsDecoded,
    });
  };

  const closeEntry = (id: number) => {
    const entry = sessions.get(id);
    if (entry === undefined) return;
    sessions.delete(id);
    ids.delete(entry);
    scheduler.remove(entry);
    entry.session.close();
    post({ t: 'closed', id });
  };

  const scheduler = new BatchScheduler(
    recognizer,
    { maxBatch: data.maxBatch, maxWaitMs: data.maxWaitMs },
    {
      onEvents: report,
      onError(entries, error) {
        for (const e of entries) {
          const id = ids.get(e);
          if (id === undefined) continue;
          post({ t: 'error', id, error: toWire(error) });
          closeEntry(id);
        }
      },
      onBatch(stats) {
        post({ t: 'batch', stats });
      },
    },
  );

  /** Finalize/end on a stream with nothing left to decode needs an update now. */
  const settle = async (id: number) => {
    const entry = sessions.get(id);
    if (entry === undefined) return;
    if (entry.session.wantsDecode) {
      scheduler.poke();
      return;
    }
    try {
      report(entry, await entry.session.update());
    } catch (err) {
      post({ t: 'error', id, error: toWire(err) });
      closeEntry(id);
    }
  };

  const open = (id: number, spec: SessionSpec) => {
    const secondPass = spec.twoPass ? engine.secondPass?.recognizer : undefined;
    if (spec.twoPass && secondPass === undefined) {
      throw new SpeechError(
        'ASR_UNSUPPORTED_OPTION',
        'two_pass needs a second-pass model, and none is loaded',
      );
    }
    const session = new AsrSession(recognizer, {
      stream: {
        lookahead: spec.lookahead,
        decoder: spec.decoder,
        search: spec.search,
        hotwords: spec.hotwords,
        endpoint: spec.endpoint,
      },
      interimResults: spec.interimResults,
      secondPass,
      secondPassCombine: sessionCombine(engine, spec.decoder),
    });
    const entry = scheduler.add(session);
    if (faulty !== undefined && data.faults!.failDecodeOfSessions.includes(id)) {
      faulty.set(session.stream, data.faults!.afterDecodes ?? 0);
    }
    sessions.set(id, entry);
    ids.set(entry, id);
    post({ t: 'opened', id });
  };

  port!.on('message', (msg: ToWorker) => {
    try {
      switch (msg.t) {
        case 'open':
          open(msg.id, msg.spec);
          break;
        case 'audio': {
          const entry = sessions.get(msg.id);
          if (entry === undefined) break;
          entry.session.acceptAudio(msg.samples);
          scheduler.poke();
          break;
        }
        case 'finalize':
          sessions.get(msg.id)?.session.finalize();
          void settle(msg.id);
          break;
        case 'configure':
          sessions.get(msg.id)?.session.reconfigure({ hotwords: msg.hotwords, endpoint: msg.endpoint });
          break;
        case 'end':
          sessions.get(msg.id)?.session.end();
          void settle(msg.id);
          break;
        case 'close':
          closeEntry(msg.id);
          break;
        case 'shutdown':
          scheduler.stop();
          for (const id of [...sessions.keys()]) closeEntry(id);
          void engine.close().then(() => post({ t: 'stopped' }));
          break;
      }
    } catch (err) {
      if ('id' in msg) {
        post({ t: 'error', id: msg.id, error: toWire(err) });
        closeEntry(msg.id);
      }
    }
  });

  post({
    t: 'ready',
    engine: {
      primary: recognizer.info,
      secondPass: engine.secondPass?.recognizer.info,
      secondPassCombine: engine.secondPassCombine,
      providers: engine.providers,
    },
  });
}

/**
 * Test-only (EngineWorkerData.faults): the recognizer's decode throws for a batch holding
 * a stream of the returned map once its count of good decodes is used up. Throwing before
 * calling through leaves every stream of the batch untouched, like a failed encoder run.
 */
function injectFaults(recognizer: StreamingRecognizer): WeakMap<RecognizerStream, number> {
  const faulty = new WeakMap<RecognizerStream, number>();
  const decode = recognizer.decode.bind(recognizer);
  recognizer.decode = async (streams) => {
    for (const s of streams) {
      const left = faulty.get(s);
      if (left === 0) throw new SpeechError('MODEL_RUN_FAILED', 'injected decode failure (test fault)');
    }
    for (const s of streams) {
      const left = faulty.get(s);
      if (left !== undefined) faulty.set(s, left - 1);
    }
    return decode(streams);
  };
  return faulty;
}

void main();
