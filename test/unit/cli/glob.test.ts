// The small glob matcher behind `transcribe "*.wav"`, on a temporary tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGlob, hasGlobChars, segmentRegExp } from '../../../server/commands/transcribe-glob.js';

let root = '';

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'speechstream-glob-'));
  for (const f of [
    'a.wav',
    'b.wav',
    'c.mp3',
    '.hidden.wav',
    'x/d.wav',
    'x/y/e.wav',
    'x/y/f.flac',
    'take[1].wav',
  ]) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), '');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('glob', () => {
  it('matches one path segment', () => {
    expect(segmentRegExp('*.wav').test('a.wav')).toBe(true);
    expect(segmentRegExp('*.wav').test('a.mp3')).toBe(false);
    expect(segmentRegExp('?.wav').test('ab.wav')).toBe(false);
    expect(segmentRegExp('[ab].wav').test('b.wav')).toBe(true);
    expect(segmentRegExp('[!ab].wav').test('b.wav')).toBe(false);
    expect(segmentRegExp('*.{wav,mp3}').test('c.mp3')).toBe(true);
    expect(segmentRegExp('a+b.wav').test('a+b.wav')).toBe(true);
    expect(hasGlobChars('plain.wav')).toBe(false);
  });

  it('expands relative and absolute patterns, sorted, files only, no dot files', async () => {
    expect(await expandGlob('*.wav', root)).toEqual(['a.wav', 'b.wav', 'take[1].wav']);
    expect(await expandGlob('*.{wav,mp3}', root)).toEqual(['a.wav', 'b.wav', 'c.mp3', 'take[1].wav']);
    expect(await expandGlob('x/*/*', root)).toEqual([
      path.join('x', 'y', 'e.wav'),
      path.join('x', 'y', 'f.flac'),
    ]);
    expect(await expandGlob('**/*.wav', root)).toEqual(
      ['a.wav', 'b.wav', 'take[1].wav', path.join('x', 'd.wav'), path.join('x', 'y', 'e.wav')].sort(),
    );
    expect(await expandGlob(path.join(root, 'x', '*.wav'))).toEqual([path.join(root, 'x', 'd.wav')]);
    expect(await expandGlob('.*.wav', root)).toEqual(['.hidden.wav']);
    expect(await expandGlob('nothing/*.wav', root)).toEqual([]);
  });
});
