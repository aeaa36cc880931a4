import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTokens, readTokens } from '../../../models/runtime/tokens.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tokens-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('parseTokens', () => {
  it('reads symbol/id lines into both directions', () => {
    const t = parseTokens('<unk> 0\n\u2581the 1\ns 2\n<blk> 3\n');
    expect(t.size).toBe(4);
    expect(t.symbol(1)).toBe('\u2581the');
    expect(t.idOf('<blk>')).toBe(3);
    expect(t.has('s')).toBe(true);
    expect(t.idOf('missing')).toBeUndefined();
  });

  it('accepts ids out of order, tabs, trailing spaces, CRLF and a BOM', () => {
    const t = parseTokens('\uFEFFb\t1 \r\na 0\r\n\r\n');
    expect(t.symbols).toEqual(['a', 'b']);
  });

  it('reads a one-field line as the space symbol with that id', () => {
    const t = parseTokens('a 0\n 1\nb 2\n');
    expect(t.symbol(1)).toBe(' ');
    expect(t.idOf(' ')).toBe(1);
  });

  it('splits on ASCII whitespace only, so an ideographic space can be a symbol', () => {
    const t = parseTokens('\u3000 0\n\u00a0x 1\n');
    expect(t.symbols).toEqual(['\u3000', '\u00a0x']);
  });

  it('keeps the first id of a symbol listed twice', () => {
    const t = parseTokens('a 0\na 1\n');
    expect(t.idOf('a')).toBe(0);
    expect(t.symbol(1)).toBe('a');
  });

  it.each([
    ['a duplicate id', 'a 0\nb 0\n', 2, /id 0 is used twice/],
    ['a non-integer id', 'a 0\nb x1\n', 2, /not a non-negative integer/],
    ['a negative id', 'a -1\n', 1, /not a non-negative integer/],
    ['a fractional id', 'a 1.5\n', 1, /not a non-negative integer/],
    ['three fields', 'a 0\nb c 1\n', 2, /3 fields/],
    ['a blank line inside', 'a 0\n\nb 1\n', 2, /empty line/],
  ])('MODEL_TOKENS_INVALID with the line number for %s', (_what, text, line, why) => {
    expect(() => parseTokens(text, 'tokens.txt')).toThrow(
      expect.objectContaining({ code: 'MODEL_TOKENS_INVALID', details: { file: 'tokens.txt', line } }),
    );
    expect(() => parseTokens(text, 'tokens.txt')).toThrow(why);
    expect(() => parseTokens(text, 'tokens.txt')).toThrow(`tokens.txt:${line}:`);
  });

  it('MODEL_TOKENS_INVALID for gaps in the ids and for an empty file', () => {
    expect(() => parseTokens('a 0\nb 2\n')).toThrow(
      expect.objectContaining({ code: 'MODEL_TOKENS_INVALID' }),
    );
    expect(() => parseTokens('a 0\nb 2\n')).toThrow(/1 is missing/);
    expect(() => parseTokens('\n\n')).toThrow(/no tokens/);
  });

  it('symbol() of an id outside the table is a contract mismatch', () => {
    const t = parseTokens('a 0\n', 'x.txt');
    expect(() => t.symbol(1)).toThrow(expect.objectContaining({ code: 'MODEL_CONTRACT_MISMATCH' }));
    expect(() => t.symbol(-1)).toThrow(/outside the table/);
  });
});

describe('readTokens', () => {
  it('reads a committed fixture', async () => {
    const t = await readTokens('test/fixtures/onnx/families/paraformer-offline/tokens.txt');
    expect(t.idOf('</s>')).toBe(2);
    expect(t.file).toContain('tokens.txt');
  });

  it('MODEL_NOT_FOUND for a missing file; MODEL_TOKENS_INVALID names the path', async () => {
    await expect(readTokens(join(tmp, 'none.txt'))).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const bad = join(tmp, 'bad.txt');
    await writeFile(bad, 'a 0\nb 0\n');
    await expect(readTokens(bad)).rejects.toThrow(`${bad}:2:`);
  });
});
