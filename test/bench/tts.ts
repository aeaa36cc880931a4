/**
 * Text-to-speech speed: time to first audio (TTFA) and real-time factor for each TTS model,
 * over ten fixed English sentences (short and long, numbers, money, a time, questions, a
 * long sentence with commas).
 *
 * - TTFA: from the speak() call to the first non-empty audio chunk, per request; p50/p95.
 * - RTF: synthesis wall time / audio seconds (lower is faster; 1 / RTF = x real time).
 * - threads: onnxruntime intra-op threads of every session (acoustic model and vocoder).
 * - streams N: N speak() requests in flight at once in this process, sharing one model;
 *   each stream speaks every sentence once, starting at a different one. Aggregate RTF =
 *   wall time of the whole round / all audio made; TTFA is per request, under that load.
 *   onnxruntime-node runs a session synchronously on the calling thread, so in-process the
 *   streams take turns between model calls on one JS thread: N streams cannot make audio
 *   faster than one (beyond what the intra-op threads give); what grows is each request's
 *   wait. The server runs synthesis in its own worker thread (server/tts/tts-worker.ts, apart
 *   from the ASR engine worker) so that its event loop stays free for the sockets; there the
 *   syntheses interleave between model calls just as here, so these rows are what the
 *   worker itself sustains, without the HTTP side and the encoding.
 * - MaskGCT only: the T2S mask-predict step count (4/8/12/24; 12 is the default) at 1 thread,
 *   1 stream, as a speed/quality trade-off; the quality side of it (pocketsphinx WER per step
 *   count) is models/py/tts/eval/synthesize_eval.ts + eval_voice.py.
 * - Per sentence (1 thread, 1 stream): phrases, audio seconds, TTFA and RTF.
 *
 * Models: --model DIR (repeatable); default models/embedded/tts-ardit and tts-maskgct when
 * present, else the random-weight fixtures test/fixtures/tts/{ardit-tiny,maskgct-tiny}.
 * A fixture is named as such in the output: its figures say what the runtime costs for
 * graphs of that size, not what a trained voice costs (its audio length is random too).
 *
 * Run: node --import tsx test/bench/tts.ts [--quick] [--model DIR]... [--threads 1,2]
 *        [--streams 1,4,8 (alias --concurrency)] [--t2s-steps 4,8,12,24] [--voice NAME]
 *      npm run bench -- tts [the same options]
 * --quick: 3 sentences, 1 thread, 1 and 4 streams, T2S steps 4 and 12.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { SpeechSynthesizer } from '../../tts/speech/speech-synthesizer.js';
import { defaultTtsDirs, isFixture, openSynthesizer, repoRoot } from './tts-models.js';

/** Fixed so figures from different runs and models speak the same words. */
export const TTS_BENCH_SENTENCES: readonly string[] = [
  'Good morning.',
  'Where did you leave the keys?',
  'The meeting starts at 9:30 am on Tuesday.',
  'She paid $42.50 for 3 books and a coffee.',
  'Turn left after 200 meters, then take the second exit.',
  'Is the last train to Boston still running at 11 pm?',
  'In 1969, about 600 million people watched the first landing on the Moon.',
  'Please call me back when you get this message, even if it is late.',
  'The weather was cold, the roads were icy, and the buses, which usually ran every ten minutes, had stopped altogether by late afternoon.',
  'Our sales grew by 15% last year, reaching 2.4 million units; the target for next year is higher still, but the team believes it can get there.',
];
/** --quick: the shortest, a question with a number, and the long one with commas. */
const QUICK_SENTENCES = [0, 5, 8];
const DEFAULT_T2S_STEPS = 12;

export interface TtsBenchFigure {
  readonly model: string;
  readonly family: string;
  /** Random weights: the figure is the runtime's cost for graphs of that size only. */
  readonly fixture: boolean;
  readonly threads: number;
  readonly streams: number;
  /** MaskGCT T2S steps, when the row is part of the step sweep. */
  readonly t2sSteps?: number;
  readonly requests: number;
  readonly audioSeconds: number;
  readonly wallSeconds: number;
  readonly rtf: number;
  readonly ttfaP50Ms: number;
  readonly ttfaP95Ms: number;
}

export interface TtsSentenceFigure {
  readonly model: string;
  readonly sentence: number;
  readonly phrases: number;
  readonly audioSeconds: number;
  readonly ttfaMs: number;
  readonly rtf: number;
}

interface Options {
  dirs: string[];
  fellBack: boolean;
  quick: boolean;
  sentences: number[];
  threads: number[];
  streams: number[];
  t2sSteps: number[];
  voice: string | undefined;
}

interface RequestResult {
  readonly sentence: number;
  readonly ttfaMs: number;
  readonly wallSeconds: number;
  readonly audioSeconds: number;
  readonly phrases: number;
}

