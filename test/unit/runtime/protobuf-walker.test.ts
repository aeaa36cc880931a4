import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bufferSource,
  decodeVarint,
  MalformedProtobuf,
  type ProtoField,
  ProtoWalker,
} from '../../../models/runtime/protobuf-walker.js';
import { varint } from './helpers/onnx-bytes.js';

async function collect(bytes: Uint8Array, chunk = 8): Promise<ProtoField[]> {
  const walker = new ProtoWalker(bufferSource(bytes), chunk);
  const out: ProtoField[] = [];
  for await (const f of walker.fields(0, bytes.length)) out.push(f);
  return out;
}

describe('decodeVarint', () => {
  it('round-trips every safe non-negative integer the encoder writes', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const bytes = varint(n);
        expect(decodeVarint(bytes, 0)).toEqual([n, bytes.length]);
      }),
    );
  });

  it('rejects a varint that runs off the end or past 10 bytes', () => {
    expect(() => decodeVarint(Uint8Array.from([0x80, 0x80]), 0)).toThrow(MalformedProtobuf);
    expect(() => decodeVarint(new Uint8Array(11).fill(0x80), 0)).toThrow(/longer than 10 bytes/);
  });
});

describe('ProtoWalker', () => {
  it('yields varint, fixed and length-delimited fields with their payload offsets', async () => {
    // field 1 varint 150; field 2 "hi"; field 3 fixed64; field 4 fixed32
    const bytes = Uint8Array.from([
      0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 9, 9, 9, 9,
    ]);
    const fields = await collect(bytes);
    expect(fields.map((f) => [f.field, f.wire])).toEqual([
      [1, 0],
      [2, 2],
      [3, 1],
      [4, 5],
    ]);
    expect(fields[0]?.value).toBe(150);
    expect(fields[1]).toMatchObject({ offset: 5, length: 2 });
    expect(fields[2]).toMatchObject({ offset: 8, length: 8 });
  });

  it('skips a large payload without reading it', async () => {
    const payload = 1_000_000;
    const head = Uint8Array.from([0x3a, ...varint(payload)]); // field 7, wire 2
    const tail = Uint8Array.from([0x08, 0x05]);
    let read = 0;
    const size = head.length + payload + tail.length;
    const source = {
      size,
      read: async (offset: number, length: number) => {
        const n = Math.min(length, size - offset);
        read += n;
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const at = offset + i;
          out[i] =
            at < head.length
              ? (head[at] ?? 0)
              : at >= size - tail.length
                ? (tail[at - (size - tail.length)] ?? 0)
                : 0;
        }
        return out;
      },
    };
    const walker = new ProtoWalker(source, 64);
    const fields: number[] = [];
    for await (const f of walker.fields(0, size)) fields.push(f.field);
    expect(fields).toEqual([7, 1]);
    expect(read).toBeLessThan(1000);
  });

  it.each([
    ['field number 0', [0x00]],
    ['wire type 3 (group)', [0x0b]],
    ['wire type 7', [0x0f]],
    ['a length past the end', [0x12, 0x05, 0x61]],
    ['a truncated fixed64', [0x09, 1, 2]],
    ['a truncated tag', [0x80]],
  ])('rejects %s', async (_name, bytes) => {
    await expect(collect(Uint8Array.from(bytes))).rejects.toBeInstanceOf(MalformedProtobuf);
  });

  it('ends or throws MalformedProtobuf on any bytes, whatever the window size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        async (bytes, chunk) => {
          try {
            const fields = await collect(bytes, chunk);
            expect(fields.length).toBeLessThanOrEqual(bytes.length);
          } catch (err) {
            expect(err).toBeInstanceOf(MalformedProtobuf);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes strings as strict UTF-8 and enforces the size limit', async () => {
    const good = Uint8Array.from([0x0a, 0x03, 0xe2, 0x96, 0x81]);
    const walker = new ProtoWalker(bufferSource(good));
    for await (const f of walker.fields(0, good.length)) {
      expect(await walker.string(f, 10)).toBe('\u2581');
      await expect(walker.string(f, 2)).rejects.toThrow(/3 bytes long/);
    }
    const bad = Uint8Array.from([0x0a, 0x02, 0xff, 0xfe]);
    const w2 = new ProtoWalker(bufferSource(bad));
    for await (const f of w2.fields(0, bad.length)) await expect(w2.string(f, 10)).rejects.toThrow(/UTF-8/);
  });
});
