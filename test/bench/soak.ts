/**
 * Soak: thousands of short sessions against one server, to find what grows. C clients
 * (loopback only) each loop connect -> stream 0.4-1.6 s of speech -> disconnect, ending
 * each session in one of these ways (seeded, so runs are comparable):
 *   35% CloseStream (wait for the last final and the 1000 close)
 *   20% Finalize mid-stream, more audio, then CloseStream
 *   20% vanish mid-stream (TCP destroyed, no close frame)
 *   10% plain WebSocket close without CloseStream
 *   10% OpenAI Realtime: appends, commit, wait for the item, close
 *    5% POST /v1/audio/transcriptions of a short WAV
 * and, with a TTS model (--tts-model DIR, default the random-weight ARDiT fixture; 'none' to
 * leave TTS out), POST /v1/audio/speech: 8% read to the end (pcm), 4% dropped after the
 * first audio (socket destroyed mid-synthesis). The shares above then shrink to fit.
 * Every second it samples RSS, heap, event-loop delay (perf_hooks.monitorEventLoopDelay,
 * p99 and max of that second), live sessions and engine sessions; it prints a row every
 * --print-every seconds and, at the end, the verdict.
 *
 * Verdict. RSS over the second half of the run (after warm-up) is fitted by least squares;
 * the trend growth over that half (slope x its duration) must stay under
 * max(8 MB, 256 B x the cycles run in that half): flat for a short run means "no more than
 * GC noise", for a long one "under 256 bytes kept per session". Also required: every
 * session freed at the end (0 live, 0 engine sessions), and no unexpected errors.
 *
 * Bounded: stops at --seconds or --cycles, whichever comes first.
 * Run: nice -n 19 npx tsx test/bench/soak.ts [--seconds 60] [--cycles 5000] [--clients 8]
 *        [--print-every 5] [--model DIR] [--tts-model DIR|none] [--seed N]
 * Suite name for `npm run bench`: soak (run() takes the same options).
 */
import { request } from 'node:http';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { packageRoot } from '../../common/package-info.js';
import { decodeAudio, float32ToInt16 } from '../../streaming/audio/index.js';
import { startBenchServer } from './bench-server.js';

const RATE = 16000;
const dataDir = path.resolve(packageRoot(), '../shared/data');

export interface SoakOptions {
  readonly seconds: number;
  readonly cycles: number;
  readonly clients: number;
  readonly printEvery: number;
  readonly model?: string;
  /** TTS model directory, or 'none'. */
  readonly ttsModel?: string;
  readonly clip: string;
  readonly seed: number;
}

export const defaultSoakOptions: SoakOptions = {
  seconds: 60,
  cycles: 5000,
  clients: 8,
  printEvery: 5,
  clip: 'clips/jfk.wav',
  seed: 1,
};

export interface SoakSample {
  readonly t: number;
  readonly cycles: number;
  readonly live: number;
  readonly engine: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly errors: number;
}

export interface SoakResult {
  readonly samples: SoakSample[];
  readonly cycles: number;
  readonly byKind: Record<string, number>;
  readonly errors: Record<string, number>;
  /** Least-squares RSS slope over the second half (MB per minute). */
  readonly rssSlopeMbPerMin: number;
  /** Trend growth over the second half (MB) and the allowance it is held to. */
  readonly rssGrowthMb: number;
  readonly allowedGrowthMb: number;
  readonly leftOpen: { live: number; engine: number; speeches: number };
  readonly flat: boolean;
  readonly pass: boolean;
}

type Kind =
  | 'close-stream'
  | 'finalize'
  | 'vanish'
  | 'ws-close'
  | 'realtime'
  | 'upload'
  | 'speech'
  | 'speech-drop';

const ASR_KINDS: readonly [Kind, number][] = [
  ['close-stream', 0.35],
  ['finalize', 0.2],
  ['vanish', 0.2],
  ['ws-close', 0.1],
  ['realtime', 0.1],
  ['upload', 0.05],
];

const TTS_KINDS: readonly [Kind, number][] = [
  ['speech', 0.08],
  ['speech-drop', 0.04],
];

/** The cycle mix: ASR only, or ASR scaled down to make room for speech requests. */
function kindsFor(withTts: boolean): readonly [Kind, number][] {
  if (!withTts) return ASR_KINDS;
  const ttsShare = TTS_KINDS.reduce((n, [, s]) => n + s, 0);
  return [...ASR_KINDS.map(([k, s]) => [k, s * (1 - ttsShare)] as [Kind, number]), ...TTS_KINDS];
}

