// The demo's text-to-speech panel end to end: the real server in-process on port 0 (API
// keys on, the random-weight ARDiT fixture as its speech model), headless Chromium filling
// the voice list from GET /v1/audio/voices, POSTing /v1/audio/speech for pcm, and playing
// the body through Web Audio as it arrives; Stop aborts the request mid-stream.
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { type RunningServer, startServer } from '../../server/main.js';
import { zooDir } from '../unit/asr/helpers/clips.js';
import { ardit, referenceSpeech } from '../unit/cli/speak-helpers.js';

const API_KEY = 'tts-panel-test-key';
const TEXT = 'Hello world. This is a test.';
/** Far more audio than the test waits for: Stop lands mid-stream. */
const LONG_TEXT = Array.from(
  { length: 60 },
  (_, i) => `This is sentence number ${i + 1} of a long text.`,
).join(' ');

interface Panel {
  state: string;
  status: string;
  model: string;
  firstAudio: string;
  firstAudioMs: number;
  samples: number;
  buffers: number;
  seconds: string;
  played: string;
  voices: { value: string; label: string; selected: boolean }[];
}

function readPanel(page: Page): Promise<Panel> {
  return page.evaluate(() => {
    const root = document.getElementById('speak')!;
    const text = (id: string) => document.getElementById(id)?.textContent ?? '';
    return {
      state: root.dataset.state ?? '',
      status: text('speak-status'),
      model: text('speak-model'),
      firstAudio: text('speak-first-audio'),
      firstAudioMs: Number(root.dataset.firstAudioMs ?? Number.NaN),
      samples: Number(text('speak-samples')),
      buffers: Number(text('speak-buffers')),
      seconds: text('speak-seconds'),
      played: text('speak-played'),
      voices: [...root.querySelectorAll<HTMLOptionElement>('select[name=voice] option')].map((o) => ({
        value: o.value,
        label: o.textContent ?? '',
        selected: o.selected,
      })),
    };
  });
}

async function ttsRequests(server: RunningServer, outcome: string): Promise<number> {
  const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${API_KEY}` } });
  const line = (await metrics.text())
    .split('\n')
    .find((l) => l.startsWith(`speechstream_tts_requests_total{outcome="${outcome}"}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('browser demo: text-to-speech panel', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const model = path.join(zooDir, 'nemo-streaming-hybrid');
    const config = loadConfig(
      { asrModel: model, ttsModel: ardit, port: 0, apiKeys: [API_KEY], logLevel: 'silent' },
      {},
    );
    server = await startServer(config, { model, ttsModels: [ardit] });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openPanel(): Promise<Page> {
    const page = await browser!.newPage();
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (m) => {
      // A refused request is logged by Chromium itself; the panel's own handling is checked.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        pageErrors.push(`console: ${m.text()}`);
      }
    });
    await page.goto(`${server!.url}/?token=${API_KEY}`);
    await page.waitForFunction(() =>
      document.getElementById('speak-status')?.textContent?.startsWith('Ready'),
    );
    return page;
  }

  it('fills the voices, speaks, and plays every sample the server sent, back to back', async () => {
    const page = await openPanel();
    const ready = await readPanel(page);
    expect(ready.voices).toEqual([
      { value: JSON.stringify({ model: 'ardit-tiny', voice: 'default' }), label: 'default', selected: true },
    ]);
    await page.fill('#speak textarea[name=input]', TEXT);
    await page.click('#speak-start');
    await page.waitForFunction(
      () => (document.getElementById('speak-status')?.textContent ?? '').startsWith('Done'),
      null,
      { timeout: 30_000 },
    );
    const out = await readPanel(page);
    expect(out.state).toBe('idle');
    // The request's defaults (seed 0, speed 1) give exactly the in-process synthesis.
    const reference = await referenceSpeech(ardit, TEXT);
    expect(out.samples).toBe(reference.length);
    expect(out.seconds).toBe(`${(reference.length / 16000).toFixed(2)} s`);
    expect(out.status).toBe(`Done: ${out.seconds} of audio.`);
    expect(out.buffers).toBeGreaterThan(1);
    // Everything scheduled has played (each buffer's 'ended' counted).
    expect(out.played).toBe(out.seconds);
    expect(out.firstAudioMs).toBeGreaterThan(0);
    expect(out.firstAudio).toBe(`${out.firstAudioMs} ms`);
    expect(out.model).toBe('ardit-tiny, voice default (cpu, 16000 Hz)');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('Stop aborts the request mid-stream and the server cancels the synthesis', async () => {
    const cancelledBefore = await ttsRequests(server!, 'cancelled');
    const page = await openPanel();
    await page.fill('#speak textarea[name=input]', LONG_TEXT);
    await page.click('#speak-start');
    await page.waitForFunction(
      () => Number(document.getElementById('speak-samples')?.textContent) > 0,
      null,
      {
        timeout: 30_000,
      },
    );
    await page.click('#speak-stop');
    await page.waitForSelector('#speak[data-state=idle]', { timeout: 10_000 });
    const stopped = await readPanel(page);
    expect(stopped.status).toBe('Stopped.');
    expect(stopped.samples).toBeGreaterThan(0);
    // Nothing arrives after Stop.
    await page.waitForTimeout(500);
    expect((await readPanel(page)).samples).toBe(stopped.samples);
    // The server saw the client go and stopped generating.
    const deadline = Date.now() + 10_000;
    while ((await ttsRequests(server!, 'cancelled')) <= cancelledBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await ttsRequests(server!, 'cancelled')).toBe(cancelledBefore + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows the server's coded error for a refused request", async () => {
    const page = await openPanel();
    await page.fill('#speak textarea[name=input]', '   ');
    await page.click('#speak-start');
    await page.waitForFunction(() =>
      (document.getElementById('speak-status')?.textContent ?? '').startsWith('Could not speak'),
    );
    const out = await readPanel(page);
    expect(out.status).toMatch(/^Could not speak: TTS_INPUT_INVALID: /);
    expect(out.state).toBe('idle');
    expect(out.samples).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
