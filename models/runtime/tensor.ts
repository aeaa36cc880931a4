import { Tensor } from 'onnxruntime-node';
import { SpeechError } from '../../common/errors.js';

/**
 * Tensor helpers, so that code outside models/ never imports onnxruntime-node.
 * int64 tensors are backed by BigInt64Array (contract 0.4: NeMo lengths and cache lengths).
 * Tensors are treated as immutable: helpers copy, never write into their inputs.
 */

export type ModelTensor = Tensor;
export type TensorDtype = Tensor.Type;

type NumericData = Float32Array | BigInt64Array | Int32Array;

export function float32Tensor(data: Float32Array | readonly number[], dims: readonly number[]): ModelTensor {
  return make('float32', data instanceof Float32Array ? data : Float32Array.from(data), dims);
}

export function int32Tensor(data: Int32Array | readonly number[], dims: readonly number[]): ModelTensor {
  if (!(data instanceof Int32Array)) {
    for (const v of data) {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) bad(`int32 value ${v} is out of range`);
    }
  }
  return make('int32', data instanceof Int32Array ? data : Int32Array.from(data), dims);
}

export function int64Tensor(
  data: BigInt64Array | readonly (number | bigint)[],
  dims: readonly number[],
): ModelTensor {
  if (data instanceof BigInt64Array) return make('int64', data, dims);
  const out = new BigInt64Array(data.length);
  data.forEach((v, i) => {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) bad(`int64 value ${v} is not a safe integer`);
    out[i] = BigInt(v);
  });
  return make('int64', out, dims);
}

/** A zero-filled tensor (initial NeMo caches, Paraformer decoder caches). */
export function zerosTensor(dtype: 'float32' | 'int32' | 'int64', dims: readonly number[]): ModelTensor {
  const n = elementCount(dims);
  const data =
    dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new BigInt64Array(n);
  return make(dtype, data, dims);
}

/**
 * Concatenates tensors along axis 0 ([1,...] per stream -> [B,...] for a batched run).
 * All parts must share dtype and trailing dims. One part is returned as is.
 */
export function concatAxis0(parts: readonly ModelTensor[]): ModelTensor {
  const first = parts[0];
  if (first === undefined) bad('concatAxis0 needs at least one tensor');
  if (parts.length === 1) return first;
  const rest = first.dims.slice(1);
  let rows = 0;
  for (const t of parts) {
    if (t.type !== first.type) bad(`cannot concatenate ${describeTensor(first)} and ${describeTensor(t)}`);
    if (t.dims.length !== first.dims.length || t.dims.some((d, i) => i > 0 && d !== first.dims[i])) {
      bad(`cannot concatenate ${describeTensor(first)} and ${describeTensor(t)} along axis 0`);
    }
    rows += t.dims[0] ?? 0;
  }
  const out = newLike(numeric(first), rows * elementCount(rest));
  let at = 0;
  for (const t of parts) {
    const d = numeric(t);
    setInto(out, d, at);
    at += d.length;
  }
  return new Tensor(first.type, out, [rows, ...rest]);
}

/**
 * Splits a tensor along axis 0 into parts of `sizes` rows (default: one row each).
 * Parts are copies, so a stream keeping its slice does not pin the whole batch's buffer.
 */
export function splitAxis0(tensor: ModelTensor, sizes?: readonly number[]): ModelTensor[] {
  const rows = tensor.dims[0];
  if (rows === undefined) bad(`cannot split a scalar ${describeTensor(tensor)}`);
  const parts = sizes ?? new Array<number>(rows).fill(1);
  if (parts.some((s) => !Number.isInteger(s) || s < 0) || parts.reduce((a, b) => a + b, 0) !== rows) {
    bad(`split sizes [${parts.join(',')}] do not add up to dim 0 of ${describeTensor(tensor)}`);
  }
  const data = numeric(tensor);
  const rest = tensor.dims.slice(1);
  const rowLength = elementCount(rest);
  let row = 0;
  return parts.map((size) => {
    const slice = data.slice(row * rowLength, (row + size) * rowLength);
    row += size;
    return new Tensor(tensor.type, slice, [size, ...rest]);
  });
}

/** Whether the tensor's data is in GPU memory (a WebGPU output kept on the device). */
export function onDevice(tensor: ModelTensor): boolean {
  return tensor.location === 'gpu-buffer';
}

/** Frees a device tensor's GPU buffer; host tensors are left to the garbage collector. */
export function disposeTensor(tensor: ModelTensor): void {
  if (onDevice(tensor)) tensor.dispose();
}

export function float32Data(tensor: ModelTensor, what = 'tensor'): Float32Array {
  if (tensor.type !== 'float32') wrongType(tensor, 'float32', what);
  if (onDevice(tensor)) onDeviceError(tensor, what);
  return tensor.data as Float32Array;
}

export function int32Data(tensor: ModelTensor, what = 'tensor'): Int32Array {
  if (tensor.type !== 'int32') wrongType(tensor, 'int32', what);
  return tensor.data as Int32Array;
}

export function int64Data(tensor: ModelTensor, what = 'tensor'): BigInt64Array {
  if (tensor.type !== 'int64') wrongType(tensor, 'int64', what);
  return tensor.data as BigInt64Array;
}

/** 'float32[1,80,17]' */
export function describeTensor(tensor: ModelTensor): string {
  return `${tensor.type}[${tensor.dims.join(',')}]`;
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) bad(`dims [${dims.join(',')}] are not non-negative integers`);
    n *= d;
  }
  return n;
}

function make(dtype: 'float32' | 'int32' | 'int64', data: NumericData, dims: readonly number[]): ModelTensor {
  const n = elementCount(dims);
  if (data.length !== n)
    bad(`${dtype} data has ${data.length} elements but dims [${dims.join(',')}] need ${n}`);
  return new Tensor(dtype, data, dims);
}

type TypedArray = Exclude<Tensor.DataType, string[]>;

function numeric(t: ModelTensor): TypedArray {
  if (Array.isArray(t.data)) bad(`string tensors cannot be concatenated or split (${describeTensor(t)})`);
  return t.data as TypedArray;
}

function newLike(data: TypedArray, length: number): TypedArray {
  const Ctor = data.constructor as new (n: number) => TypedArray;
  return new Ctor(length);
}

function setInto(out: TypedArray, part: TypedArray, at: number): void {
  // Same constructor on both sides (checked through the dtype), so set() is a memcpy.
  (out as Uint8Array).set(part as Uint8Array, at);
}

function bad(message: string): never {
  // A tensor built with inconsistent data or dims can only be meant as a feed.
  throw new SpeechError('MODEL_FEED_INVALID', message);
}

function onDeviceError(tensor: ModelTensor, what: string): never {
  // Tensor.getData() on a gpu-buffer tensor aborts the process in onnxruntime-node 1.30,
  // so device data comes back only through DeviceDownload (device-download.ts).
  throw new SpeechError(
    'INTERNAL',
    `${what} (${describeTensor(tensor)}) is in GPU memory; download it first`,
  );
}

function wrongType(tensor: ModelTensor, expected: string, what: string): never {
  throw new SpeechError(
    'MODEL_CONTRACT_MISMATCH',
    `${what} is ${describeTensor(tensor)}, expected ${expected}`,
    {
      what,
      expected,
      actual: tensor.type,
    },
  );
}
