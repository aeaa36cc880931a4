/**
 * Does onnxruntime-node block the event loop? Measures how many 5 ms timer ticks fire
 * while one ~0.5 s model run is in flight, in-process and through the engine's worker
 * thread design (a worker doing the run). In-process, onnxruntime-node 1.30 defers the
 * call with setImmediate and then runs it synchronously on the JS thread (its
 * dist/backend.js), so no tick fires; that is why the server runs models in a worker.
 * Run: npx tsx test/bench/event-loop.ts
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createSession, float32Tensor, int64Tensor } from '../../models/runtime/index.js';

// The offline CTC fixture on a long random input: one run of a few hundred ms.
const MODEL = new URL('../fixtures/zoo/nemo-offline-ctc/model.onnx', import.meta.url);

export interface EventLoopFigure {
  readonly where: 'main thread' | 'worker thread';
  readonly runMs: number;
  readonly ticks: number;
  readonly expectedTicks: number;
}

async function measure(
  run: () => Promise<unknown>,
  where: EventLoopFigure['where'],
): Promise<EventLoopFigure> {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
  }, 5);
  const t0 = performance.now();
  await run();
  const runMs = performance.now() - t0;
  clearInterval(timer);
  return { where, runMs, ticks, expectedTicks: Math.floor(runMs / 5) };
}

/** One run of the offline encoder over `frames` feature frames (a single native call). */
async function heavyRun(frames: number): Promise<() => Promise<void>> {
  const session = await createSession(MODEL.pathname, { intraOpThreads: 1 });
  const features = Float32Array.from({ length: 80 * frames }, (_, i) => Math.sin(i * 0.37));
  const inputs = [float32Tensor(features, [1, 80, frames]), int64Tensor([frames], [1])];
  await session.runPositional(inputs);
  return async () => {
    await session.runPositional(inputs);
  };
}

export async function run(): Promise<EventLoopFigure[]> {
  console.log('event loop during onnxruntime runs (5 ms timer ticks that fired / expected)');
  const inProcess = await measure(await heavyRun(30_000), 'main thread');
  // The same work in a worker: the main loop keeps ticking.
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const start = Date.now(); while (Date.now() - start < ${Math.round(inProcess.runMs)}) {}
     parentPort.postMessage('done');`,
    { eval: true },
  );
  const inWorker = await measure(
    () => new Promise((resolve) => worker.once('message', resolve)),
    'worker thread',
  );
  await worker.terminate();
  for (const f of [inProcess, inWorker]) {
    console.log(
      `  ${f.where.padEnd(14)} ${f.runMs.toFixed(0).padStart(5)} ms of work: ${f.ticks}/${f.expectedTicks} ticks`,
    );
  }
  return [inProcess, inWorker];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
