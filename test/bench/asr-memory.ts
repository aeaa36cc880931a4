/**
 * Memory per NeMo streaming stream, and whether memory stays flat over many stream
 * lifetimes (a leak shows as a positive slope).
 *
 * - open streams: N streams (1/100/1000) each given 1 s of audio in 100 ms chunks, as a
 *   live connection sends it (features computed, encoder caches allocated); RSS and JS memory (heap + array buffers) after
 *   a full GC, minus the figures before, over N;
 * - cycles: 10,000 x (createStream, acceptAudio 0.5 s, inputFinished, close), then
 *   1,000 cycles that also decode to the end; RSS after a GC every 1,000 (100) cycles,
 *   first/last and the least-squares slope.
 * Run: npx tsx test/bench/asr-memory.ts [model-dir] [--cycles N] [--decode-cycles N]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadNemoStreamingRecognizer } from '../../asr/nemo/load-nemo-streaming.js';
import type { NemoStream } from '../../asr/nemo/nemo-stream.js';
import { decodeAll } from '../../streaming/audio/index.js';

const root = path.resolve(import.meta.dirname, '../..');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Snapshot {
  rss: number;
  js: number;
}

function snapshot(): Snapshot {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, js: m.heapUsed + m.arrayBuffers };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface AsrMemoryFigures {
  perStream: { streams: number; rssBytes: number; jsBytes: number }[];
  cycles: { cycles: number; firstRss: number; lastRss: number; slopeBytesPer1000: number }[];
}

export async function run(modelDir?: string): Promise<AsrMemoryFigures> {
  const dir = modelDir ?? path.join(root, 'test/fixtures/zoo/nemo-streaming-hybrid');
  const cycles = option('cycles', 10000);
  const decodeCycles = option('decode-cycles', 1000);
  const jfk = await decodeAll(path.resolve(root, '../shared/data/clips/jfk.wav'), { sampleRate: 16000 });
  const oneSecond = jfk.subarray(0, 16000);
  const half = jfk.subarray(0, 8000);
  const recognizer = await loadNemoStreamingRecognizer(dir, { session: { intraOpThreads: 1 } });
  const figures: AsrMemoryFigures = { perStream: [], cycles: [] };
  console.log(`streaming ASR memory: ${recognizer.info.id}, default decoder, after a full GC`);
  try {
    // Warm the recognizer (sessions' arenas, shared feature tables) before measuring.
    const warm = recognizer.createStream();
    warm.acceptAudio(jfk);
    warm.inputFinished();
    while (recognizer.isReady(warm)) await recognizer.decode([warm]);
    warm.close();

    for (const n of [1, 100, 1000]) {
      const before = snapshot();
      const streams: NemoStream[] = [];
      for (let i = 0; i < n; i++) {
        const s = recognizer.createStream();
        for (let at = 0; at < oneSecond.length; at += 1600) s.acceptAudio(oneSecond.subarray(at, at + 1600));
        streams.push(s);
      }
      const after = snapshot();
      const rssBytes = (after.rss - before.rss) / n;
      const jsBytes = (after.js - before.js) / n;
      figures.perStream.push({ streams: n, rssBytes, jsBytes });
      console.log(
        `  ${String(n).padStart(5)} open streams (1 s each, 100 ms chunks): ${kb(jsBytes)} KiB JS/stream, ${kb(rssBytes)} KiB RSS/stream`,
      );
      for (const s of streams) s.close();
      streams.length = 0;
    }

    const lifetimes = async (count: number, every: number, decode: boolean, label: string) => {
      if (count <= 0) return;
      const xs: number[] = [];
      const ys: number[] = [];
      const js: number[] = [];
      for (let i = 1; i <= count; i++) {
        const s = recognizer.createStream();
        s.acceptAudio(half);
        s.inputFinished();
        if (decode) while (recognizer.isReady(s)) await recognizer.decode([s]);
        s.close();
        if (i % every === 0) {
          const m = snapshot();
          xs.push(i);
          ys.push(m.rss);
          js.push(m.js);
        }
      }
      const perThousand = slope(xs, ys) * 1000;
      figures.cycles.push({
        cycles: count,
        firstRss: ys[0]!,
        lastRss: ys.at(-1)!,
        slopeBytesPer1000: perThousand,
      });
      console.log(
        `  ${count} x ${label}: RSS ${mb(ys[0]!)} MiB after ${every} -> ${mb(ys.at(-1)!)} MiB after ${count}; slope ${kb(perThousand)} KiB per 1000 cycles (JS heap + buffers ${kb(slope(xs, js) * 1000)} KiB)`,
      );
    };
    await lifetimes(cycles, 1000, false, 'create/accept 0.5 s/close');
    await lifetimes(decodeCycles, Math.max(1, decodeCycles / 10), true, 'create/accept 0.5 s/decode/close');
  } finally {
    await recognizer.close();
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  await run(args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')));
}