const SPEECH_TEXTS = [
  'Good morning.',
  'The meeting moved to 3:30 pm on Friday.',
  'Please call me back, I will be at the office until six.',
];

/** POST /v1/audio/speech (pcm): read to the end, or destroy the socket after the first audio. */
function speechCycle(http: string, text: string, drop: boolean): Promise<void> {
  const body = JSON.stringify({ input: text, response_format: 'pcm' });
  const url = new URL(http);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/audio/speech',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new CycleError(`HTTP ${res.statusCode}`));
          return;
        }
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (drop) {
            req.destroy();
            resolve();
          }
        });
        res.on('end', () =>
          bytes > 0 && bytes % 2 === 0 ? resolve() : reject(new CycleError(`${bytes} bytes`)),
        );
        res.on('error', (err) => (drop ? resolve() : reject(new CycleError(err.message))));
      },
    );
    req.on('error', (err) => (drop ? resolve() : reject(new CycleError(err.message))));
    req.end(body);
  });
}

/** xorshift32: seeded and dependency-free. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function loadSpeech(file: string): Promise<Buffer> {
  const parts: Float32Array[] = [];
  for await (const chunk of decodeAudio(path.isAbsolute(file) ? file : path.join(dataDir, file), {
    sampleRate: RATE,
  }))
    parts.push(chunk);
  const samples = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p, at);
    at += p.length;
  }
  const pcm = float32ToInt16(samples);
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

function wavOf(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}

class CycleError extends Error {}

/** Opens a WebSocket; resolves once the server sent its first message (the session is live). */
function open(url: string): Promise<{ socket: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('error', () => {});
  return new Promise((resolve, reject) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      messages.push(JSON.parse(data.toString()));
      if (messages.length === 1) resolve({ socket, messages, closed });
    });
    socket.once('unexpected-response', (_req, res) => reject(new CycleError(`HTTP ${res.statusCode}`)));
    void closed.then((code) => reject(new CycleError(`closed ${code} before the first message`)));
  });
}

/** The first message matching `predicate`, or the close. */
async function until(
  conn: { messages: unknown[]; closed: Promise<number> },
  predicate: (m: Record<string, unknown>) => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const started = Date.now();
  let done = false;
  void conn.closed.then(() => {
    done = true;
  });
  while (!done && !conn.messages.some((m) => predicate(m as Record<string, unknown>))) {
    if (Date.now() - started > timeoutMs) throw new CycleError('timed out waiting for the server');
    await sleep(5);
  }
}

function hasError(messages: unknown[]): string | undefined {
  for (const m of messages as Record<string, unknown>[]) {
    if (m.type === 'Error') return String(m.code);
    if (m.type === 'error') return String((m.error as { code: string }).code);
  }
  return undefined;
}

async function listenCycle(ws: string, audio: Buffer, kind: Kind, random: () => number): Promise<void> {
  const conn = await open(`${ws}/v1/listen?encoding=linear16&sample_rate=${RATE}&interim_results=true`);
  const { socket } = conn;
  const frames = Math.max(1, Math.floor(audio.length / 3200));
  const cut = kind === 'vanish' || kind === 'finalize' ? 1 + Math.floor(random() * frames) : frames;
  for (let i = 0; i < cut; i++) socket.send(audio.subarray(i * 3200, (i + 1) * 3200));
  if (kind === 'vanish') {
    socket.terminate();
    await conn.closed;
    return;
  }
  if (kind === 'finalize') {
    socket.send(JSON.stringify({ type: 'Finalize' }));
    await until(conn, (m) => m.type === 'Results' && m.from_finalize === true);
    for (let i = cut; i < frames; i++) socket.send(audio.subarray(i * 3200, (i + 1) * 3200));
  }
  if (kind === 'ws-close') {
    socket.close(1000);
    await conn.closed;
    return;
  }
  socket.send(JSON.stringify({ type: 'CloseStream' }));
  const code = await conn.closed;
  const error = hasError(conn.messages);
  if (error !== undefined) throw new CycleError(error);
  if (code !== 1000) throw new CycleError(`close ${code}`);
}

