/**
 * Isolation: does a hostile client slow down everybody else? Victim clients stream real
 * speech to /v1/listen at real time in 100 ms linear16 frames (interim results on) while
 * one hostile neighbour misbehaves; the victims' partial latency (the send time of the
 * frame holding a partial's audio end -> the partial's arrival, as in load.ts) is reported
 * as p50/p95 for each neighbour, all in the same run, next to the baseline without one.
 *
 * Neighbours (each runs in its own child process, so its own CPU is not on the server's
 * event loop; the server and the victims share this process, as in load.ts):
 *   none          baseline
 *   control-flood a session sending invalid JSON control messages nonstop (and reading)
 *   big-json      a session sending ~1 MB JSON text frames nonstop
 *   audio-flood   a session sending audio as fast as TCP takes it (backpressure)
 *   slow-reader   Realtime sessions that never read and ask for 10 kB answers (cut off, repeat)
 *   conn-churn    connections opened and dropped without a close frame, 4 at a time
 *   odd-rate      sessions at 16001 Hz (the largest resampler filter accepted), opened
 *                 and closed in a loop
 *   tts-load      speech requests (POST /v1/audio/speech, pcm, read to the end), 4 at a time
 *                 nonstop: the TTS worker competes with the ASR worker for the same cores
 *                 (the server loads --tts-model, default the embedded tts-ardit)
 *
 * Run: nice -n 19 npx tsx test/bench/isolation.ts [--victims 2] [--seconds 8]
 *        [--neighbours none,control-flood,...] [--model DIR] [--tts-model DIR]
 * Suite name for `npm run bench`: isolation (run() takes the same options).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { packageRoot } from '../../common/package-info.js';
import { decodeAudio, float32ToInt16 } from '../../streaming/audio/index.js';
import { startBenchServer } from './bench-server.js';

const RATE = 16000;
const FRAME_SECONDS = 0.1;
const FRAME_BYTES = FRAME_SECONDS * RATE * 2;
const dataDir = path.resolve(packageRoot(), '../shared/data');

export const neighbours = [
  'none',
  'control-flood',
  'big-json',
  'audio-flood',
  'slow-reader',
  'conn-churn',
  'odd-rate',
  'tts-load',
] as const;
export type Neighbour = (typeof neighbours)[number];

export interface IsolationOptions {
  readonly victims: number;
  /** Seconds of the clip each victim streams per neighbour. */
  readonly seconds: number;
  readonly neighbours: readonly Neighbour[];
  readonly model?: string;
  /** TTS model for the tts-load neighbour (default the embedded tts-ardit). */
  readonly ttsModel?: string;
  readonly clip: string;
}

export const defaultIsolationOptions: IsolationOptions = {
  victims: 2,
  seconds: 8,
  neighbours,
  clip: 'clips/jfk.wav',
};

export interface IsolationFigure {
  readonly neighbour: Neighbour;
  readonly partials: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** Victim sessions that did not end with their final and a 1000 close. */
  readonly victimFailures: number;
  /** What the neighbour saw (its own summary). */
  readonly neighbourOutcome: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function loadFrames(file: string, seconds: number): Promise<Buffer[]> {
  const parts: Float32Array[] = [];
  for await (const chunk of decodeAudio(path.isAbsolute(file) ? file : path.join(dataDir, file), {
    sampleRate: RATE,
  }))
    parts.push(chunk);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const pcm = float32ToInt16(all.subarray(0, Math.round(seconds * RATE)));
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const frames: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += FRAME_BYTES) frames.push(bytes.subarray(i, i + FRAME_BYTES));
  return frames;
}

// --- the victims ----------------------------------------------------------------------------

/** One victim: streams at real time from `startAt`, CloseStream, resolves at the close. */
async function victim(
  ws: string,
  frames: readonly Buffer[],
  startAt: number,
): Promise<{ latencies: number[]; ok: boolean }> {
  const socket = new WebSocket(`${ws}/v1/listen?encoding=linear16&sample_rate=${RATE}&interim_results=true`);
  const latencies: number[] = [];
  const sentAt: number[] = [];
  let reached = 0;
  let finals = 0;
  let failed = false;
  socket.on('error', () => {
    failed = true;
  });
  socket.on('message', (data) => {
    const now = performance.now();
    const m = JSON.parse(data.toString()) as {
      type: string;
      is_final?: boolean;
      start?: number;
      duration?: number;
      channel?: { alternatives: { transcript: string }[] };
    };
    if (m.type === 'Error') failed = true;
    if (m.type !== 'Results') return;
    if (m.is_final) {
      finals++;
      return;
    }
    const end = m.start! + m.duration!;
    if (m.channel!.alternatives[0]!.transcript === '' || end <= reached) return;
    reached = end;
    const frame = Math.max(0, Math.ceil(end / FRAME_SECONDS - 1e-9) - 1);
    const sent = sentAt[Math.min(frame, sentAt.length - 1)];
    if (sent !== undefined) latencies.push(now - sent);
  });
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve) => socket.once('open', () => resolve()));
  for (const [k, frame] of frames.entries()) {
    await sleep(startAt + k * FRAME_SECONDS * 1000 - performance.now());
    if (socket.readyState !== WebSocket.OPEN) break;
    sentAt.push(performance.now());
    socket.send(frame);
  }
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'CloseStream' }));
  const code = await closed;
  return { latencies, ok: !failed && code === 1000 && finals > 0 };
}

