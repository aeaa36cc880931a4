// Export-time check for the zoo Paraformer graphs: replays the cases of a reference.json
// written by paraformer_reference.py in onnxruntime-node (the build machine's Python has
// no onnxruntime) and compares every output with the PyTorch one.
//
//   node models/py/zoo/check_paraformer_onnx.mjs <reference.json>
//
// Float outputs: max |onnx - torch| <= tolerance; integer outputs: equal; dims and dtypes
// equal. Prints one JSON summary line; exits 1 if any case fails.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';

const [referencePath, modelDirArg] = process.argv.slice(2);
if (!referencePath) {
  console.error('usage: check_paraformer_onnx.mjs <reference.json> [model dir]');
  process.exit(2);
}
const reference = JSON.parse(readFileSync(referencePath, 'utf8'));
const baseDir = dirname(referencePath);
const modelDir = modelDirArg ?? baseDir;

const typed = { float32: Float32Array, int32: Int32Array, int64: BigInt64Array };

function tensorData(spec) {
  if (spec.file) {
    const buf = readFileSync(join(baseDir, spec.file));
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
  return spec.dtype === 'int64'
    ? BigInt64Array.from(spec.values, BigInt)
    : typed[spec.dtype].from(spec.values);
}

const sessions = new Map();
async function session(model) {
  if (!sessions.has(model)) {
    sessions.set(model, await ort.InferenceSession.create(join(modelDir, model), { intraOpNumThreads: 1 }));
  }
  return sessions.get(model);
}

const summary = { cases: {} };
let failed = false;
for (const c of reference.cases) {
  const s = await session(c.model);
  const feeds = {};
  for (const input of c.inputs)
    feeds[input.name] = new ort.Tensor(input.dtype, tensorData(input), input.dims);
  const out = await s.run(feeds);
  const result = { ok: true };
  for (const expected of c.outputs) {
    const got = out[expected.name];
    const want = tensorData(expected);
    const sameShape =
      got && got.type === expected.dtype && JSON.stringify(got.dims) === JSON.stringify(expected.dims);
    if (!sameShape) {
      result.ok = false;
      result[expected.name] = { error: `got ${got?.type} ${JSON.stringify(got?.dims)}` };
      continue;
    }
    if (expected.dtype === 'float32') {
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want[i]));
      result[expected.name] = worst;
      result.ok &&= worst <= reference.tolerance;
    } else {
      const equal = want.every((v, i) => got.data[i] === v);
      result[expected.name] = equal ? 'equal' : 'DIFFERENT';
      result.ok &&= equal;
    }
  }
  failed ||= !result.ok;
  summary.cases[c.name] = result;
}
console.log(JSON.stringify(summary));
process.exit(failed ? 1 : 0);
