/**
 * The microphone's bytes (signed 16-bit little-endian mono, as sox/arecord write them
 * with `-t raw`) -> float32 in [-1, 1). Pipe chunks can split a sample between two
 * reads, so an odd trailing byte is carried to the next chunk. Pure.
 */
export class Linear16Decoder {
  #carry: number | undefined;

  push(bytes: Uint8Array): Float32Array {
    const total = bytes.length + (this.#carry === undefined ? 0 : 1);
    const out = new Float32Array(total >> 1);
    let i = 0;
    let o = 0;
    if (this.#carry !== undefined && bytes.length > 0) {
      out[o++] = toFloat(this.#carry, bytes[0]!);
      this.#carry = undefined;
      i = 1;
    }
    for (; i + 1 < bytes.length; i += 2) out[o++] = toFloat(bytes[i]!, bytes[i + 1]!);
    if (i < bytes.length) this.#carry = bytes[i]!;
    return out;
  }

  /** Bytes held for the next chunk (0 or 1). */
  get pending(): number {
    return this.#carry === undefined ? 0 : 1;
  }
}

function toFloat(low: number, high: number): number {
  const v = (high << 8) | low;
  return (v >= 0x8000 ? v - 0x10000 : v) / 32768;
}