/** Nearest-rank percentile; NaN for no values. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function numberList(value: unknown, fallback: number[]): number[] {
  if (typeof value !== 'string') return fallback;
  const list = value.split(',').map(Number);
  if (list.some((n) => !(Number.isInteger(n) && n > 0))) throw new Error(`not a list of counts: ${value}`);
  return list;
}

/**
 * From process.argv, leniently: under `npm run bench` the same argv carries suite names and
 * other suites' options.
 */
function parseOptions(): Options {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    allowPositionals: true,
    options: {
      model: { type: 'string', multiple: true },
      quick: { type: 'boolean' },
      threads: { type: 'string' },
      streams: { type: 'string' },
      concurrency: { type: 'string' },
      't2s-steps': { type: 'string' },
      voice: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const models = (Array.isArray(values.model) ? values.model : []).filter((m) => typeof m === 'string');
  const { dirs, fellBack } =
    models.length > 0 ? { dirs: models.map((m) => path.resolve(m)), fellBack: false } : defaultTtsDirs();
  return {
    dirs,
    fellBack,
    quick,
    sentences: quick ? QUICK_SENTENCES : TTS_BENCH_SENTENCES.map((_, i) => i),
    threads: numberList(values.threads, quick ? [1] : [1, 2]),
    streams: numberList(values.streams ?? values.concurrency, quick ? [1, 4] : [1, 4, 8]),
    t2sSteps: numberList(values['t2s-steps'], quick ? [4, 12] : [4, 8, 12, 24]),
    voice: typeof values.voice === 'string' ? values.voice : undefined,
  };
}

function reproduceCommand(o: Options): string {
  const models = o.fellBack ? [] : o.dirs.map((d) => `--model ${path.relative(repoRoot, d) || '.'}`);
  return [
    'node --import tsx test/bench/tts.ts',
    ...models,
    `--threads ${o.threads.join(',')}`,
    `--streams ${o.streams.join(',')}`,
    `--t2s-steps ${o.t2sSteps.join(',')}`,
    ...(o.quick ? ['--quick'] : []),
    ...(o.voice ? [`--voice ${o.voice}`] : []),
  ].join(' ');
}

async function speakOnce(
  synth: SpeechSynthesizer,
  sentence: number,
  voice: string | undefined,
): Promise<RequestResult> {
  const t0 = performance.now();
  let ttfaMs = Number.NaN;
  let samples = 0;
  let phrases = 0;
  for await (const chunk of synth.speak({ text: TTS_BENCH_SENTENCES[sentence]!, voice })) {
    if (chunk.samples.length > 0 && Number.isNaN(ttfaMs)) ttfaMs = performance.now() - t0;
    samples += chunk.samples.length;
    phrases = Math.max(phrases, chunk.phrase + 1);
  }
  return {
    sentence,
    ttfaMs,
    wallSeconds: (performance.now() - t0) / 1000,
    audioSeconds: samples / synth.sampleRate,
    phrases,
  };
}

/** N streams at once, each speaking every sentence once from its own starting point. */
async function round(
  synth: SpeechSynthesizer,
  sentences: readonly number[],
  streams: number,
  voice: string | undefined,
): Promise<{ results: RequestResult[]; wallSeconds: number }> {
  const t0 = performance.now();
  const perStream = await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      const out: RequestResult[] = [];
      for (let k = 0; k < sentences.length; k++) {
        out.push(await speakOnce(synth, sentences[(s + k) % sentences.length]!, voice));
      }
      return out;
    }),
  );
  return { results: perStream.flat(), wallSeconds: (performance.now() - t0) / 1000 };
}

function summarise(
  base: Pick<TtsBenchFigure, 'model' | 'family' | 'fixture' | 'threads' | 'streams' | 't2sSteps'>,
  { results, wallSeconds }: { results: RequestResult[]; wallSeconds: number },
): TtsBenchFigure {
  const audioSeconds = results.reduce((s, r) => s + r.audioSeconds, 0);
  const ttfa = results.map((r) => r.ttfaMs);
  return {
    ...base,
    requests: results.length,
    audioSeconds,
    wallSeconds,
    rtf: wallSeconds / audioSeconds,
    ttfaP50Ms: percentile(ttfa, 50),
    ttfaP95Ms: percentile(ttfa, 95),
  };
}

const HEADER = `${'threads'.padStart(9)}${'streams'.padStart(9)}${'t2s'.padStart(5)}${'requests'.padStart(10)}${'audio s'.padStart(9)}${'wall s'.padStart(9)}${'RTF'.padStart(8)}${'x real'.padStart(9)}${'TTFA p50'.padStart(10)}${'TTFA p95'.padStart(10)}`;

function row(f: TtsBenchFigure, note = ''): string {
  return (
    `${String(f.threads).padStart(9)}${String(f.streams).padStart(9)}${String(f.t2sSteps ?? '-').padStart(5)}` +
    `${String(f.requests).padStart(10)}${f.audioSeconds.toFixed(1).padStart(9)}${f.wallSeconds.toFixed(2).padStart(9)}` +
    `${f.rtf.toFixed(3).padStart(8)}${`${(1 / f.rtf).toFixed(1)}x`.padStart(9)}` +
    `${`${f.ttfaP50Ms.toFixed(0)} ms`.padStart(10)}${`${f.ttfaP95Ms.toFixed(0)} ms`.padStart(10)}${note}`
  );
}