// --- the neighbours (child processes) ----------------------------------------------------------

/** Runs one neighbour until SIGTERM; prints its summary as the last stdout line. */
async function runNeighbour(kind: Neighbour, ws: string): Promise<void> {
  const counts: Record<string, number> = {};
  const count = (what: string) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  let stopping = false;
  process.once('SIGTERM', () => {
    stopping = true;
    process.stdout.write(`${JSON.stringify(counts)}\n`);
    process.exit(0);
  });
  const connectOnce = (query = '', route = '/v1/listen') =>
    new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`${ws}${route}${query}`);
      s.on('error', () => {});
      s.once('open', () => resolve(s));
      s.once('unexpected-response', (_q, res) => {
        count(`http ${res.statusCode}`);
        reject(new Error(String(res.statusCode)));
      });
      s.on('close', (code) => count(`close ${code}`));
      s.on('message', (data, isBinary) => {
        const text = isBinary ? '' : data.toString();
        if (text.includes('"type":"Error"') || text.includes('"type":"error"')) count('error messages');
      });
    });
  let sends = 0;
  /**
   * Sends and waits until ws has handed the frame to the socket (TCP backpressure); yields
   * to the event loop now and then so that SIGTERM is seen.
   */
  const send = async (s: WebSocket, data: string | Buffer) => {
    await new Promise<void>((resolve) => s.send(data, () => resolve()));
    if (++sends % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  };

  switch (kind) {
    case 'none':
      await new Promise(() => {});
      break;
    case 'control-flood': {
      const s = await connectOnce();
      const junk = ['{not json', '{"type":"Dance"}', '{"type":"Configure","endpointing":-5}', 'null'];
      for (let i = 0; !stopping && s.readyState === WebSocket.OPEN; i++) {
        await send(s, junk[i % junk.length]!);
        count('sent');
      }
      break;
    }
    case 'big-json': {
      const s = await connectOnce();
      const big = JSON.stringify({ type: 'Configure', keyterm: new Array(250_000).fill('x') });
      while (!stopping && s.readyState === WebSocket.OPEN) {
        await send(s, big);
        count('sent');
      }
      break;
    }
    case 'audio-flood': {
      const s = await connectOnce();
      const frame = Buffer.alloc(64 * 1024);
      for (let i = 0; i < frame.length; i += 2) frame.writeInt16LE(Math.round(3000 * Math.sin(i / 7)), i);
      while (!stopping && s.readyState === WebSocket.OPEN) {
        await send(s, frame);
        count('sent');
      }
      break;
    }
    case 'slow-reader': {
      // Realtime echoes each update whole: 10 kB in, 10 kB out that is never read.
      const update = JSON.stringify({
        type: 'session.update',
        session: {
          type: 'transcription',
          audio: { input: { transcription: { prompt: 'x'.repeat(10_000) } } },
        },
      });
      while (!stopping) {
        const s = await connectOnce('?intent=transcription', '/v1/realtime').catch(() => undefined);
        if (s === undefined) {
          await sleep(100);
          continue;
        }
        (s as unknown as { _socket: { pause(): void } })._socket.pause();
        while (!stopping && s.readyState === WebSocket.OPEN) {
          await send(s, update);
          count('sent');
        }
        s.terminate();
      }
      break;
    }
    case 'conn-churn': {
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          while (!stopping) {
            const s = await connectOnce().catch(() => undefined);
            count('connections');
            s?.terminate();
          }
        }),
      );
      break;
    }
    case 'tts-load': {
      const http = ws.replace(/^ws/, 'http');
      const body = JSON.stringify({
        input: 'The meeting moved to half past three on Friday, so please call me back before noon.',
        response_format: 'pcm',
      });
      await Promise.all(
        [0, 1, 2, 3].map(async () => {
          while (!stopping) {
            const res = await fetch(`${http}/v1/audio/speech`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            }).catch(() => undefined);
            if (res === undefined) {
              count('fetch failed');
              await sleep(100);
              continue;
            }
            await res.arrayBuffer().catch(() => undefined);
            count(`http ${res.status}`);
          }
        }),
      );
      break;
    }
    case 'odd-rate': {
      while (!stopping) {
        const s = await connectOnce('?sample_rate=16001').catch(() => undefined);
        count('connections');
        if (s !== undefined) {
          await new Promise<void>((resolve) => {
            s.once('message', () => resolve());
            s.once('close', () => resolve());
          });
          s.close();
        }
      }
      break;
    }
  }
}

