// Copy-synthesis through the TypeScript runtime, for eval_copy_synthesis.py: each clip's
// log-mel (tts/mel-spec.ts) goes through Griffin-Lim (tts/audio/griffin-lim.ts) and through
// the vocoder ONNX (models/tts/vocoder-model.ts) both whole and as a VocoderStream fed
// 10-frame chunks. Writes gl.f32, vocos.f32 and vocos-stream.f32 (each clip trimmed to its
// source length, same offsets as the input) and summary.json (timings, stream-vs-whole diff).
//
//   npx tsx models/py/tts/vocoder/copy_synthesis.ts --dir models/py/work/tts-vocoder/eval \
//     [--model models/embedded/tts-vocoder] [--threads 1]
//
// Input: DIR/source.f32 (16 kHz float32, clips end to end) and DIR/index.json ({offsets}).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VocoderModel } from '../../../../models/tts/vocoder-model.js';
import { griffinLim } from '../../../../tts/audio/griffin-lim.js';
import { VocoderStream } from '../../../../tts/audio/vocoder-stream.js';
import { computeLogMel } from '../../../../tts/mel-spec.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    model: { type: 'string', default: 'models/embedded/tts-vocoder' },
    threads: { type: 'string', default: '1' },
    chunk: { type: 'string', default: '10' },
  },
});
if (values.dir === undefined) throw new Error('--dir is required');
const dir = values.dir;
const chunk = Number(values.chunk);

function readF32(file: string): Float32Array {
  const bytes = readFileSync(file);
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

const source = readF32(path.join(dir, 'source.f32'));
const { offsets } = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { offsets: number[] };
const model = await VocoderModel.load(values.model, { intraOpThreads: Number(values.threads) });
const gl = new Float32Array(source.length);
const vocos = new Float32Array(source.length);
const streamed = new Float32Array(source.length);
let glMs = 0;
let vocosMs = 0;
let streamMs = 0;
let worstStreamDiff = 0;
for (let i = 0; i + 1 < offsets.length; i++) {
  const clip = source.subarray(offsets[i]!, offsets[i + 1]!);
  const logMel = computeLogMel(clip);
  let t0 = performance.now();
  const g = griffinLim(logMel);
  glMs += performance.now() - t0;
  t0 = performance.now();
  const v = await model.synthesize(logMel.data, logMel.numFrames);
  vocosMs += performance.now() - t0;
  t0 = performance.now();
  const stream = new VocoderStream(model);
  const parts: Float32Array[] = [];
  for (let f = 0; f < logMel.numFrames; f += chunk) {
    parts.push(await stream.push(logMel.data.subarray(f * 80, Math.min(logMel.numFrames, f + chunk) * 80)));
  }
  parts.push(await stream.flush());
  streamMs += performance.now() - t0;
  let at = 0;
  const s = new Float32Array(v.length);
  for (const p of parts) {
    s.set(p, at);
    at += p.length;
  }
  for (let n = 0; n < v.length; n++) worstStreamDiff = Math.max(worstStreamDiff, Math.abs(s[n]! - v[n]!));
  gl.set(g.subarray(0, clip.length), offsets[i]!);
  vocos.set(v.subarray(0, clip.length), offsets[i]!);
  streamed.set(s.subarray(0, clip.length), offsets[i]!);
}
await model.release();
const seconds = source.length / 16000;
const write = (name: string, data: Float32Array) =>
  writeFileSync(path.join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
write('gl.f32', gl);
write('vocos.f32', vocos);
write('vocos-stream.f32', streamed);
const summary = {
  clips: offsets.length - 1,
  audioSeconds: seconds,
  griffinLimRtf: glMs / 1000 / seconds,
  vocoderRtf: vocosMs / 1000 / seconds,
  vocoderStreamRtf: streamMs / 1000 / seconds,
  streamChunkFrames: chunk,
  streamVsWholeMaxAbsDiff: worstStreamDiff,
  threads: Number(values.threads),
};
writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
console.log(JSON.stringify(summary));
