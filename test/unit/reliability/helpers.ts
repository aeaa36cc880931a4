// Shared by the reliability tests: refused handshakes with their bodies, waiting for the
// server to free a session, health checks, and raw multipart bodies.
import WebSocket from 'ws';
import type { Harness } from '../server/helpers/server-harness.js';

export interface Refusal {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: { error?: { code?: string; message?: string } };
}

/** A WebSocket handshake the server must refuse: its HTTP status, headers and JSON body. */
export function refusal(url: string, protocols?: string[]): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    socket.on('open', () => {
      socket.close();
      reject(new Error(`${url} was accepted`));
    });
    socket.on('error', () => {});
    socket.on('unexpected-response', (request, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => {
        request.destroy();
        let body: Refusal['body'] = {};
        try {
          body = JSON.parse(text) as Refusal['body'];
        } catch {
          // not JSON: the assertion on the code reports it
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
  });
}

export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 20_000,
  what = 'a condition',
): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** No live connection and no engine session left. */
export function waitForNoSessions(server: Harness, timeoutMs = 20_000): Promise<void> {
  const { context } = server.app;
  return waitUntil(
    () => context.connections.size === 0 && context.engine.sessionCount === 0,
    timeoutMs,
    `sessions to be freed (connections ${context.connections.size}, engine ${context.engine.sessionCount})`,
  );
}

/** GET /health answers 200 with status ok. */
export async function expectHealthy(server: Harness): Promise<void> {
  const res = await fetch(`${server.http}/health`);
  if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
  const body = (await res.json()) as { status: string };
  if (body.status !== 'ok') throw new Error(`/health says ${body.status}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A multipart/form-data body from raw parts (anything may be malformed on purpose). */
export function multipartBody(
  boundary: string,
  parts: readonly { headers: string; body: Uint8Array | string }[],
  close = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers}\r\n\r\n`));
    chunks.push(Buffer.from(p.body));
    chunks.push(Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** A 16-bit mono WAV of `samples` (for uploads). */
export function wav16(samples: Float32Array, rate = 16000): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    data.writeInt16LE(Math.round(v * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
