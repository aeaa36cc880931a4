// Shared access to the NeMo fixtures written by models/py/zoo/fixtures_nemo.py.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const zooDir = path.resolve(import.meta.dirname, '../../fixtures/zoo');
export const dataDir = path.resolve(import.meta.dirname, '../../../../shared/data');

export interface FixtureFile {
  bytes: number;
  sha256: string;
  inputs?: string[];
  outputs?: string[];
  metadata?: Record<string, string>;
}

export interface NemoManifest {
  name: string;
  mode: 'streaming' | 'offline';
  head: 'ctc' | 'rnnt' | 'hybrid';
  vocabSize: number;
  blankId: number;
  tokenCount: number;
  lookaheads: number[];
  defaultLookahead: number | null;
  files: Record<string, FixtureFile>;
  reference: { entries: { kind: string; file: string; lookahead?: number }[] };
}

export const nemoFixtures = [
  'nemo-streaming-ctc',
  'nemo-streaming-transducer',
  'nemo-streaming-hybrid',
  'nemo-offline-ctc',
  'nemo-offline-transducer',
] as const;

export function fixtureDir(name: string): string {
  return path.join(zooDir, name);
}

export function readManifest(name: string): NemoManifest {
  return JSON.parse(readFileSync(path.join(fixtureDir(name), 'manifest.json'), 'utf8')) as NemoManifest;
}

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** tokens.txt as sherpa reads it: `<symbol> <id>` per line. */
export function readTokens(name: string): { symbol: string; id: number }[] {
  const text = readFileSync(path.join(fixtureDir(name), 'tokens.txt'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [symbol, id] = line.split(' ');
      return { symbol: symbol ?? '', id: Number(id) };
    });
}
