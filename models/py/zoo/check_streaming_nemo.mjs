// Checks a NeMo fixture directory written by fixtures_nemo.py under onnxruntime-node:
// every reference entry of its manifest.json is recomputed from the ONNX files and
// compared with the PyTorch outputs in reference.bin.
// - "streaming" entries run the cache-aware chunk loop exactly as sherpa-onnx does
//   (first window at feature frame 0, windowSize frames per call, advance chunkShift,
//   zero caches sized from the model's metadata, returned caches fed back) and compare
//   the concatenated output 0 with the full-sequence PyTorch forward.
// A float output passes when max |onnx - torch| / max(1, |torch|) <= its tolerance.
// - "graph" entries run one call on given inputs and compare every listed output.
// Inputs are regenerated from xorshift32 seeds, bit-identical to check_streaming.py.
//
// CLI: node models/py/zoo/check_streaming_nemo.mjs <fixture dir>  (exit 1 on failure)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

/** `count` float32 values in [-4, 4): xorshift32 (13, 17, 5), top 24 bits / 2^21 - 4. */
export function xorshiftFloats(count, seed) {
  const out = new Float32Array(count);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = (x >>> 8) / 2097152 - 4;
  }
  return out;
}

function readVarint(buf, pos) {
  // Numbers, not 32-bit shifts: the graph field of a large model can exceed 2^31 bytes.
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = buf[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
}

/** ModelProto.metadata_props (field 14: key = 1, value = 2) read from the file bytes. */
export function readOnnxMetadata(file) {
  const buf = readFileSync(file);
  const meta = {};
  let pos = 0;
  while (pos < buf.length) {
    let tag;
    [tag, pos] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) [, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      if (field === 14) {
        const entry = {};
        let p = pos;
        while (p < pos + len) {
          let t;
          let l;
          [t, p] = readVarint(buf, p);
          [l, p] = readVarint(buf, p);
          entry[t >> 3] = buf.toString('utf8', p, p + l);
          p += l;
        }
        meta[entry[1] ?? ''] = entry[2] ?? '';
      }
      pos += len;
    } else throw new Error(`${file}: unsupported protobuf wire type ${wire}`);
  }
  return meta;
}

function tensorFromSpec(spec) {
  if (spec.xorshift !== undefined) {
    const n = spec.dims.reduce((a, b) => a * b, 1);
    return new ort.Tensor('float32', xorshiftFloats(n, spec.xorshift), spec.dims);
  }
  if (spec.type === 'int64')
    return new ort.Tensor('int64', BigInt64Array.from(spec.data.map(BigInt)), spec.dims);
  if (spec.type === 'int32') return new ort.Tensor('int32', Int32Array.from(spec.data), spec.dims);
  throw new Error(`input ${spec.name}: no data`);
}

/** Compares one output with its reference entry; integer outputs must match exactly. */
export function compareWithReference(label, actual, actualDims, expected, reference) {
  const dims = expected.dims;
  if (actualDims.length !== dims.length || actualDims.some((d, i) => Number(d) !== dims[i])) {
    return { label, ok: false, error: `dims [${actualDims}] != expected [${dims}]` };
  }
  if (expected.values) {
    const same = expected.values.every((v, i) => Number(actual[i]) === v);
    return { label, ok: same, exact: true, ...(same ? {} : { error: 'integer outputs differ' }) };
  }
  const want = reference.subarray(expected.offset, expected.offset + expected.count);
  let maxAbsDiff = 0;
  let maxScaledDiff = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(actual[i] - want[i]);
    if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    const scaled = d / Math.max(1, Math.abs(want[i]));
    if (!(scaled <= maxScaledDiff)) maxScaledDiff = Number.isNaN(scaled) ? Number.POSITIVE_INFINITY : scaled;
  }
  return {
    label,
    maxAbsDiff,
    maxScaledDiff,
    tolerance: expected.tolerance,
    ok: maxScaledDiff <= expected.tolerance,
  };
}

async function runGraph(session, entry, reference) {
  const feeds = {};
  for (const spec of entry.inputs) feeds[spec.name] = tensorFromSpec(spec);
  const out = await session.run(feeds);
  return entry.outputs.map((expected) => {
    const t = out[expected.name];
    if (!t) return { label: `${entry.file} ${expected.name}`, ok: false, error: 'missing output' };
    return compareWithReference(`${entry.file} graph ${expected.name}`, t.data, t.dims, expected, reference);
  });
}

function zeros(type, dims) {
  const n = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor(type, type === 'int64' ? new BigInt64Array(n) : new Float32Array(n), dims);
}

/**
 * sherpa's loop over [frames, featDim] features; returns output 0 concatenated along timeAxis.
 * `feedBackState: false` restarts every call from zero caches (a broken runtime, for negative tests).
 */
