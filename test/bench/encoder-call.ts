/**
 * One streaming-encoder call, taken apart: the figures behind the single-stream
 * static-shape copy (models/runtime/static-input-shapes.ts) and the engine warm-up
 * (asr/warm-up.ts), for BENCHMARKS.md.
 *
 * - bare `run` of the encoder graph at one stream and the default window, generic graph
 *   vs the static-shape copy, alternating (ms per call), and the nodes onnxruntime
 *   executes per call in each (from its own profile);
 * - how long `warmUpEngine` takes on the model at max batch 16.
 *
 * Run: npx tsx test/bench/encoder-call.ts [model-dir] [--calls N]
 * (default: the shipped models/embedded/digits-fastconformer, its fused model.onnx).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { loadAsrEngine } from '../../asr/engine.js';
import { warmUpEngine } from '../../asr/warm-up.js';
import { loadManifest } from '../../models/runtime/manifest.js';
import { withStaticInputShapes } from '../../models/runtime/static-input-shapes.js';
import { mulberry32 } from '../helpers/prng.js';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const dir =
  args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ??
  path.join(root, 'models/embedded/digits-fastconformer');
const callsArg = args.indexOf('--calls');
const calls = callsArg >= 0 ? Number(args[callsArg + 1]) : 500;

const manifest = await loadManifest(dir);
const file = manifest.files.model ?? manifest.files.encoder!;
const meta = manifest.metadata;
const featDim = manifest.onnx.model?.inputs[0]?.dims?.[1] ?? manifest.onnx.encoder?.inputs[0]?.dims?.[1];
const window = meta.int('window_size');
const channel = [
  1,
  meta.int('cache_last_channel_dim1'),
  meta.int('cache_last_channel_dim2'),
  meta.int('cache_last_channel_dim3'),
];
const time = [
  1,
  meta.int('cache_last_time_dim1'),
  meta.int('cache_last_time_dim2'),
  meta.int('cache_last_time_dim3'),
];
const shapes = [[1, Number(featDim), window], [1], channel, time, [1]];

const generic = await InferenceSession.create(file, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const names = generic.inputNames;
const staticBytes = withStaticInputShapes(
  new Uint8Array(readFileSync(file)),
  Object.fromEntries(names.map((n, i) => [n, shapes[i]!])),
);
const copy = await InferenceSession.create(staticBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });

const rand = mulberry32(3);
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const feeds: Record<string, Tensor> = {
  [names[0]!]: new Tensor(
    'float32',
    Float32Array.from({ length: size(shapes[0]!) }, () => rand() - 0.5),
    shapes[0]!,
  ),
  [names[1]!]: new Tensor('int64', BigInt64Array.from([BigInt(window)]), [1]),
  [names[2]!]: new Tensor('float32', new Float32Array(size(channel)), channel),
  [names[3]!]: new Tensor('float32', new Float32Array(size(time)), time),
  [names[4]!]: new Tensor('int64', BigInt64Array.from([BigInt(channel[2]!)]), [1]),
};

async function msPerCall(session: InferenceSession): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await session.run(feeds);
  return (performance.now() - t0) / calls;
}

/** Nodes onnxruntime runs per call, from a profiled session of the same bytes. */
async function nodesPerCall(model: string | Uint8Array): Promise<number> {
  const prefix = path.join(
    tmpdir(),
    `encoder-call-${process.pid}-${typeof model === 'string' ? 'generic' : 'static'}`,
  );
  const options = { intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix };
  const s =
    typeof model === 'string'
      ? await InferenceSession.create(model, options)
      : await InferenceSession.create(model, options);
  const runs = 5;
  for (let i = 0; i < runs; i++) await s.run(feeds);
  s.endProfiling(); // onnxruntime-node returns no file name: find the file by its prefix
  await s.release();
  const name = readdirSync(tmpdir()).find((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'));
  if (name === undefined) throw new Error(`no onnxruntime profile ${prefix}*.json`);
  const profile = path.join(tmpdir(), name);
  const events = JSON.parse(readFileSync(profile, 'utf8')) as { cat?: string; name?: string }[];
  rmSync(profile, { force: true });
  const kernels = events.filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time')).length;
  return kernels / runs;
}

for (let i = 0; i < 50; i++) {
  await generic.run(feeds);
  await copy.run(feeds);
}
const genericMs: number[] = [];
const copyMs: number[] = [];
for (let r = 0; r < 5; r++) {
  genericMs.push(await msPerCall(generic));
  copyMs.push(await msPerCall(copy));
}
const best = (xs: number[]) => Math.min(...xs).toFixed(3);
console.log(
  `${manifest.id}: ${path.basename(file)}, one stream, window ${window}, ${calls} calls x 5 rounds, alternating`,
);
console.log(
  `  generic graph:      ${await nodesPerCall(file)} nodes per call, best ${best(genericMs)} ms per call`,
);
console.log(
  `  static-shape copy:  ${await nodesPerCall(staticBytes)} nodes per call, best ${best(copyMs)} ms per call`,
);
await generic.release();
await copy.release();

const engine = await loadAsrEngine({ model: dir, session: { intraOpThreads: 1, interOpThreads: 1 } });
console.log(`  warmUpEngine at max batch 16: ${(await warmUpEngine(engine, 16)).toFixed(0)} ms`);
await engine.close();
