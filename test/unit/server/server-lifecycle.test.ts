// Server lifecycle: shutdown drains live sessions (their last finals arrive before the
// close), refuses new ones, and releases the engine; TLS serves the same API.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { EngineClient } from '../../../server/engine/engine-client.js';
import { clip16k, haveData, zooDir } from '../asr/helpers/clips.js';
import { connect, startServer, testLimits, toLinear16 } from './helpers/server-harness.js';

describe.runIf(haveData())('server lifecycle', () => {
  it('shutdown delivers the final of a live session, then closes it with 1001', async () => {
    const server = await startServer();
    const samples = await clip16k('clips/jfk.wav');
    const c = connect(`${server.url}/v1/listen?decoder=ctc&interim_results=false`);
    await c.opened;
    const bytes = toLinear16(samples.subarray(0, 6 * 16000));
    for (let at = 0; at < bytes.length; at += 3200) c.socket.send(bytes.subarray(at, at + 3200));
    // Let the audio reach the engine, then stop the server with the session still open.
    await c.waitFor((m) => m.type === 'Metadata');
    await new Promise((r) => setTimeout(r, 300));
    const stopping = server.close();
    expect(await c.closed).toBe(1001);
    await stopping;
    const finals = c.messages.filter((m) => m.type === 'Results' && m.is_final === true);
    expect(finals.length).toBeGreaterThan(0);
    const last = finals.at(-1) as unknown as { channel: { alternatives: { transcript: string }[] } };
    expect(last.channel.alternatives[0]!.transcript.length).toBeGreaterThan(0);
    // After shutdown nothing listens any more.
    await expect(fetch(`${server.http}/health`)).rejects.toThrow();
  });

  it('serves HTTPS and WSS when given a certificate', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'speechstream-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const engine = await EngineClient.start({
        model: `${zooDir}/nemo-streaming-hybrid`,
        provider: 'cpu',
        threads: 1,
        maxBatch: 4,
        maxWaitMs: 5,
      });
      const app = await buildApp({
        engine,
        limits: testLimits,
        auth: { apiKeys: [] },
        corsOrigins: [],
        https: {
          key: readFileSync(path.join(dir, 'key.pem')),
          cert: readFileSync(path.join(dir, 'cert.pem')),
        },
      });
      await app.fastify.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.fastify.server.address() as AddressInfo;
      try {
        const body = await new Promise<string>((resolve, reject) => {
          https
            .get({ host: '127.0.0.1', port, path: '/health', rejectUnauthorized: false }, (res) => {
              let text = '';
              res.on('data', (d) => {
                text += d;
              });
              res.on('end', () => resolve(text));
            })
            .on('error', reject);
        });
        expect(JSON.parse(body)).toMatchObject({ status: 'ok' });
      } finally {
        await app.shutdown();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