export async function streamLikeSherpa(
  session,
  meta,
  features,
  featDim,
  entry,
  { feedBackState = true } = {},
) {
  const frames = features.length / featDim;
  const { windowSize: win, chunkShift: shift, timeAxis } = entry;
  const cacheSize = Number(meta.cache_last_channel_dim2);
  const channelDims = [1, 2, 3].map((i) => Number(meta[`cache_last_channel_dim${i}`]));
  const timeDims = [1, 2, 3].map((i) => Number(meta[`cache_last_time_dim${i}`]));
  let state = [
    zeros('float32', [1, ...channelDims]),
    zeros('float32', [1, ...timeDims]),
    zeros('int64', [1]),
  ];
  const [inNames, outNames] = [session.inputNames, session.outputNames];
  const pieces = [];
  let outDims = null;
  for (let start = 0; start + win <= frames; start += shift) {
    const window = new Float32Array(featDim * win); // [1, featDim, win]: channel-first
    for (let t = 0; t < win; t++) {
      for (let f = 0; f < featDim; f++) window[f * win + t] = features[(start + t) * featDim + f];
    }
    const feeds = {
      [inNames[0]]: new ort.Tensor('float32', window, [1, featDim, win]),
      [inNames[1]]: new ort.Tensor('int64', BigInt64Array.of(BigInt(win)), [1]),
      [inNames[2]]: state[0],
      [inNames[3]]: state[1],
      [inNames[4]]: state[2],
    };
    const out = await session.run(feeds);
    const y = out[outNames[0]];
    const frameCount = Number(y.dims[timeAxis]);
    const prevLen = Number(state[2].data[0]);
    const nextLen = Number(out[outNames[4]].data[0]);
    if (frameCount !== entry.lookahead + 1) throw new Error(`call at ${start}: ${frameCount} frames out`);
    if (Number(out[outNames[1]].data[0]) !== frameCount) throw new Error(`call at ${start}: encoded_lengths`);
    if (nextLen !== Math.min(prevLen + frameCount, cacheSize)) throw new Error(`call at ${start}: cache len`);
    for (const [i, dims] of [
      [2, channelDims],
      [3, timeDims],
    ]) {
      const got = out[outNames[i]].dims.slice(1).map(Number);
      if (got.join() !== dims.join()) throw new Error(`call at ${start}: ${outNames[i]} dims [${got}]`);
    }
    if (feedBackState) state = [out[outNames[2]], out[outNames[3]], out[outNames[4]]];
    pieces.push(y);
    outDims = y.dims.map(Number);
  }
  // Concatenate along timeAxis (1 for [1, T, V], 2 for [1, D, T]).
  const total = pieces.reduce((a, p) => a + Number(p.dims[timeAxis]), 0);
  const dims = [...outDims];
  dims[timeAxis] = total;
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  let offset = 0;
  for (const p of pieces) {
    const t = Number(p.dims[timeAxis]);
    if (timeAxis === 1) {
      data.set(p.data, offset * dims[2]);
    } else {
      for (let r = 0; r < dims[1]; r++) data.set(p.data.subarray(r * t, (r + 1) * t), r * total + offset);
    }
    offset += t;
  }
  return { data, dims };
}

/** The manifest, the reference floats and the regenerated streaming features of a fixture. */
export function loadReference(dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const bin = readFileSync(path.join(dir, manifest.reference.file));
  // Copy: a Buffer's byteOffset need not be 4-aligned.
  const reference = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const feat = manifest.reference.features;
  const features = feat ? xorshiftFloats(feat.frames * feat.featureDim, feat.xorshift) : null;
  return { manifest, reference, features };
}

/** Runs every reference entry of the fixture in `dir`; returns one result per compared output. */
export async function checkNemoFixture(dir) {
  const { manifest, reference, features } = loadReference(dir);
  const sessions = new Map();
  const session = async (file) => {
    if (!sessions.has(file)) {
      sessions.set(
        file,
        await ort.InferenceSession.create(path.join(dir, file), {
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
        }),
      );
    }
    return sessions.get(file);
  };
  const featDim = manifest.reference.features?.featureDim;
  const results = [];
  try {
    for (const entry of manifest.reference.entries) {
      const s = await session(entry.file);
      if (entry.kind === 'graph') {
        results.push(...(await runGraph(s, entry, reference)));
      } else {
        const meta = readOnnxMetadata(path.join(dir, entry.file));
        const { data, dims } = await streamLikeSherpa(s, meta, features, featDim, entry);
        const label = `${entry.file} streaming R=${entry.lookahead}`;
        results.push(compareWithReference(label, data, dims, entry.outputs[0], reference));
      }
    }
  } finally {
    for (const s of sessions.values()) await s.release();
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: check_streaming_nemo.mjs <fixture dir>');
    process.exit(2);
  }
  const results = await checkNemoFixture(dir);
  for (const r of results) {
    const nums = r.exact
      ? 'exact'
      : `maxAbs=${r.maxAbsDiff?.toExponential(2)} maxScaled=${r.maxScaledDiff?.toExponential(2)}`;
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.label} ${nums}${r.error ? ` ${r.error}` : ''}`);
  }
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
