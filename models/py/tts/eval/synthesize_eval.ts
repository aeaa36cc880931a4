// Reads the evaluation texts with a TTS model through the TypeScript runtime (the code the
// server runs), for eval_voice.py to score with pocketsphinx: one 16 kHz mono 16-bit WAV per
// row, and the time each took.
//
//   npx tsx models/py/tts/eval/synthesize_eval.ts --model models/embedded/tts-maskgct \
//     --out models/py/work/tts/eval-runs/maskgct [--voice NAME] [--seed 0] [--threads 1] \
//     [--t2s-steps 12 | --flow-steps 4] [--manifest FILE]... [--limit N]
//
// --manifest: eval jsonl files with at least "id" and "raw" per row (default
// models/py/work/tts/data/eval/templates.jsonl and hifitts.jsonl); the set name is the
// file name ("templates", "hifitts"), which tells eval_voice.py whether the template grammar
// applies. --limit N: the first N rows of each manifest (quick checks).
// --t2s-steps (MaskGCT) / --flow-steps (ARDiT): sampling steps other than the defaults.
//
// Writes OUT/<id>.wav, OUT/manifest.jsonl (set, id, raw, wav relative to OUT, audio_s,
// synthesis_s, ttfa_ms, phrases) and OUT/summary.json (the model, voice, knobs and totals).
// Sentences are read one at a time, 1 stream: RTF = synthesis seconds / audio seconds over all
// rows; TTFA = speak() call -> first non-empty chunk.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { encodeWav } from '../../../../streaming/audio/wav-writer.js';
import { isFixture, openSynthesizer, repoRoot } from '../../../../test/bench/tts-models.js';

const evalDir = path.join(repoRoot, 'models/py/work/tts/data/eval');

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    out: { type: 'string' },
    manifest: { type: 'string', multiple: true },
    voice: { type: 'string' },
    seed: { type: 'string', default: '0' },
    threads: { type: 'string', default: '1' },
    't2s-steps': { type: 'string' },
    'flow-steps': { type: 'string' },
    limit: { type: 'string' },
  },
});
if (values.model === undefined || values.out === undefined) {
  console.error('usage: synthesize_eval.ts --model DIR --out DIR [options]; see the comment at the top');
  process.exit(2);
}

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 0))
    throw new Error(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

/** Nearest-rank percentile; NaN for no values. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

interface EvalRow {
  readonly set: string;
  readonly id: string;
  readonly raw: string;
}

function readRows(file: string, limit: number | undefined): EvalRow[] {
  const set = path.basename(file).replace(/\.jsonl$/, '');
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { id?: unknown; raw?: unknown });
  return rows.slice(0, limit ?? rows.length).map((r, i) => {
    if (typeof r.id !== 'string' || typeof r.raw !== 'string' || !/^[\w.-]+$/.test(r.id)) {
      throw new Error(`${file}: row ${i + 1} needs a string "id" (a file name) and "raw"`);
    }
    return { set, id: r.id, raw: r.raw };
  });
}

const seed = count('seed', values.seed)!;
const threads = count('threads', values.threads)!;
const t2sSteps = count('t2s-steps', values['t2s-steps']);
const flowSteps = count('flow-steps', values['flow-steps']);
const limit = count('limit', values.limit);
const manifests = values.manifest ?? ['templates.jsonl', 'hifitts.jsonl'].map((f) => path.join(evalDir, f));
const rows = manifests.flatMap((m) => readRows(m, limit));
const ids = new Set<string>();
for (const r of rows) {
  if (ids.has(r.id)) throw new Error(`id ${r.id} appears twice: the WAVs would overwrite each other`);
  ids.add(r.id);
}

const out = values.out;
mkdirSync(out, { recursive: true });
const synth = await openSynthesizer(values.model, { threads, t2sSteps, flowSteps });
const voice = values.voice ?? synth.defaultVoice;
const fixture = isFixture(values.model);
console.log(
  `${synth.id} (${synth.family}, voice ${voice}, seed ${seed}, ${threads} thread(s)` +
    `${t2sSteps === undefined ? '' : `, T2S steps ${t2sSteps}`}${flowSteps === undefined ? '' : `, flow steps ${flowSteps}`})` +
    `: ${rows.length} rows -> ${out}${fixture ? '  [FIXTURE: random weights]' : ''}`,
);

const lines: string[] = [];
const ttfas: number[] = [];
let audioTotal = 0;
let synthesisTotal = 0;
try {
  // Untimed warm-up: the first runs allocate onnxruntime's arenas.
  for await (const _ of synth.speak({ text: 'Hello.', voice, seed })) {
    // drain
  }
  for (const [k, row] of rows.entries()) {
    const parts: Float32Array[] = [];
    let ttfaMs = Number.NaN;
    let phrases = 0;
    const t0 = performance.now();
    try {
      for await (const chunk of synth.speak({ text: row.raw, voice, seed })) {
        if (chunk.samples.length > 0 && Number.isNaN(ttfaMs)) ttfaMs = performance.now() - t0;
        parts.push(chunk.samples);
        phrases = Math.max(phrases, chunk.phrase + 1);
      }
    } catch (err) {
      throw new Error(`${row.id} ("${row.raw}"): ${(err as Error).message}`);
    }
    const synthesisS = (performance.now() - t0) / 1000;
    const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      samples.set(p, at);
      at += p.length;
    }
    const wav = `${row.id}.wav`;
    writeFileSync(path.join(out, wav), encodeWav({ sampleRate: synth.sampleRate, channels: [samples] }));
    const audioS = samples.length / synth.sampleRate;
    audioTotal += audioS;
    synthesisTotal += synthesisS;
    ttfas.push(ttfaMs);
    lines.push(
      JSON.stringify({
        set: row.set,
        id: row.id,
        raw: row.raw,
        wav,
        audio_s: audioS,
        synthesis_s: round(synthesisS, 4),
        ttfa_ms: round(ttfaMs, 1),
        phrases,
      }),
    );
    if ((k + 1) % 20 === 0 || k + 1 === rows.length) {
      console.log(
        `  ${k + 1}/${rows.length}: ${audioTotal.toFixed(1)} s of audio in ${synthesisTotal.toFixed(1)} s`,
      );
    }
  }
} finally {
  await synth.close();
}

writeFileSync(path.join(out, 'manifest.jsonl'), `${lines.join('\n')}\n`);
const summary = {
  model: synth.id,
  family: synth.family,
  dir: path.relative(repoRoot, path.resolve(values.model)),
  fixture,
  voice,
  seed,
  threads,
  t2s_steps: t2sSteps ?? null,
  flow_steps: flowSteps ?? null,
  rows: rows.length,
  sets: [...new Set(rows.map((r) => r.set))],
  audio_s: audioTotal,
  synthesis_s: synthesisTotal,
  rtf: synthesisTotal / audioTotal,
  ttfa_p50_ms: percentile(ttfas, 50),
  ttfa_p95_ms: percentile(ttfas, 95),
};
writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
console.log(
  `total: ${audioTotal.toFixed(1)} s of audio in ${synthesisTotal.toFixed(1)} s, RTF ${summary.rtf.toFixed(3)}, ` +
    `TTFA p50 ${summary.ttfa_p50_ms.toFixed(0)} ms, p95 ${summary.ttfa_p95_ms.toFixed(0)} ms`,
);
