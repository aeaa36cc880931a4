import { WIRE_LEN, WIRE_VARINT } from './protobuf-walker.js';

/**
 * Protocol-buffer encoding, the little ONNX writing needs: a model rewritten around
 * its weights (static-input-shapes.ts) and small graphs built in code (identity-model.ts).
 * Messages are lists of byte pieces, concatenated once at the end, so a large payload
 * (a graph's weights) is copied once.
 */

export type Pieces = Uint8Array[];

/** Base-128 varint of a non-negative safe integer. */
export function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

export function size(pieces: Pieces): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

export function lengthDelimited(field: number, payload: Pieces): Pieces {
  return [Uint8Array.from([...varint(field * 8 + WIRE_LEN), ...varint(size(payload))]), ...payload];
}

export function varintField(field: number, value: number): Pieces {
  return [Uint8Array.from([...varint(field * 8 + WIRE_VARINT), ...varint(value)])];
}

export function stringField(field: number, value: string): Pieces {
  return lengthDelimited(field, [new TextEncoder().encode(value)]);
}

export function concatPieces(pieces: Pieces): Uint8Array {
  const out = new Uint8Array(size(pieces));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
