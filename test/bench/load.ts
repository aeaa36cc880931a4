/**
 * Live load (FunASR's method): N WebSocket clients each stream the same real speech to
 * /v1/listen at real time, in 100 ms linear16 frames, starts staggered over one frame;
 * then CloseStream. Per N it reports:
 *
 * - x real time: all clients' audio / wall time from the first frame to the last close;
 * - first-partial latency: the first non-empty partial's audio end (start + duration, the
 *   end of its last word) lies in some frame; latency = arrival of that partial - send
 *   time of that frame. Partial latency (all): the same for every partial that reaches
 *   further than the ones before it (what the demo page shows);
 * - final-after-stop: CloseStream sent -> the last final received (or the close, when
 *   no final follows CloseStream);
 * - slowest finish: a client's first frame -> its close, over the audio duration (worst client);
 * - errors: Error messages, abnormal closes, clients that never finished.
 * - word latency (the `digits` clip, whose word times are known from the audio): for each
 *   spoken word, the first result (interim or final) reaching into it, minus the send time
 *   of the frame that holds the word's true end. The partial latencies above are taken from
 *   the model's own word ends instead, and a CTC model puts a digit at its label spike,
 *   ~130 ms before the digit really ends on the shipped model, so they count that as delay.
 *
 * N is sustained when there are no errors, the p95 of all partial latencies is under
 * 1 s, and every client finishes within 1.2x the audio duration. The largest sustained N
 * is searched by doubling from 1, then bisecting, within a time cap.
 *
 * Run: npx tsx test/bench/load.ts [--url ws://host:port] [--token KEY] [--model DIR]
 *        [--clip FILE|digits] [--seconds S] [--max-n N] [--n N] [--time-cap S] [--max-batch B] [--max-wait-ms MS] [--threads T] [--workers W]
 *        [--query 'lookahead=0&...'] (extra /v1/listen parameters for every client)
 * Without --url the server runs in this process (engine in its worker threads: --workers,
 * default as the server's `auto`); the clients share this process's event loop with the
 * server's WebSocket side. Default clip: `digits` (the shipped model recognises digits).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { packageRoot } from '../../common/package-info.js';
import { AUTO_BATCHING, resolveEngineWorkers } from '../../server/engine/engine-pool.js';
import { decodeAll, float32ToInt16 } from '../../streaming/audio/index.js';
import { type BenchServer, startBenchServer } from './bench-server.js';
import { buildDigitClip, type TimedWord } from './digit-clip.js';

const FRAME_SECONDS = 0.1;
const RATE = 16000;
const dataDir = path.resolve(packageRoot(), '../shared/data');

export interface LoadOptions {
  /** ws(s)://host:port of a running server; absent: start one in-process. */
  readonly url?: string;
  readonly token?: string;
  /** Model directory for the in-process server. */
  readonly model?: string;
  /**
   * Speech file (absolute, or relative to ../shared/data), or `digits`: a digit string built
   * from theo's FSDD clips with known word times (digit-clip.ts), which adds word latency.
   */
  readonly clip: string;
  /** Crop the clip to this many seconds. */
  readonly seconds?: number;
  readonly maxN: number;
  /** Run exactly these N instead of searching. */
  readonly fixedN?: readonly number[];
  readonly timeCapSeconds: number;
  readonly maxBatch: number;
  /** The in-process server's batching wait (ms). */
  readonly maxWaitMs: number;
  readonly threads: number;
  /** Engine worker threads of the in-process server. */
  readonly workers: number;
  readonly partialP95LimitMs: number;
  readonly finishFactorLimit: number;
  /** Extra /v1/listen query parameters for every client (e.g. lookahead=0). */
  readonly query?: string;
}

export const defaultLoadOptions: LoadOptions = {
  clip: 'digits',
  maxN: 64,
  timeCapSeconds: 300,
  // The server's CPU defaults (maxBatch / maxWaitMs 'auto').
  maxBatch: AUTO_BATCHING.cpu.maxBatch,
  maxWaitMs: AUTO_BATCHING.cpu.maxWaitMs,
  threads: 1,
  workers: resolveEngineWorkers('auto', 'cpu', availableParallelism()),
  partialP95LimitMs: 1000,
  finishFactorLimit: 1.2,
};

