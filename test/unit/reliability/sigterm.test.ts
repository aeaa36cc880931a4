// SIGTERM while clients stream, against the real CLI in a child process (`speechstream
// serve`, run from source through tsx so no build step is needed): live sessions get
// their last finals, then close with 1001; an upload in flight is finished or refused with
// a coded error; new connections are refused; the process exits 0 and leaves no ffmpeg
// (nor any other child) behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clip16k, dataDir, haveData, zooDir } from '../asr/helpers/clips.js';
import { connect, toLinear16, type WsMessage } from '../server/helpers/server-harness.js';
import { sleep } from './helpers.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Processes whose environment carries `marker` (the server and everything it started). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

/** Starts `speechstream serve` on port 0; resolves with its URL once it listens. */
function serve(marker: string): Promise<{ child: ChildProcess; http: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/cli.ts',
      'serve',
      '--model',
      path.join(zooDir, 'nemo-streaming-hybrid'),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'info',
    ],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SPEECHSTREAM_TEST_MARKER: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  const output = () => text;
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      text += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(text);
      if (m) resolve({ child, http: m[1]!, output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${text}`)));
    setTimeout(() => reject(new Error(`serve did not start:\n${text}`)), 45_000);
  });
}

/** Waits until /health says the server is shutting down (or no longer answers). */
async function waitForShutdown(http: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const status = await fetch(`${http}/health`).then(
      async (res) => ((await res.json()) as { status: string }).status,
      () => 'gone',
    );
    if (status !== 'ok') return;
    await sleep(10);
  }
  throw new Error('the server never started shutting down');
}

const finals = (messages: WsMessage[]) => messages.filter((m) => m.type === 'Results' && m.is_final === true);

describe.runIf(haveData())('SIGTERM under load (the real CLI)', () => {
  it('delivers the finals, refuses new work, exits 0 and leaves no child process', async () => {
    const marker = `speechstream-sigterm-${randomUUID()}`;
    const { child, http, output } = await serve(`${marker}`);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ws = http.replace(/^http/, 'ws');
    try {
      const speech = (await clip16k('clips/jfk.wav')).subarray(0, 8 * 16000);
      const bytes = toLinear16(speech);
      const clients = [0, 1, 2].map(() => connect(`${ws}/v1/listen?decoder=ctc&interim_results=true`));
      await Promise.all(clients.map((c) => c.opened));
      // An mp3 upload (ffmpeg running) whose body is still arriving when SIGTERM comes.
      const mp3 = readFileSync(path.join(dataDir, 'clips/vad-speech.mp3'));
      const boundary = 'sigterm-boundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n`,
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const url = new URL(http);
      const upload = new Promise<{ status: number; body: string }>((resolve) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/v1/audio/transcriptions',
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': String(head.length + mp3.length + tail.length),
          },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', (err) => resolve({ status: 0, body: err.message }));
        void (async () => {
          req.write(head);
          for (let at = 0; at < mp3.length; at += 16 * 1024) {
            if (req.destroyed) return;
            req.write(mp3.subarray(at, at + 16 * 1024));
            await sleep(150);
          }
          req.end(tail);
        })();
      });
      // Stream about 3 s of speech at real time x 2 on each client, then signal.
      for (let at = 0; at < bytes.length / 2.6; at += 3200) {
        for (const c of clients) c.socket.send(bytes.subarray(at, at + 3200));
        await sleep(50);
      }
      await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'Results')));
      child.kill('SIGTERM');
      // Draining: a new session is refused with a coded 503 (or, once the listener is
      // closed, not connected at all); it is never admitted.
      await waitForShutdown(http);
      const late = connect(`${ws}/v1/listen`);
      const refused = (await late.opened.then(
        () => 'admitted',
        (err: { res?: { statusCode: number } }) => err.res?.statusCode ?? 'refused',
      )) as number | string;
      expect([503, 'refused']).toContain(refused);
      const codes = await Promise.all(clients.map((c) => c.closed));
      expect(codes).toEqual([1001, 1001, 1001]);
      for (const c of clients) {
        expect(c.messages.filter((m) => m.type === 'Error')).toEqual([]);
        const last = finals(c.messages).at(-1) as unknown as {
          channel: { alternatives: { transcript: string }[] };
        };
        expect(last, 'a final before the close').toBeDefined();
        expect(last.channel.alternatives[0]!.transcript.length).toBeGreaterThan(0);
        // The closing Metadata summary comes after the last final.
        expect(c.messages.at(-1)).toMatchObject({ type: 'Metadata' });
      }
      const answer = await upload;
      // The upload either finished within the drain time or was refused with a coded error.
      expect([200, 503], answer.body).toContain(answer.status);
      if (answer.status === 503) expect(JSON.parse(answer.body).error.code).toBe('SERVER_SHUTTING_DOWN');
      expect(await exited).toBe(0);
      expect(output()).toContain('SIGTERM: draining live sessions and stopping');
      for (let i = 0; i < 100 && processesWith(marker).length > 0; i++) await sleep(20);
      expect(processesWith(marker)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
