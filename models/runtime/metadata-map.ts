import { SpeechError } from '../../common/errors.js';

/**
 * A model's `metadata_props` with typed accessors that follow sherpa-onnx's reading rules
 * (contract 0.2) but fail with a coded error instead of exiting the process:
 * - `int`: missing or empty -> MODEL_METADATA_MISSING; not a non-negative integer -> MODEL_METADATA_INVALID
 *   (stricter than sherpa's `atoi`, which would read "12abc" as 12);
 * - `intOr`: missing or empty -> the default;
 * - `floats`: one comma-separated string (neg_mean, inv_stddev).
 * When a key appears twice the last value wins, as in onnxruntime's own metadata map.
 */
export class OnnxMetadata {
  private readonly map: ReadonlyMap<string, string>;

  constructor(
    /** The file the entries came from; every error names it. */
    readonly file: string,
    entries: Iterable<readonly [string, string]>,
  ) {
    this.map = new Map(entries);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** The raw string, or undefined when absent. */
  get(key: string): string | undefined {
    return this.map.get(key);
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  toObject(): Record<string, string> {
    return Object.fromEntries(this.map);
  }

  int(key: string): number {
    return this.parseInt(key, this.required(key));
  }

  intOr(key: string, fallback: number): number {
    const raw = this.map.get(key);
    return raw === undefined || raw === '' ? fallback : this.parseInt(key, raw);
  }

  /** A non-empty string (sherpa's SHERPA_ONNX_READ_META_DATA_STR). */
  string(key: string): string {
    return this.required(key);
  }

  /** The value as stored (even empty), or the default when the key is absent. */
  stringOr(key: string, fallback: string): string {
    return this.map.get(key) ?? fallback;
  }

  /** Comma-separated floats, optionally of an exact length. */
  floats(key: string, expectedLength?: number): Float32Array {
    const raw = this.required(key);
    const parts = raw.split(',');
    const out = new Float32Array(parts.length);
    parts.forEach((part, i) => {
      const text = part.trim();
      if (!FLOAT.test(text)) this.invalid(key, raw, `item ${i} ('${text}') is not a number`);
      out[i] = Number(text);
      // '1e999' or '3.5e38' pass the pattern but are infinite as float32 (NaN features later).
      if (!Number.isFinite(out[i]!))
        this.invalid(key, raw, `item ${i} ('${text}') is out of the float32 range`);
    });
    if (expectedLength !== undefined && out.length !== expectedLength) {
      this.invalid(key, raw, `has ${out.length} values, expected ${expectedLength}`);
    }
    return out;
  }

  /** Comma-separated non-negative integers (e.g. speechstream_lookaheads "0,1,6,13"). */
  ints(key: string): number[] {
    const raw = this.required(key);
    return raw.split(',').map((part) => this.parseInt(key, part, raw));
  }

  private required(key: string): string {
    const raw = this.map.get(key);
    if (raw === undefined || raw === '') {
      throw new SpeechError(
        'MODEL_METADATA_MISSING',
        `${this.file}: metadata_props key '${key}' is ${raw === undefined ? 'missing' : 'empty'}`,
        { file: this.file, key },
      );
    }
    return raw;
  }

  private parseInt(key: string, text: string, whole = text): number {
    const t = text.trim();
    if (/^-\d+$/.test(t)) this.invalid(key, whole, 'is negative');
    if (!/^\+?\d+$/.test(t)) this.invalid(key, whole, `'${t}' is not an integer`);
    const n = Number(t);
    if (!Number.isSafeInteger(n)) this.invalid(key, whole, 'is too large');
    return n;
  }

  private invalid(key: string, raw: string, why: string): never {
    const shown = raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
    throw new SpeechError(
      'MODEL_METADATA_INVALID',
      `${this.file}: metadata_props '${key}' = '${shown}' ${why}`,
      {
        file: this.file,
        key,
        value: shown,
      },
    );
  }
}

// Decimal floats only: Number() would also accept '', '0x10', 'Infinity'.
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