export interface LoadFigure {
  readonly n: number;
  readonly xRealTime: number;
  readonly firstPartialP50Ms: number;
  readonly firstPartialP95Ms: number;
  readonly partialP95Ms: number;
  /** Word latency against the true word ends (NaN without a clip of known word times). */
  readonly wordP50Ms: number;
  readonly wordP95Ms: number;
  /** Words the clients saw, over the words they spoke (1 = every word reached a result). */
  readonly wordsReached: number;
  readonly finalAfterStopP50Ms: number;
  readonly finalAfterStopP95Ms: number;
  /** The slowest client's first frame -> close, over the audio duration. */
  readonly slowestFinish: number;
  readonly errors: number;
  readonly sustained: boolean;
}

export interface LoadResult {
  readonly model: string;
  readonly audioSeconds: number;
  readonly figures: LoadFigure[];
  /** Largest N that was sustained (0: not even one client). */
  readonly maxSustainedN: number;
  /** True when the time cap or --max-n ended the search before it bracketed the limit. */
  readonly capped: boolean;
}

interface ClientOutcome {
  firstPartialMs?: number;
  partialMs: number[];
  /** Per true word reached: first result covering it - send time of the frame holding its end. */
  wordMs: number[];
  finalAfterStopMs?: number;
  finishSeconds?: number;
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Nearest-rank percentile; NaN for no values. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Clip {
  readonly frames: Buffer[];
  /** Known word times (the `digits` clip); absent for a recording. */
  readonly words?: readonly TimedWord[];
}

async function loadClip(file: string, seconds: number | undefined): Promise<Clip> {
  let samples: Float32Array;
  let words: readonly TimedWord[] | undefined;
  if (file === 'digits') {
    ({ samples, words } = await buildDigitClip());
  } else {
    samples = await decodeAll(path.isAbsolute(file) ? file : path.join(dataDir, file), { sampleRate: RATE });
  }
  if (seconds !== undefined) {
    samples = samples.subarray(0, Math.round(seconds * RATE));
    words = words?.filter((w) => w.end <= seconds);
  }
  const pcm = float32ToInt16(samples);
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const frameBytes = FRAME_SECONDS * RATE * 2;
  const frames: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += frameBytes) frames.push(bytes.subarray(i, i + frameBytes));
  return { frames, words };
}

