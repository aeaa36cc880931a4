import { SpeechError } from '../../common/errors.js';
import { OnnxMetadata } from './metadata-map.js';
import {
  type ByteSource,
  FileByteSource,
  MalformedProtobuf,
  type ProtoField,
  ProtoWalker,
  WIRE_LEN,
  WIRE_VARINT,
} from './protobuf-walker.js';

/**
 * Reads what onnxruntime-node does not expose from an .onnx file: `metadata_props`
 * (onnxruntime#16547), plus the IR version, producer, opsets and the graph's declared
 * inputs/outputs, without creating a session and without loading the file (positioned
 * reads; the weights are skipped by seeking). Field numbers are onnx.proto's.
 */

export interface OnnxValueInfo {
  readonly name: string;
  /** onnxruntime's type name ('float32', 'int64', ...), 'non-tensor', or 'unknown(<n>)'. */
  readonly dtype: string;
  /** Declared dims: a number, a symbolic name, or '' for an unnamed dynamic dim; undefined without a shape. */
  readonly dims: readonly (number | string)[] | undefined;
}

export interface OnnxModelInfo {
  readonly file: string;
  readonly size: number;
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly metadata: OnnxMetadata;
  /** Graph inputs in order, without those that are initializers (old keep_initializers_as_inputs exports). */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /**
   * Some initializer keeps its data in a side file (`TensorProto.data_location =
   * EXTERNAL`), which onnxruntime finds relative to the model's path: such a model cannot
   * be opened from bytes.
   */
  readonly externalData: boolean;
}

// ModelProto
const M_IR_VERSION = 1;
const M_PRODUCER_NAME = 2;
const M_PRODUCER_VERSION = 3;
const M_GRAPH = 7;
const M_OPSET_IMPORT = 8;
const M_METADATA_PROPS = 14;
// GraphProto
const G_INITIALIZER = 5;
const G_INPUT = 11;
const G_OUTPUT = 12;
const G_SPARSE_INITIALIZER = 15;
// TensorProto.name, TensorProto.data_location (1 = EXTERNAL), SparseTensorProto.values
const T_NAME = 8;
const T_DATA_LOCATION = 14;
const DATA_LOCATION_EXTERNAL = 1;
const S_VALUES = 1;

/** Longest string we read into memory (a metadata value, a name); anything longer is not ONNX we know. */
const MAX_STRING = 16 * 1024 * 1024;

// TensorProto.DataType -> onnxruntime's names.
const DTYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  21: 'uint4',
  22: 'int4',
};

export async function readOnnxModelInfo(path: string): Promise<OnnxModelInfo> {
  let source: FileByteSource;
  try {
    source = await FileByteSource.open(path);
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    return await parseOnnxModelInfo(source, path);
  } catch (err) {
    if (err instanceof SpeechError) throw err;
    throw fileError(path, err);
  } finally {
    await source.close();
  }
}

/** Only the metadata_props of a file (the graph is still walked for its inputs/outputs: cheap). */
export async function readOnnxMetadata(path: string): Promise<OnnxMetadata> {
  return (await readOnnxModelInfo(path)).metadata;
}

/** Parses a ModelProto from any byte source; `file` names it in errors. */
export async function parseOnnxModelInfo(
  source: ByteSource,
  file: string,
  chunkSize?: number,
): Promise<OnnxModelInfo> {
  const walker = new ProtoWalker(source, chunkSize);
  try {
    return await parseModel(walker, file);
  } catch (err) {
    if (err instanceof MalformedProtobuf) {
      throw new SpeechError('MODEL_BAD_ONNX', `${file}: not a readable ONNX model (${err.message})`, {
        file,
        reason: err.message,
      });
    }
    throw err;
  }
}

async function parseModel(walker: ProtoWalker, file: string): Promise<OnnxModelInfo> {
  let irVersion: number | undefined;
  let producerName = '';
  let producerVersion = '';
  let graph: ProtoField | undefined;
  const opsets: { domain: string; version: number }[] = [];
  const metadata: [string, string][] = [];
  for await (const f of walker.fields(0, walker.source.size)) {
    switch (f.field) {
      case M_IR_VERSION:
        irVersion = expectVarint(f, 'ir_version');
        break;
      case M_PRODUCER_NAME:
        producerName = await walker.string(f, MAX_STRING);
        break;
      case M_PRODUCER_VERSION:
        producerVersion = await walker.string(f, MAX_STRING);
        break;
      case M_GRAPH:
        expectLen(f, 'graph');
        graph = f; // the big one: walked below, its weights skipped
        break;
      case M_OPSET_IMPORT:
        opsets.push(await parseOpset(walker, expectLen(f, 'opset_import')));
        break;
      case M_METADATA_PROPS:
        metadata.push(await parseEntry(walker, expectLen(f, 'metadata_props')));
        break;
      default:
        break; // doc_string, training_info, functions...: skipped by seeking
    }
  }
  if (irVersion === undefined) throw new MalformedProtobuf('no ir_version');
  if (graph === undefined) throw new MalformedProtobuf('no graph');
  const { inputs, outputs, externalData } = await parseGraphIo(walker, graph);
  return {
    file,
    size: walker.source.size,
    irVersion,
    producerName,
    producerVersion,
    opsets,
    metadata: new OnnxMetadata(file, metadata),
    inputs,
    outputs,
    externalData,
  };
}