function startNeighbour(
  kind: Neighbour,
  ws: string,
): { child: ChildProcess; summary: () => Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--neighbour', kind, '--url', ws],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    summary: async () => {
      child.kill('SIGTERM');
      await exited;
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        const counts = JSON.parse(last) as Record<string, number>;
        return Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
      } catch {
        return last || '-';
      }
    },
  };
}

// --- the run -----------------------------------------------------------------------------------

const ms = (v: number) => (Number.isNaN(v) ? '-' : String(Math.round(v)));

export async function run(overrides: Partial<IsolationOptions> = {}): Promise<IsolationFigure[]> {
  const options = { ...defaultIsolationOptions, ...overrides };
  const model = options.model ?? path.join(packageRoot(), 'test', 'fixtures', 'zoo', 'nemo-streaming-hybrid');
  const frames = await loadFrames(options.clip, options.seconds);
  const ttsModel = options.ttsModel ?? path.join(packageRoot(), 'models', 'embedded', 'tts-ardit');
  const { app } = await startBenchServer({
    model,
    limits: { maxSendBufferBytes: 1024 * 1024 },
    ttsModels: options.neighbours.includes('tts-load') ? [ttsModel] : [],
  });
  const { port } = app.fastify.server.address() as { port: number };
  const ws = `ws://127.0.0.1:${port}`;
  const figures: IsolationFigure[] = [];
  console.log(
    `isolation: ${options.victims} victim(s) streaming ${(frames.length * FRAME_SECONDS).toFixed(1)} s of ${options.clip}` +
      ` at real time (${path.basename(model)}, in-process server); victim partial latency per neighbour:`,
  );
  console.log(
    `${'neighbour'.padEnd(14)}${'partials'.padStart(9)}${'p50 ms'.padStart(8)}${'p95 ms'.padStart(8)}${'victims ok'.padStart(11)}  neighbour saw`,
  );
  try {
    for (const kind of options.neighbours) {
      const neighbour = kind === 'none' ? undefined : startNeighbour(kind, ws);
      // Let the neighbour get going before the victims start.
      await sleep(neighbour ? 1000 : 0);
      const t0 = performance.now() + 50;
      const runs = await Promise.all(
        Array.from({ length: options.victims }, (_, i) =>
          victim(ws, frames, t0 + (i / options.victims) * FRAME_SECONDS * 1000),
        ),
      );
      const outcome = neighbour ? await neighbour.summary() : '-';
      const latencies = runs.flatMap((r) => r.latencies);
      const figure: IsolationFigure = {
        neighbour: kind,
        partials: latencies.length,
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        victimFailures: runs.filter((r) => !r.ok).length,
        neighbourOutcome: outcome,
      };
      figures.push(figure);
      console.log(
        `${kind.padEnd(14)}${String(figure.partials).padStart(9)}${ms(figure.p50Ms).padStart(8)}${ms(figure.p95Ms).padStart(8)}` +
          `${`${options.victims - figure.victimFailures}/${options.victims}`.padStart(11)}  ${outcome}`,
      );
      // Let the server free what the neighbour left before the next one.
      const until = performance.now() + 10_000;
      while (app.context.connections.size > 0 && performance.now() < until) await sleep(50);
    }
  } finally {
    await app.shutdown();
  }
  const base = figures.find((f) => f.neighbour === 'none');
  if (base !== undefined) {
    for (const f of figures) {
      if (f === base) continue;
      console.log(`  ${f.neighbour}: victim p95 x${(f.p95Ms / base.p95Ms).toFixed(2)} of the baseline`);
    }
  }
  return figures;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      neighbour: { type: 'string' },
      url: { type: 'string' },
      victims: { type: 'string' },
      seconds: { type: 'string' },
      neighbours: { type: 'string' },
      model: { type: 'string' },
      'tts-model': { type: 'string' },
      clip: { type: 'string' },
    },
  });
  if (values.neighbour !== undefined) {
    await runNeighbour(values.neighbour as Neighbour, values.url!);
  } else {
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const overrides: Partial<IsolationOptions> = Object.fromEntries(
      Object.entries({
        victims: num(values.victims),
        seconds: num(values.seconds),
        neighbours: values.neighbours?.split(',') as Neighbour[] | undefined,
        model: values.model,
        ttsModel: values['tts-model'],
        clip: values.clip,
      }).filter(([, v]) => v !== undefined),
    );
    await run(overrides);
  }
}
