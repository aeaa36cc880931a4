/**
 * Incremental WAV parser: feed byte chunks of any size, get planar float32 frames out as
 * soon as they are complete. Memory stays bounded whatever the file length: it buffers at
 * most one fmt/ds64 chunk (<= 4 KiB) or one partial frame, and skips other chunks by
 * counting bytes.
 *
 * Containers: RIFF (little-endian), RIFX (big-endian), RF64/BW64 (64-bit sizes in `ds64`).
 * Chunks other than fmt/ds64/data (LIST, fact, cue, JUNK...) are skipped, including the
 * pad byte after an odd-sized chunk. Everything after the data chunk is ignored.
 *
 * Data-size rules:
 * - 0 or 0xFFFFFFFF: written by a streaming writer that could not seek back; read to EOF.
 * - Not a multiple of the block align: truncated to whole frames; the leftover bytes are
 *   reported in `end().droppedBytes`, never decoded.
 * - Larger than what arrives: `end()` throws AUDIO_WAV_TRUNCATED, unless `allowTruncated`
 *   (then `end().truncated` is true). Frames already returned stay valid either way.
 */

import { SpeechError } from '../../common/errors.js';
import { decodeInterleaved } from './sample-codec.js';
import { MAX_FMT_CHUNK_BYTES, parseFmtChunk, type WavFmt, type WavFormat } from './wav-format.js';

export interface WavParserOptions {
  /** Accept a data chunk shorter than declared (a recording cut short) instead of throwing. */
  allowTruncated?: boolean;
}

export interface WavEndStatus {
  format: WavFormat;
  /** Frames decoded in total. */
  frames: number;
  /** The data chunk was shorter than its declared size (only with `allowTruncated`). */
  truncated: boolean;
  /** Bytes of a trailing partial frame that were discarded. */
  droppedBytes: number;
  /** Non-finite float samples that were replaced (NaN -> 0, +-Inf -> +-1). */
  replacedSamples: number;
}

type Stage = 'riff' | 'chunkHeader' | 'fmt' | 'ds64' | 'skip' | 'data' | 'trailer' | 'ended';

const STREAMED_SIZE = 0xffffffff;
const MAGICS: readonly WavFormat['container'][] = ['RIFF', 'RIFX', 'RF64', 'BW64'];

export class WavParser {
  private readonly allowTruncated: boolean;
  private stage: Stage = 'riff';
  private littleEndian = true;
  private container: WavFormat['container'] = 'RIFF';
  private fmt: WavFmt | undefined;
  private formatValue: WavFormat | undefined;
  /** ds64 data size for RF64 files whose data chunk says 0xFFFFFFFF. */
  private ds64DataBytes: number | undefined;
  /** Header bytes being collected, or the start of a partial frame in the data stage. */
  private pending = new Uint8Array(64);
  private pendingLength = 0;
  /** Bytes the current stage still needs (header stages) or has left (skip, data). */
  private remaining = 12;
  private chunkId = '';
  /** Size of the fmt body without its pad byte. */
  private fmtBodyBytes = 0;
  /** Partial-frame bytes discarded when a declared data chunk ended mid-frame. */
  private droppedAtDataEnd = 0;
  private dataStart: number | undefined;
  private framesOut = 0;
  private dataBytesSeen = 0;
  private replaced = 0;
  private totalBytes = 0;

  constructor(options: WavParserOptions = {}) {
    this.allowTruncated = options.allowTruncated ?? false;
  }

  /** The stream format, once the fmt and data chunk headers have been read. */
  get format(): WavFormat | undefined {
    return this.formatValue;
  }

  /** Byte offset of the first sample in the input, once the data chunk header has been read. */
  get dataOffset(): number | undefined {
    return this.dataStart;
  }

  /** Frames returned so far. */
  get frames(): number {
    return this.framesOut;
  }

  /**
   * Consumes a chunk of the file. Returns the frames it completed (one Float32Array per
   * channel), or undefined when it completed none. Throws a coded SpeechError on malformed
   * input; the parser is unusable afterwards.
   */
  push(chunk: Uint8Array): Float32Array[] | undefined {
    if (this.stage === 'ended') throw new SpeechError('INTERNAL', 'WavParser.push() after end() or an error');
    try {
      return this.consume(chunk);
    } catch (err) {
      this.stage = 'ended';
      throw err;
    }
  }