async function parseOpset(walker: ProtoWalker, f: ProtoField): Promise<{ domain: string; version: number }> {
  let domain = '';
  let version = 0;
  for await (const g of walker.fields(f.offset, f.offset + f.length)) {
    if (g.field === 1) domain = await walker.string(g, MAX_STRING);
    else if (g.field === 2) version = expectVarint(g, 'opset version');
  }
  return { domain, version };
}

async function parseEntry(walker: ProtoWalker, f: ProtoField): Promise<[string, string]> {
  let key = '';
  let value = '';
  for await (const g of walker.fields(f.offset, f.offset + f.length)) {
    if (g.field === 1) key = await walker.string(g, MAX_STRING);
    else if (g.field === 2) value = await walker.string(g, MAX_STRING);
  }
  return [key, value];
}

async function parseGraphIo(
  walker: ProtoWalker,
  graph: ProtoField,
): Promise<{ inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[]; externalData: boolean }> {
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const initializers = new Set<string>();
  let externalData = false;
  const addInitializer = async (f: ProtoField) => {
    const t = await parseInitializer(walker, f);
    initializers.add(t.name);
    externalData ||= t.external;
  };
  for await (const g of walker.fields(graph.offset, graph.offset + graph.length)) {
    if (g.field === G_INPUT) inputs.push(await parseValueInfo(walker, expectLen(g, 'graph input')));
    else if (g.field === G_OUTPUT) outputs.push(await parseValueInfo(walker, expectLen(g, 'graph output')));
    else if (g.field === G_INITIALIZER) await addInitializer(expectLen(g, 'initializer'));
    else if (g.field === G_SPARSE_INITIALIZER) {
      for await (const s of walker.fields(g.offset, g.offset + expectLen(g, 'sparse initializer').length)) {
        if (s.field === S_VALUES) await addInitializer(expectLen(s, 'sparse values'));
      }
    }
    // nodes, value_info, doc strings: skipped
  }
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs, externalData };
}

async function parseInitializer(
  walker: ProtoWalker,
  f: ProtoField,
): Promise<{ name: string; external: boolean }> {
  let name = '';
  let external = false;
  // The raw weights (raw_data = 9, float_data = 4...) are skipped by seeking.
  for await (const t of walker.fields(f.offset, f.offset + f.length)) {
    if (t.field === T_NAME) name = await walker.string(t, MAX_STRING);
    else if (t.field === T_DATA_LOCATION && t.wire === WIRE_VARINT)
      external = t.value === DATA_LOCATION_EXTERNAL;
  }
  return { name, external };
}

async function parseValueInfo(walker: ProtoWalker, f: ProtoField): Promise<OnnxValueInfo> {
  let name = '';
  let dtype = 'unknown';
  let dims: (number | string)[] | undefined;
  for await (const v of walker.fields(f.offset, f.offset + f.length)) {
    if (v.field === 1) name = await walker.string(v, MAX_STRING);
    else if (v.field === 2) {
      // TypeProto: tensor_type = 1; sequences, maps, optionals... are not tensors.
      dtype = 'non-tensor';
      for await (const t of walker.fields(v.offset, v.offset + expectLen(v, 'type').length)) {
        if (t.field !== 1) continue;
        ({ dtype, dims } = await parseTensorType(walker, expectLen(t, 'tensor_type')));
      }
    }
  }
  return { name, dtype, dims };
}

async function parseTensorType(
  walker: ProtoWalker,
  f: ProtoField,
): Promise<{ dtype: string; dims: (number | string)[] | undefined }> {
  let dtype = 'unknown';
  let dims: (number | string)[] | undefined;
  for await (const t of walker.fields(f.offset, f.offset + f.length)) {
    if (t.field === 1) {
      const code = expectVarint(t, 'elem_type');
      dtype = DTYPES[code] ?? `unknown(${code})`;
    } else if (t.field === 2) {
      dims = [];
      for await (const d of walker.fields(t.offset, t.offset + expectLen(t, 'shape').length)) {
        if (d.field === 1) dims.push(await parseDim(walker, expectLen(d, 'dim')));
      }
    }
  }
  return { dtype, dims };
}

async function parseDim(walker: ProtoWalker, f: ProtoField): Promise<number | string> {
  let dim: number | string = '';
  for await (const d of walker.fields(f.offset, f.offset + f.length)) {
    if (d.field === 1) {
      // A negative or huge dim_value (seen in broken exports) reads as an unnamed dynamic dim.
      dim = d.wire === WIRE_VARINT && Number.isSafeInteger(d.value) ? d.value : '';
    } else if (d.field === 2) dim = await walker.string(d, MAX_STRING);
  }
  return dim;
}

function expectVarint(f: ProtoField, what: string): number {
  if (f.wire !== WIRE_VARINT) throw new MalformedProtobuf(`${what} has wire type ${f.wire}`);
  if (!Number.isSafeInteger(f.value)) throw new MalformedProtobuf(`${what} is out of range`);
  return f.value;
}

function expectLen(f: ProtoField, what: string): ProtoField {
  if (f.wire !== WIRE_LEN) throw new MalformedProtobuf(`${what} has wire type ${f.wire}`);
  return f;
}

function fileError(path: string, err: unknown): SpeechError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new SpeechError('MODEL_NOT_FOUND', `${path}: no such model file`, { file: path }, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new SpeechError(
    'MODEL_BAD_ONNX',
    `${path}: cannot read the model file (${message})`,
    { file: path },
    { cause: err },
  );
}
