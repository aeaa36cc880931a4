import { readFile } from 'node:fs/promises';
import { SpeechError } from '../../common/errors.js';

/**
 * tokens.txt in sherpa-onnx's format (contract 0.3): `<symbol><whitespace><id>` per line,
 * trailing whitespace and '\r' tolerated; a line with one field is the id of the symbol
 * " " (a space, which cannot be written as a field). Ids must be unique integers that
 * cover 0..N-1, so that id -> symbol is a plain array. A symbol listed twice keeps its
 * first id for `idOf` (the id -> symbol direction is unaffected).
 */
export class SymbolTable {
  private readonly ids: ReadonlyMap<string, number>;

  constructor(
    /** symbols[id] */
    readonly symbols: readonly string[],
    /** Where the table came from; errors name it. */
    readonly file = '<tokens>',
  ) {
    const ids = new Map<string, number>();
    symbols.forEach((s, id) => {
      if (!ids.has(s)) ids.set(s, id);
    });
    this.ids = ids;
  }

  get size(): number {
    return this.symbols.length;
  }

  has(symbol: string): boolean {
    return this.ids.has(symbol);
  }

  idOf(symbol: string): number | undefined {
    return this.ids.get(symbol);
  }

  /** The symbol of an id the model produced; an id outside the table is a model/tokens mismatch. */
  symbol(id: number): string {
    const s = this.symbols[id];
    if (s === undefined) {
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${this.file}: token id ${id} is outside the table (${this.size} symbols)`,
        { file: this.file, id, size: this.size },
      );
    }
    return s;
  }
}

export async function readTokens(path: string): Promise<SymbolTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new SpeechError(
        'MODEL_NOT_FOUND',
        `${path}: no such tokens file`,
        { file: path },
        { cause: err },
      );
    }
    throw new SpeechError('MODEL_TOKENS_INVALID', `${path}: cannot read (${String(err)})`, { file: path });
  }
  return parseTokens(text, path);
}

export function parseTokens(text: string, file = '<tokens>'): SymbolTable {
  // A UTF-8 BOM would otherwise become part of the first symbol.
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n');
  // One final newline (or trailing blank lines) is normal; blank lines inside are not.
  while (lines.length > 0 && stripAscii(lines[lines.length - 1] ?? '') === '') lines.pop();
  const byId = new Map<number, string>();
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    const fields = stripAscii(line).split(ASCII_SPACE);
    const fail = (why: string): never => {
      throw new SpeechError('MODEL_TOKENS_INVALID', `${file}:${lineNo}: ${why}`, { file, line: lineNo });
    };
    if (fields[0] === '') fail('empty line');
    if (fields.length > 2) fail(`expected '<symbol> <id>', got ${fields.length} fields`);
    const [symbol, idText] =
      fields.length === 1 ? [' ', fields[0] ?? ''] : [fields[0] ?? '', fields[1] ?? ''];
    if (!/^\d+$/.test(idText)) fail(`id '${idText}' is not a non-negative integer`);
    const id = Number(idText);
    if (!Number.isSafeInteger(id)) fail(`id '${idText}' is too large`);
    const previous = byId.get(id);
    if (previous !== undefined) fail(`id ${id} is used twice ('${previous}' and '${symbol}')`);
    byId.set(id, symbol);
  });
  if (byId.size === 0) {
    throw new SpeechError('MODEL_TOKENS_INVALID', `${file}: no tokens`, { file });
  }
  const symbols: string[] = new Array(byId.size);
  for (let id = 0; id < byId.size; id++) {
    const s = byId.get(id);
    if (s === undefined) {
      throw new SpeechError(
        'MODEL_TOKENS_INVALID',
        `${file}: ids must cover 0..${byId.size - 1} but ${id} is missing`,
        {
          file,
          missingId: id,
        },
      );
    }
    symbols[id] = s;
  }
  return new SymbolTable(symbols, file);
}

// C++ `>>` splits on ASCII whitespace only; JS's \s would also split on U+3000 or U+00A0,
// which can be real tokens in CJK vocabularies.
const ASCII_SPACE = /[ \t\v\f\r]+/;

function stripAscii(line: string): string {
  return line.replace(/^[ \t\v\f\r]+|[ \t\v\f\r]+$/g, '');
}