/** Opens a client and resolves once the server's Metadata arrived (the session is live). */
function openClient(url: string, token: string | undefined, query: string | undefined): Promise<WebSocket> {
  const extra = query === undefined || query === '' ? '' : `&${query}`;
  const socket = new WebSocket(
    `${url}/v1/listen?encoding=linear16&sample_rate=${RATE}&channels=1&interim_results=true${extra}`,
    token !== undefined ? ['token', token] : undefined,
  );
  return new Promise((resolve, reject) => {
    socket.once('message', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.once('close', (code) => reject(new Error(`closed ${code} before Metadata`)));
  });
}

/** Streams the frames at real time from `startAt`, then CloseStream; resolves at the close. */
function streamClient(
  socket: WebSocket,
  clip: Clip,
  startAt: number,
  deadlineMs: number,
): Promise<ClientOutcome> {
  const { frames, words = [] } = clip;
  const outcome: ClientOutcome = { partialMs: [], wordMs: [] };
  const sentAt: number[] = [];
  let reached = 0;
  let nextWord = 0;
  let stopAt: number | undefined;
  let lastFinalAt: number | undefined;
  const frameOf = (seconds: number) => Math.max(0, Math.ceil(seconds / FRAME_SECONDS - 1e-9) - 1);

  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const now = performance.now();
    const m = JSON.parse(data.toString()) as {
      type: string;
      is_final?: boolean;
      start?: number;
      duration?: number;
      code?: string;
      channel?: { alternatives: { transcript: string }[] };
    };
    if (m.type === 'Error') outcome.error ??= m.code ?? 'Error';
    if (m.type !== 'Results') return;
    // Word latency: a result (interim or final) whose text reaches into a true word's span
    // has shown that word; the CTC spike lies inside the word, so reaching its start is enough.
    if (m.channel!.alternatives[0]!.transcript !== '') {
      const end = m.start! + m.duration!;
      while (nextWord < words.length && end >= words[nextWord]!.start) {
        const frame = frameOf(words[nextWord]!.end);
        outcome.wordMs.push(now - (sentAt[frame] ?? startAt + frame * FRAME_SECONDS * 1000));
        nextWord++;
      }
    }
    if (m.is_final) {
      lastFinalAt = now;
      return;
    }
    const end = m.start! + m.duration!;
    if (m.channel!.alternatives[0]!.transcript === '' || end <= reached) return;
    reached = end;
    const sent = sentAt[Math.min(frameOf(end), sentAt.length - 1)];
    if (sent === undefined) return;
    outcome.partialMs.push(now - sent);
    outcome.firstPartialMs ??= now - sent;
  });

  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      outcome.error ??= 'never finished';
      socket.terminate();
    }, deadlineMs);
    socket.on('close', (code) => {
      clearTimeout(deadline);
      const now = performance.now();
      if (code !== 1000) outcome.error ??= `close ${code}`;
      if (stopAt !== undefined) {
        outcome.finalAfterStopMs =
          (lastFinalAt !== undefined && lastFinalAt > stopAt ? lastFinalAt : now) - stopAt;
      }
      outcome.finishSeconds = (now - startAt) / 1000;
      resolve(outcome);
    });
    (async () => {
      for (const [k, frame] of frames.entries()) {
        await sleep(startAt + k * FRAME_SECONDS * 1000 - performance.now());
        if (socket.readyState !== WebSocket.OPEN) return;
        sentAt.push(performance.now());
        socket.send(frame);
      }
      // CloseStream when the last frame's audio has "been spoken".
      await sleep(startAt + frames.length * FRAME_SECONDS * 1000 - performance.now());
      if (socket.readyState !== WebSocket.OPEN) return;
      stopAt = performance.now();
      socket.send(JSON.stringify({ type: 'CloseStream' }));
    })();
  });
}

