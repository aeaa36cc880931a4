// Runs the engine worker from its TypeScript source (tests and benchmarks, which run
// without a build). The built package starts dist/server/engine/engine-worker.js directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
