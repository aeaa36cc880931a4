/**
 * A tiny ModelProto encoder for tests that need ONNX files the fixture script does not
 * make (a metadata value of every broken kind, a decoder with one output...). It writes
 * only the header, graph I/O and metadata: enough for the reader and the manifest, not
 * for onnxruntime. Field numbers are onnx.proto's; the graph precedes metadata_props as
 * in files written by the onnx package.
 */

const DTYPE_CODES: Record<string, number> = { float32: 1, int32: 6, int64: 7 };

export interface ValueSpec {
  readonly name: string;
  readonly dtype?: 'float32' | 'int32' | 'int64';
  readonly dims?: readonly (number | string)[];
}

export interface ModelSpec {
  readonly inputs?: readonly ValueSpec[];
  readonly outputs?: readonly ValueSpec[];
  readonly metadata?: Readonly<Record<string, string>>;
  /** Bytes of a raw initializer, to make the graph large. */
  readonly weightBytes?: number;
  /** The initializer says its data is in a side file (data_location = EXTERNAL). */
  readonly externalWeights?: boolean;
}

export function encodeModel(spec: ModelSpec): Uint8Array {
  const graph = concat([
    bytesField(2, utf8('g')),
    ...(spec.weightBytes === undefined
      ? []
      : [
          bytesField(
            5,
            concat([
              varintField(2, 1),
              bytesField(8, utf8('w')),
              bytesField(9, new Uint8Array(spec.weightBytes)),
              ...(spec.externalWeights ? [varintField(14, 1)] : []),
            ]),
          ),
        ]),
    ...(spec.inputs ?? []).map((v) => bytesField(11, valueInfo(v))),
    ...(spec.outputs ?? []).map((v) => bytesField(12, valueInfo(v))),
  ]);
  return concat([
    varintField(1, 8),
    bytesField(2, utf8('test-writer')),
    bytesField(7, graph),
    bytesField(8, concat([bytesField(1, utf8('')), varintField(2, 17)])),
    ...Object.entries(spec.metadata ?? {}).map(([k, v]) =>
      bytesField(14, concat([bytesField(1, utf8(k)), bytesField(2, utf8(v))])),
    ),
  ]);
}

function valueInfo(v: ValueSpec): Uint8Array {
  const dims = (v.dims ?? []).map((d) =>
    bytesField(1, typeof d === 'number' ? varintField(1, d) : bytesField(2, utf8(d))),
  );
  const tensor = concat([
    varintField(1, DTYPE_CODES[v.dtype ?? 'float32'] ?? 1),
    bytesField(2, concat(dims)),
  ]);
  return concat([bytesField(1, utf8(v.name)), bytesField(2, bytesField(1, tensor))]);
}

export function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function varintField(field: number, n: number): Uint8Array {
  return concat([varint(field * 8), varint(n)]);
}

function bytesField(field: number, payload: Uint8Array): Uint8Array {
  return concat([varint(field * 8 + 2), varint(payload.length), payload]);
}

function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