async function runRound(url: string, n: number, clip: Clip, options: LoadOptions): Promise<LoadFigure> {
  const audioSeconds = clip.frames.length * FRAME_SECONDS;
  const opened = await Promise.allSettled(
    Array.from({ length: n }, () => openClient(url, options.token, options.query)),
  );
  const sockets = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const refused = n - sockets.length;
  const t0 = performance.now() + 50;
  const deadlineMs = audioSeconds * 3000 + 10_000;
  const outcomes = await Promise.all(
    sockets.map((s, i) => streamClient(s, clip, t0 + (i / n) * FRAME_SECONDS * 1000, deadlineMs)),
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  const first = outcomes.flatMap((o) => (o.firstPartialMs !== undefined ? [o.firstPartialMs] : []));
  const all = outcomes.flatMap((o) => o.partialMs);
  const wordMs = outcomes.flatMap((o) => o.wordMs);
  const spoken = (clip.words?.length ?? 0) * outcomes.length;
  const finals = outcomes.flatMap((o) => (o.finalAfterStopMs !== undefined ? [o.finalAfterStopMs] : []));
  const errors = refused + outcomes.filter((o) => o.error !== undefined).length;
  const slowestFinish = Math.max(
    ...outcomes.map((o) => (o.finishSeconds ?? Number.POSITIVE_INFINITY) / audioSeconds),
  );
  const partialP95Ms = percentile(all, 95);
  const noPartial = outcomes.filter((o) => o.firstPartialMs === undefined).length;
  return {
    n,
    xRealTime: (sockets.length * audioSeconds) / wallSeconds,
    firstPartialP50Ms: percentile(first, 50),
    firstPartialP95Ms: percentile(first, 95),
    partialP95Ms,
    wordP50Ms: percentile(wordMs, 50),
    wordP95Ms: percentile(wordMs, 95),
    wordsReached: spoken === 0 ? Number.NaN : wordMs.length / spoken,
    finalAfterStopP50Ms: percentile(finals, 50),
    finalAfterStopP95Ms: percentile(finals, 95),
    slowestFinish,
    errors,
    sustained:
      errors === 0 &&
      noPartial === 0 &&
      partialP95Ms <= options.partialP95LimitMs &&
      slowestFinish <= options.finishFactorLimit,
  };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : String(Math.round(value)));
const COLUMNS = [6, 10, 9, 9, 9, 9, 9, 9, 8, 9, 9, 8] as const;
const row = (cells: readonly string[]) => cells.map((c, i) => c.padStart(COLUMNS[i] ?? 0)).join('');

function printHeader(words: boolean): void {
  const head = ['', 'audio/', 'first', 'partial', 'all', 'final', 'after', 'slowest', ''];
  const unit = ['N', 'wall', 'p50 ms', 'p95 ms', 'p95 ms', 'p50 ms', 'p95 ms', 'finish', 'errors'];
  console.log(row(words ? [...head, 'word', 'latency', 'words'] : head));
  console.log(row(words ? [...unit, 'p50 ms', 'p95 ms', 'seen'] : unit));
}

function printFigure(f: LoadFigure): void {
  const cells = [
    String(f.n),
    `${f.xRealTime.toFixed(1)}x`,
    ms(f.firstPartialP50Ms),
    ms(f.firstPartialP95Ms),
    ms(f.partialP95Ms),
    ms(f.finalAfterStopP50Ms),
    ms(f.finalAfterStopP95Ms),
    `${f.slowestFinish.toFixed(2)}x`,
    String(f.errors),
  ];
  if (!Number.isNaN(f.wordsReached)) {
    cells.push(ms(f.wordP50Ms), ms(f.wordP95Ms), `${(f.wordsReached * 100).toFixed(0)}%`);
  }
  console.log(`${row(cells)}  ${f.sustained ? 'real time' : 'NOT sustained'}`);
}

type CacheRows = Record<'fed_back' | 'gathered' | 'zero', number>;

/**
 * The server's speechstream_encoder_cache_rows_total counters (undefined when /metrics
 * cannot be read): how stream steps got their encoder caches. Under WebGPU, `gathered`
 * is a trip through host memory that `fed_back` avoids.
 */
async function cacheRows(wsUrl: string): Promise<CacheRows | undefined> {
  try {
    const res = await fetch(`${wsUrl.replace(/^ws/, 'http')}/metrics`);
    if (!res.ok) return undefined;
    const text = await res.text();
    // A counter shows no samples until its first increment: absent means zero.
    const rows: CacheRows = { fed_back: 0, gathered: 0, zero: 0 };
    for (const m of text.matchAll(/^speechstream_encoder_cache_rows_total\{source="(\w+)"\} (\S+)$/gm)) {
      if (m[1]! in rows) rows[m[1] as keyof CacheRows] = Number(m[2]);
    }
    return rows;
  } catch {
    return undefined;
  }
}

function printCacheRows(before: CacheRows | undefined, after: CacheRows | undefined): void {
  if (before === undefined || after === undefined) return;
  const d = (k: keyof CacheRows) => after[k] - before[k];
  const total = d('fed_back') + d('gathered') + d('zero');
  if (total === 0) return;
  const pct = (k: keyof CacheRows) => `${((100 * d(k)) / total).toFixed(1)}%`;
  console.log(
    `        encoder caches of ${total} stream steps: fed back ${pct('fed_back')}, gathered ${pct('gathered')}, zero ${pct('zero')}`,
  );
}

async function startInProcess(options: LoadOptions): Promise<BenchServer> {
  const embedded = path.join(packageRoot(), 'models', 'embedded', 'digits-fastconformer');
  const model =
    options.model ??
    (existsSync(embedded)
      ? embedded
      : path.join(packageRoot(), 'test', 'fixtures', 'zoo', 'nemo-streaming-hybrid'));
  return startBenchServer({
    model,
    threads: options.threads,
    workers: options.workers,
    maxBatch: options.maxBatch,
    maxWaitMs: options.maxWaitMs,
    limits: { idleTimeoutMs: 30_000, maxConnections: 100_000, maxUploadBytes: 1024 * 1024 },
  });
}

export async function run(overrides: Partial<LoadOptions> = {}): Promise<LoadResult> {
  const options = { ...defaultLoadOptions, ...overrides };
  const clip = await loadClip(options.clip, options.seconds);
  const audioSeconds = clip.frames.length * FRAME_SECONDS;
  const server = options.url === undefined ? await startInProcess(options) : undefined;
  const url = options.url ?? server!.url;
  const model = server?.model ?? url;
  const figures: LoadFigure[] = [];
  const began = performance.now();
  const roundSeconds = audioSeconds * options.finishFactorLimit + 5;
  let capped = false;
  console.log(
    `live load: ${model}, ${options.clip} (${audioSeconds.toFixed(1)} s) at real time in 100 ms linear16 frames` +
      `${options.query ? `, query ${options.query}` : ''}` +
      `${server ? `, in-process server (max batch ${options.maxBatch}, wait ${options.maxWaitMs} ms, ${options.workers} engine worker(s) x ${options.threads} thread)` : ''}`,
  );
  printHeader(clip.words !== undefined);
  const tryN = async (n: number): Promise<boolean> => {
    const before = await cacheRows(url);
    const figure = await runRound(url, n, clip, options);
    figures.push(figure);
    printFigure(figure);
    printCacheRows(before, await cacheRows(url));
    // Let the server close the last sessions before the next round.
    if (server) while (server.app.context.connections.size > 0) await sleep(50);
    return figure.sustained;
  };
  const timeLeft = () => (performance.now() - began) / 1000 + roundSeconds <= options.timeCapSeconds;
  let best = 0;
  try {
    if (options.fixedN !== undefined) {
      for (const n of options.fixedN) if ((await tryN(n)) && n > best) best = n;
    } else {
      // Double until a failure (or the caps), then bisect between the last pass and it.
      let fail: number | undefined;
      for (let n = 1; ; n = Math.min(n * 2, options.maxN)) {
        if (!timeLeft()) {
          capped = true;
          break;
        }
        if (!(await tryN(n))) {
          fail = n;
          break;
        }
        best = n;
        if (n >= options.maxN) {
          capped = true;
          break;
        }
      }
      while (fail !== undefined && fail - best > 1) {
        if (!timeLeft()) {
          capped = true;
          break;
        }
        const mid = Math.floor((best + fail) / 2);
        if (await tryN(mid)) best = mid;
        else fail = mid;
      }
    }
  } finally {
    await server?.app.shutdown();
  }
  console.log(
    `  largest N sustained at real time: ${best}${capped ? ' (search stopped by --max-n or the time cap)' : ''}`,
  );
  return { model, audioSeconds, figures, maxSustainedN: best, capped };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      model: { type: 'string' },
      clip: { type: 'string' },
      seconds: { type: 'string' },
      'max-n': { type: 'string' },
      n: { type: 'string', multiple: true },
      'time-cap': { type: 'string' },
      'max-batch': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      query: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const overrides: Partial<LoadOptions> = Object.fromEntries(
    Object.entries({
      url: values.url?.replace(/\/$/, ''),
      token: values.token,
      model: values.model,
      clip: values.clip,
      seconds: num(values.seconds),
      maxN: num(values['max-n']),
      fixedN: values.n?.map(Number),
      timeCapSeconds: num(values['time-cap']),
      maxBatch: num(values['max-batch']),
      maxWaitMs: num(values['max-wait-ms']),
      threads: num(values.threads),
      workers: num(values.workers),
      query: values.query,
    }).filter(([, v]) => v !== undefined),
  );
  await run(overrides);
}
