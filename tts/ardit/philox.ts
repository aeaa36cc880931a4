import { SpeechError } from '../../common/errors.js';

/**
 * Counter-based noise shared with Python (models/py/tts/ardit/philox.py, written
 * independently; CONTRACT.md "Noise").
 *
 * Philox4x32-10 (Salmon et al., SC'11; the Random123 reference): key = (seed mod 2^32,
 * seed div 2^32), counter = (block mod 2^32, block div 2^32, 0, 0). Block b yields four
 * uint32 words; word n of a stream is lane n % 4 of block n / 4. Normals pair words
 * (2i, 2i + 1) into u = (w + 0.5) / 2^32 and apply Box-Muller in float64. Value n is a pure
 * function of (seed, n), so a patch's noise does not depend on what was drawn before it.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_32 = 4294967296;

export type PhiloxBlock = [number, number, number, number];

/** High 32 bits of a 32x32-bit product: 16-bit split keeps every partial product exact in a double. */
function mulHi(a: number, b: number): number {
  const p1 = (a >>> 16) * b; // < 2^48
  const p0 = (a & 0xffff) * b; // < 2^48
  const p1Lo = p1 % 65536;
  const p1Hi = (p1 - p1Lo) / 65536;
  return (p1Hi + Math.floor((p1Lo * 65536 + p0) / TWO_32)) >>> 0;
}

/** One Philox4x32 block (unsigned 32-bit words in and out). */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
  rounds = 10,
): PhiloxBlock {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0) as PhiloxBlock;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

/** The noise stream of one seed (an integer in [0, 2^53)). */
export class PhiloxStream {
  readonly seed: number;
  readonly #key: [number, number];

  constructor(seed: number) {
    if (!(Number.isSafeInteger(seed) && seed >= 0)) {
      throw new SpeechError('CONFIG_INVALID', `seed must be an integer in [0, 2^53), got ${seed}`);
    }
    this.seed = seed;
    this.#key = [seed % TWO_32, Math.floor(seed / TWO_32)];
  }

  /** Words start .. start + count - 1. */
  words(start: number, count: number): Uint32Array {
    const out = new Uint32Array(count);
    let block = -1;
    let cached: PhiloxBlock = [0, 0, 0, 0];
    for (let i = 0; i < count; i++) {
      const n = start + i;
      const b = Math.floor(n / 4);
      if (b !== block) {
        block = b;
        cached = philox4x32([b % TWO_32, Math.floor(b / TWO_32), 0, 0], this.#key);
      }
      out[i] = cached[n % 4]!;
    }
    return out;
  }

  /** Standard normals start .. start + count - 1 (start even: they come in Box-Muller pairs). */
  normals(start: number, count: number, out = new Float32Array(count)): Float32Array {
    if (start % 2 !== 0) throw new SpeechError('INTERNAL', `normals: start ${start} is odd`);
    const pairs = Math.ceil(count / 2);
    const w = this.words(start, 2 * pairs);
    for (let i = 0; i < pairs; i++) {
      const u1 = (w[2 * i]! + 0.5) / TWO_32;
      const u2 = (w[2 * i + 1]! + 0.5) / TWO_32;
      const r = Math.sqrt(-2 * Math.log(u1));
      out[2 * i] = r * Math.cos(2 * Math.PI * u2);
      if (2 * i + 1 < count) out[2 * i + 1] = r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }
}
