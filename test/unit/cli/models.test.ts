// `speechstream models`: the fixture zoo listed through --models-dir, as JSON and as a
// table with the execution providers; a broken model directory is reported, not fatal.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, zooDir } from './helpers.js';

interface Listed {
  id: string;
  task: string;
  family: string;
  path: string;
  mode: string;
  lookaheads: number[] | null;
  lookaheadsMs: number[] | null;
  decoders: string[];
  featurePreset: string;
}

const fixtures = {
  'nemo-offline-ctc': 'nemo-ctc-offline',
  'nemo-offline-transducer': 'nemo-transducer-offline',
  'nemo-streaming-ctc': 'nemo-ctc-streaming',
  'nemo-streaming-hybrid': 'nemo-hybrid-streaming',
  'nemo-streaming-transducer': 'nemo-transducer-streaming',
  'paraformer-offline': 'paraformer-offline',
  'paraformer-streaming': 'paraformer-streaming',
};

describe('speechstream models', () => {
  it('--json lists the fixture models found through --models-dir', async () => {
    const run = await runCli(['models', '--json', '--models-dir', zooDir]);
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as Listed[];
    const fromZoo = listed.filter((m) => path.dirname(m.path) === zooDir);
    expect(Object.fromEntries(fromZoo.map((m) => [m.id, m.family]))).toEqual(fixtures);
    for (const m of fromZoo) {
      expect(m.task).toBe('asr');
      expect(m.path).toBe(path.join(zooDir, m.id));
      expect(['streaming', 'offline']).toContain(m.mode);
    }
    const hybrid = fromZoo.find((m) => m.id === 'nemo-streaming-hybrid')!;
    expect(hybrid.lookaheads).toEqual([0, 1, 6, 13]);
    expect(hybrid.lookaheadsMs).toEqual([0, 80, 480, 1040]);
    expect(hybrid.decoders).toEqual(['ctc', 'rnnt', 'hybrid']);
    expect(fromZoo.find((m) => m.id === 'paraformer-offline')!.lookaheads).toBeNull();
  });

  it('lists the embedded TTS vocoder as a tts component, not as a broken ASR model', async () => {
    const run = await runCli(['models', '--json']);
    expect(run.code).toBe(0);
    const vocoder = (JSON.parse(run.stdout) as Listed[]).find((m) => m.id === 'tts-vocoder');
    expect(vocoder).toMatchObject({ task: 'tts', family: 'vocos-vocoder', decoders: [] });
    const table = await runCli(['models']);
    expect(table.stderr).not.toContain('tts-vocoder');
  });

  it('the same from SPEECHSTREAM_MODELS_DIR', async () => {
    const run = await runCli(['models', '--json'], { env: { SPEECHSTREAM_MODELS_DIR: zooDir } });
    expect(run.code).toBe(0);
    const ids = (JSON.parse(run.stdout) as Listed[])
      .filter((m) => path.dirname(m.path) === zooDir)
      .map((m) => m.id);
    expect(ids).toEqual(Object.keys(fixtures));
  });

  it('prints a table with the providers, and warns about a directory that is not a model', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'speechstream-models-'));
    try {
      cpSync(path.join(zooDir, 'nemo-streaming-ctc'), path.join(dir, 'ctc'), { recursive: true });
      writeFileSync(path.join(dir, 'ctc', 'tokens.txt'), 'broken\n');
      cpSync(path.join(zooDir, 'paraformer-offline'), path.join(dir, 'para'), { recursive: true });
      const run = await runCli(['models', '--models-dir', dir]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^para {2}\(asr, paraformer-offline, offline\)$/m);
      expect(run.stdout).not.toMatch(/^ctc /m);
      expect(run.stdout).toMatch(/^Execution providers:$/m);
      expect(run.stdout).toMatch(/^ {2}cpu {7}available$/m);
      expect(run.stderr).toMatch(/warning: skipped .*ctc: MODEL_TOKENS_INVALID/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
