/**
 * Seeded standard-normal generator for dither (xorshift32 + Box-Muller).
 *
 * knf draws from rand_r per frame; its sequence is not reproducible outside knf, so the
 * point here is only determinism: the same seed and the same frames give the same noise.
 */
export class GaussianNoise {
  private state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed = 0) {
    // xorshift must not start at 0.
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  private uniform(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    // (0, 1]: log() below must never see 0.
    return (this.state + 1) / 4294967296;
  }

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }
}
