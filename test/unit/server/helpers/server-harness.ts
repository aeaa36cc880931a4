// Starts the real server in-process on port 0 around an engine worker on a fixture model.
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { type App, buildApp } from '../../../../server/app.js';
import { EngineClient } from '../../../../server/engine/engine-client.js';
import type { ServerLimits } from '../../../../server/server-context.js';
import { zooDir } from '../../asr/helpers/clips.js';

export const testLimits: ServerLimits = {
  maxFrameBytes: 64 * 1024,
  idleTimeoutMs: 10_000,
  maxSessionSeconds: 3600,
  maxConnections: 16,
  maxSendBufferBytes: 4 * 1024 * 1024,
  maxUploadBytes: 50 * 1024 * 1024,
};

export interface Harness {
  app: App;
  url: string;
  http: string;
  close(): Promise<void>;
}

export async function startServer(
  overrides: Partial<ServerLimits> = {},
  opts: { apiKeys?: string[]; secondPassModel?: string; model?: string } = {},
): Promise<Harness> {
  const engine = await EngineClient.start({
    model: opts.model ?? `${zooDir}/nemo-streaming-hybrid`,
    secondPassModel: opts.secondPassModel,
    provider: 'cpu',
    threads: 1,
    maxBatch: 16,
    maxWaitMs: 10,
  });
  const app = await buildApp({
    engine,
    limits: { ...testLimits, ...overrides },
    auth: { apiKeys: opts.apiKeys ?? [] },
    corsOrigins: [],
  });
  await app.fastify.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.fastify.server.address() as AddressInfo;
  return {
    app,
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    close: () => app.shutdown(),
  };
}

export interface WsMessage {
  type: string;
  [key: string]: unknown;
}

/** A client that records every JSON message and the close code. */
export function connect(url: string, protocols?: string[]) {
  const socket = new WebSocket(url, protocols);
  const messages: WsMessage[] = [];
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) => {
    socket.on('close', (code) => {
      closeCode = code;
      resolve(code);
    });
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.on('open', () => resolve());
    socket.on('error', reject);
    socket.on('unexpected-response', (_req, res) =>
      reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { res })),
    );
  });
  socket.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(data.toString()) as WsMessage);
  });
  return {
    socket,
    messages,
    opened,
    closed,
    get closeCode() {
      return closeCode;
    },
    waitFor(predicate: (m: WsMessage) => boolean, timeoutMs = 20_000): Promise<WsMessage> {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = () => {
          const hit = messages.find(predicate);
          if (hit) return resolve(hit);
          if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting for a message'));
          setTimeout(tick, 10);
        };
        tick();
      });
    },
  };
}

/** Float samples in [-1, 1] as linear16 little-endian bytes. */
export function toLinear16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out.writeInt16LE(Math.round(v < 0 ? v * 32768 : v * 32767), i * 2);
  }
  return out;
}