/** One untimed request first: the first runs allocate onnxruntime's arenas. */
async function warmUp(synth: SpeechSynthesizer, voice: string): Promise<void> {
  await speakOnce(synth, 0, voice);
}

export async function run(): Promise<{ figures: TtsBenchFigure[]; sentences: TtsSentenceFigure[] }> {
  const o = parseOptions();
  const figures: TtsBenchFigure[] = [];
  const sentenceFigures: TtsSentenceFigure[] = [];
  console.log(
    `tts: ${o.sentences.length} sentences per stream, seed 0, TTFA = speak() call -> first audio chunk, RTF = wall / audio`,
  );
  if (o.fellBack) {
    console.log(
      '  models/embedded/tts-ardit and tts-maskgct are absent: measuring the RANDOM-WEIGHT FIXTURES instead',
    );
  }
  for (const dir of o.dirs) {
    const fixture = isFixture(dir);
    let model: { id: string; family: string; voice: string } | undefined;
    for (const threads of o.threads) {
      const synth = await openSynthesizer(dir, { threads });
      try {
        if (model === undefined) {
          model = { id: synth.id, family: synth.family, voice: o.voice ?? synth.defaultVoice };
          console.log(
            `\n  ${synth.id} (${synth.family}, voice ${model.voice}, ${synth.provider}) ${path.relative(repoRoot, dir) || dir}` +
              (fixture
                ? '\n  ** FIXTURE: random weights. These figures are the runtime cost of graphs this size, not a trained voice; audio lengths are arbitrary. **'
                : ''),
          );
          console.log(HEADER);
        }
        await warmUp(synth, model.voice);
        for (const streams of o.streams) {
          const measured = await round(synth, o.sentences, streams, model.voice);
          const figure = summarise(
            { model: model.id, family: model.family, fixture, threads, streams },
            measured,
          );
          figures.push(figure);
          console.log(row(figure));
          if (threads === o.threads[0] && streams === 1) {
            for (const r of measured.results) {
              sentenceFigures.push({
                model: model.id,
                sentence: r.sentence,
                phrases: r.phrases,
                audioSeconds: r.audioSeconds,
                ttfaMs: r.ttfaMs,
                rtf: r.wallSeconds / r.audioSeconds,
              });
            }
          }
        }
      } finally {
        await synth.close();
      }
    }
    if (model === undefined) continue;
    const { id, family, voice } = model;
    const base = { model: id, family, fixture };
    if (family === 'maskgct-tts') {
      console.log(`  T2S step sweep (${o.threads[0]} thread(s), 1 stream; S2A steps at their default):`);
      let reference: TtsBenchFigure | undefined;
      const sweep: TtsBenchFigure[] = [];
      for (const t2sSteps of o.t2sSteps) {
        const synth = await openSynthesizer(dir, { threads: o.threads[0]!, t2sSteps });
        try {
          await warmUp(synth, voice);
          const figure = summarise(
            { ...base, threads: o.threads[0]!, streams: 1, t2sSteps },
            await round(synth, o.sentences, 1, voice),
          );
          sweep.push(figure);
          if (t2sSteps === DEFAULT_T2S_STEPS) reference = figure;
        } finally {
          await synth.close();
        }
      }
      for (const f of sweep) {
        const vs = reference
          ? `  RTF x${(f.rtf / reference.rtf).toFixed(2)} of ${DEFAULT_T2S_STEPS} steps`
          : '';
        console.log(row(f, f.t2sSteps === DEFAULT_T2S_STEPS ? '  (default)' : vs));
      }
      figures.push(...sweep);
    }
    const perSentence = sentenceFigures.filter((f) => f.model === id);
    if (perSentence.length === 0) continue; // no 1-stream round was asked for
    console.log(`  per sentence (${o.threads[0]} thread(s), 1 stream):`);
    console.log(
      `${'#'.padStart(5)}${'phrases'.padStart(9)}${'audio s'.padStart(9)}${'TTFA'.padStart(9)}${'RTF'.padStart(8)}  text`,
    );
    for (const s of perSentence) {
      const text = TTS_BENCH_SENTENCES[s.sentence]!;
      console.log(
        `${String(s.sentence).padStart(5)}${String(s.phrases).padStart(9)}${s.audioSeconds.toFixed(2).padStart(9)}` +
          `${`${s.ttfaMs.toFixed(0)} ms`.padStart(9)}${s.rtf.toFixed(3).padStart(8)}  ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`,
      );
    }
  }
  console.log(`\n  reproduce: ${reproduceCommand(o)}`);
  return { figures, sentences: sentenceFigures };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