async function realtimeCycle(ws: string, audio: Buffer): Promise<void> {
  // The default Realtime format is pcm16 at 24 kHz; say 16 kHz instead.
  const conn = await open(`${ws}/v1/realtime?intent=transcription`);
  const { socket } = conn;
  socket.send(
    JSON.stringify({
      type: 'session.update',
      session: { type: 'transcription', audio: { input: { format: { type: 'audio/pcm', rate: RATE } } } },
    }),
  );
  for (let at = 0; at < audio.length; at += 6400) {
    socket.send(
      JSON.stringify({
        type: 'input_audio_buffer.append',
        audio: audio.subarray(at, at + 6400).toString('base64'),
      }),
    );
  }
  socket.send(JSON.stringify({ type: 'input_audio_buffer.commit' }));
  await until(conn, (m) => m.type === 'conversation.item.input_audio_transcription.completed');
  socket.close(1000);
  await conn.closed;
  const error = hasError(conn.messages);
  if (error !== undefined) throw new CycleError(error);
}

function uploadCycle(http: string, wav: Buffer): Promise<void> {
  const boundary = 'soak-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n`),
    wav,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const url = new URL(http);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/audio/transcriptions',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new CycleError(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', (err) => reject(new CycleError(err.message)));
    req.end(body);
  });
}