  private consume(chunk: Uint8Array): Float32Array[] | undefined {
    this.totalBytes += chunk.length;
    let pos = 0;
    let frames: Float32Array[] | undefined;
    while (pos < chunk.length) {
      switch (this.stage) {
        case 'riff':
        case 'chunkHeader':
        case 'fmt':
        case 'ds64':
          pos = this.collect(chunk, pos);
          if (this.remaining === 0) this.onHeaderComplete();
          if (this.formatValue !== undefined) this.dataStart = this.totalBytes - chunk.length + pos;
          break;
        case 'skip': {
          const n = Math.min(this.remaining, chunk.length - pos);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.expectChunkHeader();
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - pos);
          // Only one data chunk exists, so a push yields at most one run of frames.
          frames = this.decodeData(chunk, pos, n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.finishData();
          break;
        }
        case 'trailer':
          pos = chunk.length;
          break;
      }
    }
    return frames;
  }

  /**
   * Declares end of input. Throws AUDIO_WAV_TRUNCATED when the header or a declared data
   * chunk is incomplete (see the class comment for `allowTruncated`).
   */
  end(): WavEndStatus {
    const stage = this.stage;
    this.stage = 'ended';
    let truncated = false;
    if (stage === 'data' && this.remaining !== Number.POSITIVE_INFINITY) {
      if (!this.allowTruncated) {
        const declared = this.formatValue?.dataBytes;
        throw new SpeechError(
          'AUDIO_WAV_TRUNCATED',
          `WAV data chunk declares ${declared} bytes but the input ends after ${this.dataBytesSeen}`,
          { declaredBytes: declared, receivedBytes: this.dataBytesSeen },
        );
      }
      truncated = true;
    } else if (stage !== 'data' && stage !== 'trailer') {
      throw this.headerTruncated(stage);
    }
    const droppedBytes = stage === 'data' ? this.pendingLength : 0;
    this.pendingLength = 0;
    return {
      format: this.formatValue!,
      frames: this.framesOut,
      truncated,
      droppedBytes: droppedBytes + this.droppedAtDataEnd,
      replacedSamples: this.replaced,
    };
  }

  private headerTruncated(stage: Stage): SpeechError {
    const details = { receivedBytes: this.totalBytes, stage };
    if (this.totalBytes === 0)
      return new SpeechError('AUDIO_WAV_TRUNCATED', 'the WAV input is empty', details);
    if (stage === 'riff')
      return new SpeechError('AUDIO_WAV_TRUNCATED', 'the WAV input ends inside the RIFF header', details);
    if (stage === 'chunkHeader') {
      const what = this.fmt === undefined ? 'before its fmt chunk' : 'before its data chunk';
      return new SpeechError('AUDIO_WAV_TRUNCATED', `the WAV input ends ${what}`, details);
    }
    return new SpeechError(
      'AUDIO_WAV_TRUNCATED',
      `the WAV input ends inside its '${this.chunkId}' chunk`,
      details,
    );
  }

  /** Copies bytes into `pending` until the current header stage has what it needs. */
  private collect(chunk: Uint8Array, pos: number): number {
    const n = Math.min(this.remaining, chunk.length - pos);
    this.ensurePending(this.pendingLength + n);
    this.pending.set(chunk.subarray(pos, pos + n), this.pendingLength);
    this.pendingLength += n;
    this.remaining -= n;
    // The magic is checked byte by byte, so non-WAV input fails on its first bytes.
    if (this.stage === 'riff' && this.pendingLength - n < 4) this.checkMagic();
    return pos + n;
  }

  private ensurePending(size: number): void {
    if (size <= this.pending.length) return;
    const grown = new Uint8Array(Math.max(size, this.pending.length * 2));
    grown.set(this.pending.subarray(0, this.pendingLength));
    this.pending = grown;
  }

  private checkMagic(): void {
    const magic = ascii(this.pending, 0, Math.min(4, this.pendingLength));
    const match = MAGICS.find((m) => m.startsWith(magic));
    if (match === undefined) {
      throw new SpeechError(
        'AUDIO_WAV_NOT_RIFF',
        `not a WAV file: it starts with ${JSON.stringify(magic)}, not RIFF`,
        {
          magic,
        },
      );
    }
    if (magic.length < 4) return;
    this.container = match;
    this.littleEndian = match !== 'RIFX';
  }

