import { SpeechError } from '../../common/errors.js';
import { decodeVarint, fieldAt, MalformedProtobuf, WIRE_LEN, WIRE_VARINT } from './protobuf-walker.js';
import { concatPieces, lengthDelimited, type Pieces, varint } from './protobuf-writer.js';

/**
 * A copy of an ONNX model whose named graph inputs have fully static shapes.
 *
 * Why: an exported streaming encoder keeps its batch and time axes symbolic, so every
 * `Shape -> Gather -> Unsqueeze -> Concat -> Reshape` chain that PyTorch's exporter
 * emitted stays in the graph and runs on every call. onnxruntime folds those chains into
 * constants only when every dimension is known. On the 1.8 M-parameter digits encoder
 * that takes the graph from 922 to 559 executed nodes and a single-stream step from
 * about 2.1 to 1.6 ms; on a small model the per-node cost is most of a call.
 * (onnxruntime's `freeDimensionOverrides` would do this, but onnxruntime-node 1.30 does
 * not pass that option through, so the model bytes are rewritten instead.)
 *
 * Only the input shapes change (`ModelProto.graph.input[i].type.tensor_type.shape`);
 * every other byte is copied as is, so weights, metadata and opsets are untouched.
 * A given shape must agree with the declared one: same rank, and the same value where
 * the model already has a static dimension.
 */

const MODEL_GRAPH = 7;
const GRAPH_INPUT = 11;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;

interface Field {
  readonly field: number;
  readonly wire: number;
  /** The tag's first byte. */
  readonly start: number;
  readonly payloadStart: number;
  /** One past the payload's last byte. */
  readonly end: number;
}

function fieldsOf(bytes: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  let pos = start;
  while (pos < end) {
    const f = fieldAt(bytes, pos);
    const fieldEnd = f.offset + f.length;
    if (fieldEnd > end) throw new MalformedProtobuf(`field ${f.field} at byte ${pos} runs past its message`);
    out.push({ field: f.field, wire: f.wire, start: pos, payloadStart: f.offset, end: fieldEnd });
    pos = fieldEnd;
  }
  return out;
}

function staticShape(dims: readonly number[]): Pieces {
  return dims.map((d) =>
    Uint8Array.from([
      ...varint(SHAPE_DIM * 8 + WIRE_LEN),
      ...varint(varint(d).length + 1),
      DIM_VALUE * 8,
      ...varint(d),
    ]),
  );
}

/** Declared dims of a TensorShapeProto: a number, or undefined for a symbolic/unknown one. */
function declaredDims(bytes: Uint8Array, shape: Field): (number | undefined)[] {
  return fieldsOf(bytes, shape.payloadStart, shape.end)
    .filter((f) => f.field === SHAPE_DIM && f.wire === WIRE_LEN)
    .map((dim) => {
      const value = fieldsOf(bytes, dim.payloadStart, dim.end).find(
        (f) => f.field === DIM_VALUE && f.wire === WIRE_VARINT,
      );
      return value === undefined ? undefined : decodeVarint(bytes, value.payloadStart)[0];
    });
}

/** Rewrites one message: fields for which `replace` returns pieces are swapped, the rest copied. */
function rewrite(
  bytes: Uint8Array,
  start: number,
  end: number,
  replace: (f: Field) => Pieces | undefined,
): Pieces {
  const out: Pieces = [];
  for (const f of fieldsOf(bytes, start, end)) {
    out.push(...(replace(f) ?? [bytes.subarray(f.start, f.end)]));
  }
  return out;
}

/**
 * The payload of `message` with the submessage reached by the field numbers of `path`
 * replaced by `leaf(that submessage)`'s payload; every other byte on the way is copied.
 */
function rewritePath(
  bytes: Uint8Array,
  message: Field,
  path: readonly number[],
  leaf: (f: Field) => Pieces,
): Pieces {
  const [head, ...rest] = path;
  return rewrite(bytes, message.payloadStart, message.end, (f) => {
    if (f.field !== head || f.wire !== WIRE_LEN) return undefined;
    return lengthDelimited(f.field, rest.length === 0 ? leaf(f) : rewritePath(bytes, f, rest, leaf));
  });
}

export function withStaticInputShapes(
  model: Uint8Array,
  shapes: Readonly<Record<string, readonly number[]>>,
  label = 'model',
): Uint8Array {
  for (const [name, dims] of Object.entries(shapes)) {
    if (!dims.every((d) => Number.isSafeInteger(d) && d > 0)) {
      throw new SpeechError(
        'INTERNAL',
        `${label}: static shape for ${name} must be positive integers, got [${dims}]`,
      );
    }
  }
  const done = new Set<string>();
  const utf8 = new TextDecoder();
  const fixInput = (input: Field): Pieces | undefined => {
    const fields = fieldsOf(model, input.payloadStart, input.end);
    const nameField = fields.find((f) => f.field === VALUE_INFO_NAME && f.wire === WIRE_LEN);
    const name = nameField ? utf8.decode(model.subarray(nameField.payloadStart, nameField.end)) : '';
    const dims = shapes[name];
    if (dims === undefined) return undefined;
    done.add(name);
    // ValueInfoProto.type -> TypeProto.tensor_type -> TypeProto.Tensor.shape
    const payload = rewritePath(model, input, [VALUE_INFO_TYPE, TYPE_TENSOR, TENSOR_SHAPE], (shapeField) => {
      const declared = declaredDims(model, shapeField);
      const clash =
        declared.length !== dims.length || declared.some((d, i) => d !== undefined && d !== dims[i]);
      if (clash) {
        const shown = declared.map((d) => d ?? '?').join(', ');
        throw new SpeechError(
          'MODEL_CONTRACT_MISMATCH',
          `${label}: input ${name} is declared [${shown}], which [${dims.join(', ')}] does not fit`,
          { model: label, input: name, declared: shown, requested: [...dims] },
        );
      }
      return staticShape(dims);
    });
    return lengthDelimited(GRAPH_INPUT, payload);
  };
  let pieces: Pieces;
  try {
    pieces = rewrite(model, 0, model.length, (f) =>
      f.field === MODEL_GRAPH && f.wire === WIRE_LEN
        ? lengthDelimited(
            MODEL_GRAPH,
            rewrite(model, f.payloadStart, f.end, (g) =>
              g.field === GRAPH_INPUT && g.wire === WIRE_LEN ? fixInput(g) : undefined,
            ),
          )
        : undefined,
    );
  } catch (err) {
    if (err instanceof MalformedProtobuf) {
      throw new SpeechError('MODEL_BAD_ONNX', `${label}: not a readable ONNX model (${err.message})`, {
        model: label,
      });
    }
    throw err;
  }
  const missing = Object.keys(shapes).filter((n) => !done.has(n));
  if (missing.length > 0) {
    throw new SpeechError('MODEL_CONTRACT_MISMATCH', `${label}: no graph input named ${missing.join(', ')}`, {
      model: label,
      missing,
    });
  }
  return concatPieces(pieces);
}