function pickKind(random: () => number, kinds: readonly [Kind, number][]): Kind {
  let r = random();
  for (const [kind, share] of kinds) {
    if (r < share) return kind;
    r -= share;
  }
  return 'close-stream';
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
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

const mb = (bytes: number) => bytes / (1024 * 1024);
const COLUMNS = [6, 8, 6, 7, 8, 8, 9, 9, 7] as const;
const row = (cells: readonly string[]) => cells.map((c, i) => c.padStart(COLUMNS[i] ?? 0)).join('');

export async function run(overrides: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const options = { ...defaultSoakOptions, ...overrides };
  const model = options.model ?? path.join(packageRoot(), 'test', 'fixtures', 'zoo', 'nemo-streaming-hybrid');
  const speech = await loadSpeech(options.clip);
  const ttsModel =
    options.ttsModel === 'none'
      ? undefined
      : (options.ttsModel ?? path.join(packageRoot(), 'test', 'fixtures', 'tts', 'ardit-tiny'));
  const KINDS = kindsFor(ttsModel !== undefined);
  const { app } = await startBenchServer({ model, ttsModels: ttsModel ? [ttsModel] : [] });
  const address = app.fastify.server.address() as { port: number };
  const http = `http://127.0.0.1:${address.port}`;
  const ws = `ws://127.0.0.1:${address.port}`;
  const { context } = app;
  const byKind: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let cycles = 0;
  let errorCount = 0;
  const samples: SoakSample[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const began = performance.now();
  const elapsed = () => (performance.now() - began) / 1000;
  const stop = () => elapsed() >= options.seconds || cycles >= options.cycles;

  console.log(
    `soak: ${path.basename(model)}${ttsModel ? ` + TTS ${path.basename(ttsModel)}` : ''}, ${options.clients} clients, up to ${options.seconds} s / ${options.cycles} cycles` +
      ` (${KINDS.map(([k, s]) => `${Math.round(s * 100)}% ${k}`).join(', ')})`,
  );
  console.log(row(['t s', 'cycles', 'live', 'engine', 'RSS MB', 'heap MB', 'lag p99', 'lag max', 'errors']));
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    const sample: SoakSample = {
      t: Math.round(elapsed()),
      cycles,
      live: context.connections.size,
      engine: context.engine.sessionCount,
      rssMb: mb(memory.rss),
      heapMb: mb(memory.heapUsed),
      lagP99Ms: lag.percentile(99) / 1e6,
      lagMaxMs: lag.max / 1e6,
      errors: errorCount,
    };
    lag.reset();
    samples.push(sample);
    if (samples.length % options.printEvery === 0) {
      console.log(
        row([
          String(sample.t),
          String(sample.cycles),
          String(sample.live),
          String(sample.engine),
          sample.rssMb.toFixed(1),
          sample.heapMb.toFixed(1),
          sample.lagP99Ms.toFixed(1),
          sample.lagMaxMs.toFixed(1),
          String(sample.errors),
        ]),
      );
    }
  }, 1000);

  const client = async (id: number): Promise<void> => {
    const own = prng(options.seed * 7919 + id);
    while (!stop()) {
      const kind = pickKind(own, KINDS);
      const seconds = 0.4 + own() * 1.2;
      const start = Math.floor(own() * Math.max(1, speech.length / 2 - seconds * RATE)) * 2;
      const audio = speech.subarray(start, start + Math.round(seconds * RATE) * 2);
      try {
        if (kind === 'realtime') await realtimeCycle(ws, audio);
        else if (kind === 'upload') await uploadCycle(http, wavOf(audio));
        else if (kind === 'speech' || kind === 'speech-drop')
          await speechCycle(
            http,
            SPEECH_TEXTS[Math.floor(own() * SPEECH_TEXTS.length)]!,
            kind === 'speech-drop',
          );
        else await listenCycle(ws, audio, kind, own);
      } catch (err) {
        const what = err instanceof CycleError ? `${kind}: ${err.message}` : `${kind}: ${String(err)}`;
        errors[what] = (errors[what] ?? 0) + 1;
        errorCount++;
      }
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      cycles++;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  // Vanished clients are noticed by the server on its side: give it a moment to free them.
  const settleBy = performance.now() + 10_000;
  const busy = () =>
    context.connections.size > 0 || context.engine.sessionCount > 0 || context.speeches.size > 0;
  while (busy() && performance.now() < settleBy) await sleep(20);
  clearInterval(sampler);
  lag.disable();
  const leftOpen = {
    live: context.connections.size,
    engine: context.engine.sessionCount,
    speeches: context.speeches.size,
  };
  await app.shutdown();

  const half = samples.slice(Math.floor(samples.length / 2));
  const perSecond = slope(
    half.map((s) => s.t),
    half.map((s) => s.rssMb),
  );
  const halfSeconds = half.length > 1 ? half.at(-1)!.t - half[0]!.t : 0;
  const rssGrowthMb = perSecond * halfSeconds;
  const halfCycles = half.length > 1 ? half.at(-1)!.cycles - half[0]!.cycles : 0;
  const allowedGrowthMb = Math.max(8, (256 * halfCycles) / (1024 * 1024));
  const flat = rssGrowthMb < allowedGrowthMb;
  const pass =
    flat && leftOpen.live === 0 && leftOpen.engine === 0 && leftOpen.speeches === 0 && errorCount === 0;
  const lagP99 = samples.map((s) => s.lagP99Ms).sort((a, b) => a - b);
  console.log(
    `  ${cycles} cycles in ${elapsed().toFixed(0)} s (${Object.entries(byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  console.log(
    `  RSS second half: slope ${(perSecond * 60).toFixed(2)} MB/min, trend growth ${rssGrowthMb.toFixed(1)} MB` +
      ` (allowed ${allowedGrowthMb.toFixed(1)} MB) -> ${flat ? 'flat' : 'GROWING'}`,
  );
  console.log(
    `  event-loop delay p99 per second: median ${lagP99[Math.floor(lagP99.length / 2)]?.toFixed(1) ?? '-'} ms,` +
      ` worst ${lagP99.at(-1)?.toFixed(1) ?? '-'} ms`,
  );
  console.log(
    `  left open at the end: ${leftOpen.live} live, ${leftOpen.engine} engine sessions, ${leftOpen.speeches} speech requests`,
  );
  if (errorCount > 0) console.log(`  errors: ${JSON.stringify(errors)}`);
  console.log(`  verdict: ${pass ? 'PASS' : 'FAIL'}`);
  return {
    samples,
    cycles,
    byKind,
    errors,
    rssSlopeMbPerMin: perSecond * 60,
    rssGrowthMb,
    allowedGrowthMb,
    leftOpen,
    flat,
    pass,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      cycles: { type: 'string' },
      clients: { type: 'string' },
      'print-every': { type: 'string' },
      model: { type: 'string' },
      'tts-model': { type: 'string' },
      clip: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const overrides: Partial<SoakOptions> = Object.fromEntries(
    Object.entries({
      seconds: num(values.seconds),
      cycles: num(values.cycles),
      clients: num(values.clients),
      printEvery: num(values['print-every']),
      model: values.model,
      ttsModel: values['tts-model'],
      clip: values.clip,
      seed: num(values.seed),
    }).filter(([, v]) => v !== undefined),
  );
  const result = await run(overrides);
  process.exitCode = result.pass ? 0 : 1;
}