  private onHeaderComplete(): void {
    const bytes = this.pending.subarray(0, this.pendingLength);
    this.pendingLength = 0;
    switch (this.stage) {
      case 'riff': {
        const form = ascii(bytes, 8, 4);
        if (form !== 'WAVE') {
          throw new SpeechError('AUDIO_WAV_NOT_RIFF', `RIFF form type is ${JSON.stringify(form)}, not WAVE`, {
            form,
          });
        }
        this.expectChunkHeader();
        return;
      }
      case 'chunkHeader':
        this.onChunkHeader(bytes);
        return;
      case 'fmt':
        // The pad byte of an odd-sized fmt chunk was collected too; it is not part of the body.
        this.fmt = parseFmtChunk(bytes.subarray(0, this.fmtBodyBytes), this.littleEndian);
        this.expectChunkHeader();
        return;
      case 'ds64': {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        this.ds64DataBytes = view.getUint32(8, true) + view.getUint32(12, true) * 2 ** 32;
        this.expectChunkHeader();
        return;
      }
      default:
        return;
    }
  }

  private onChunkHeader(bytes: Uint8Array): void {
    const id = ascii(bytes, 0, 4);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = view.getUint32(4, this.littleEndian);
    this.chunkId = id;
    const padded = size + (size & 1);
    if (id === 'fmt ') {
      if (size > MAX_FMT_CHUNK_BYTES) {
        throw new SpeechError('AUDIO_WAV_MALFORMED', `fmt chunk of ${size} bytes is implausibly large`, {
          fmtBytes: size,
        });
      }
      this.fmtBodyBytes = size;
      this.beginHeaderStage('fmt', padded);
    } else if (id === 'ds64' && (this.container === 'RF64' || this.container === 'BW64')) {
      if (size < 24 || size > MAX_FMT_CHUNK_BYTES) {
        throw new SpeechError('AUDIO_WAV_MALFORMED', `ds64 chunk of ${size} bytes (24 or more expected)`, {
          ds64Bytes: size,
        });
      }
      this.beginHeaderStage('ds64', padded);
    } else if (id === 'data') {
      this.beginData(size);
    } else {
      this.stage = 'skip';
      this.remaining = padded;
      if (padded === 0) this.expectChunkHeader();
    }
  }

  private beginHeaderStage(stage: 'fmt' | 'ds64', bytes: number): void {
    this.stage = stage;
    this.remaining = bytes;
    // A zero-length body completes at once (parseFmtChunk then rejects it).
    if (bytes === 0) this.onHeaderComplete();
  }

  private beginData(size: number): void {
    const fmt = this.fmt;
    if (fmt === undefined)
      throw new SpeechError('AUDIO_WAV_MALFORMED', 'the data chunk comes before any fmt chunk');
    let dataBytes: number | undefined = size;
    if (size === STREAMED_SIZE && this.ds64DataBytes !== undefined) dataBytes = this.ds64DataBytes;
    else if (size === 0 || size === STREAMED_SIZE) dataBytes = undefined;
    this.formatValue = { container: this.container, ...fmt, dataBytes };
    this.stage = 'data';
    this.remaining = dataBytes ?? Number.POSITIVE_INFINITY;
    this.ensurePending(fmt.blockAlign);
    if (this.remaining === 0) this.finishData();
  }

  private decodeData(chunk: Uint8Array, pos: number, n: number): Float32Array[] | undefined {
    const format = this.formatValue!;
    const blockAlign = format.blockAlign;
    this.dataBytesSeen += n;
    const frameCount = Math.floor((this.pendingLength + n) / blockAlign);
    if (frameCount === 0) {
      this.pending.set(chunk.subarray(pos, pos + n), this.pendingLength);
      this.pendingLength += n;
      return undefined;
    }
    const out: Float32Array[] = [];
    for (let c = 0; c < format.channels; c++) out.push(new Float32Array(frameCount));
    let p = pos;
    let f = 0;
    if (this.pendingLength > 0) {
      // Complete the frame split across the previous chunk boundary.
      const need = blockAlign - this.pendingLength;
      this.pending.set(chunk.subarray(p, p + need), this.pendingLength);
      this.replaced += decodeInterleaved(this.pending, 0, 1, format.encoding, this.littleEndian, out, 0);
      p += need;
      f = 1;
      this.pendingLength = 0;
    }
    const bulk = frameCount - f;
    this.replaced += decodeInterleaved(chunk, p, bulk, format.encoding, this.littleEndian, out, f);
    p += bulk * blockAlign;
    const left = pos + n - p;
    this.pending.set(chunk.subarray(p, p + left), 0);
    this.pendingLength = left;
    this.framesOut += frameCount;
    return out;
  }

  private finishData(): void {
    this.droppedAtDataEnd += this.pendingLength;
    this.pendingLength = 0;
    this.stage = 'trailer';
  }

  private expectChunkHeader(): void {
    this.stage = 'chunkHeader';
    this.remaining = 8;
  }
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
