import { type FileHandle, open } from 'node:fs/promises';

/**
 * A minimal protobuf wire-format walker over random-access bytes.
 *
 * ONNX files can be hundreds of megabytes, almost all of it in `ModelProto.graph`
 * initializers, while the parts we need (metadata_props, opset, graph inputs/outputs)
 * are small. The walker reads tags and lengths through a small window and jumps over
 * every length-delimited payload it is not asked to open, so a file is never loaded
 * whole. Every malformation (bad varint, bad wire type, a length past the end) throws
 * `MalformedProtobuf`; each field consumes at least one byte, so a walk always ends.
 */

/** Random-access bytes: a file read at offsets, or a buffer (tests, fuzzing). */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `offset`; fewer only at the end of the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export class MalformedProtobuf extends Error {
  override name = 'MalformedProtobuf';
}

/** A file opened for positioned reads; counts the bytes it read (tests assert the graph is skipped). */
export class FileByteSource implements ByteSource {
  bytesRead = 0;
  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(path: string): Promise<FileByteSource> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      return new FileByteSource(handle, stat.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await this.handle.read(buf, got, n - got, offset + got);
      if (bytesRead === 0) break; // the file shrank under us: report what we have
      got += bytesRead;
    }
    this.bytesRead += got;
    return got === n ? buf : buf.subarray(0, got);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** Where the payload starts (the bytes after the length for WIRE_LEN). */
  readonly offset: number;
  /** Payload length for WIRE_LEN, 8 / 4 for fixed, the varint's byte count for WIRE_VARINT. */
  readonly length: number;
  /** The decoded varint for WIRE_VARINT (exact up to 2^53; check Number.isSafeInteger). */
  readonly value: number;
}

const MAX_VARINT_BYTES = 10;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a varint from `bytes` at `pos`; returns [value, bytes used]. */
export function decodeVarint(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const b = bytes[pos + i];
    if (b === undefined) throw new MalformedProtobuf('truncated varint');
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, i + 1];
    scale *= 128;
  }
  throw new MalformedProtobuf('varint longer than 10 bytes');
}

/**
 * The field whose tag starts at bytes[at]: number, wire type and where its payload starts
 * (`offset`, relative to `bytes`), with `length` and `value` as in ProtoField. The payload
 * itself need not be in `bytes`. `origin` is added to byte positions in error messages.
 */
export function fieldAt(bytes: Uint8Array, at: number, origin = 0): ProtoField {
  const [tag, tagLen] = decodeVarint(bytes, at);
  const field = Math.floor(tag / 8);
  const wire = tag % 8;
  const where = origin + at;
  if (field === 0 || !Number.isSafeInteger(tag) || field > 0x1fffffff) {
    throw new MalformedProtobuf(`bad field number at byte ${where}`);
  }
  let offset = at + tagLen;
  let length: number;
  let value = 0;
  switch (wire) {
    case WIRE_VARINT:
      [value, length] = decodeVarint(bytes, offset);
      break;
    case WIRE_I64:
      length = 8;
      break;
    case WIRE_I32:
      length = 4;
      break;
    case WIRE_LEN: {
      const [len, lenLen] = decodeVarint(bytes, offset);
      if (!Number.isSafeInteger(len)) throw new MalformedProtobuf(`bad length at byte ${where}`);
      offset += lenLen;
      length = len;
      break;
    }
    default:
      // 3/4 are proto2 groups, which ONNX never uses; 6/7 do not exist.
      throw new MalformedProtobuf(`wire type ${wire} at byte ${where}`);
  }
  return { field, wire, offset, length, value };
}

export class ProtoWalker {
  private windowStart = 0;
  private window: Uint8Array = new Uint8Array(0);

  constructor(
    readonly source: ByteSource,
    private readonly chunkSize = 8192,
  ) {}

  /** Bytes [offset, offset + length), exactly, or MalformedProtobuf when the source ends first. */
  async bytes(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > this.source.size) {
      throw new MalformedProtobuf(
        `needs bytes ${offset}..${offset + length} but the data has ${this.source.size}`,
      );
    }
    const inWindow = offset - this.windowStart;
    if (inWindow >= 0 && inWindow + length <= this.window.length) {
      return this.window.subarray(inWindow, inWindow + length);
    }
    const data = await this.source.read(offset, Math.max(length, this.chunkSize));
    if (data.length < length) throw new MalformedProtobuf(`data ends at ${offset + data.length}`);
    this.windowStart = offset;
    this.window = data;
    return data.subarray(0, length);
  }

  async string(field: ProtoField, limit: number): Promise<string> {
    if (field.wire !== WIRE_LEN) throw new MalformedProtobuf(`field ${field.field} is not a string`);
    if (field.length > limit)
      throw new MalformedProtobuf(`field ${field.field} is ${field.length} bytes long`);
    try {
      return utf8.decode(await this.bytes(field.offset, field.length));
    } catch (err) {
      if (err instanceof MalformedProtobuf) throw err;
      throw new MalformedProtobuf(`field ${field.field} is not valid UTF-8`);
    }
  }

  /** The fields of the message occupying [start, end); payloads not opened are skipped by seeking. */
  async *fields(start: number, end: number): AsyncGenerator<ProtoField> {
    if (end > this.source.size) throw new MalformedProtobuf(`message ends at ${end}, past the data end`);
    let pos = start;
    while (pos < end) {
      const head = await this.bytes(pos, Math.min(2 * MAX_VARINT_BYTES, end - pos));
      const f = fieldAt(head, 0, pos);
      const offset = pos + f.offset;
      const { field, wire, length, value } = f;
      const next = offset + length;
      if (next > end)
        throw new MalformedProtobuf(`field ${field} at byte ${pos} runs past its message end ${end}`);
      yield { field, wire, offset, length, value };
      pos = next;
    }
  }
}
