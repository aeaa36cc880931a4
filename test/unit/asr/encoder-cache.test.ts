// Bookkeeping of encoder caches held as rows of batch output tensors (encoder-cache.ts):
// which batch a stream's cache lives in, when a batch can be fed back as it is, when it
// is freed, and how a half-empty one shrinks. Host tensors stand in for a run's outputs.
import { describe, expect, it } from 'vitest';
import { hostFloat32, NemoEncoderCache, ResidentBatch } from '../../../models/nemo/encoder-cache.js';
import { float32Data, float32Tensor } from '../../../models/runtime/tensor.js';

/** A batch whose row b holds channel [b*10, b*10+1, b*10+2] and time [-b, -b-0.5]. */
function batchOf(caches: NemoEncoderCache[], downloads = { n: 0 }): ResidentBatch {
  const n = caches.length;
  const channel = Float32Array.from({ length: n * 3 }, (_, i) => Math.floor(i / 3) * 10 + (i % 3));
  const time = Float32Array.from({ length: n * 2 }, (_, i) => -Math.floor(i / 2) - (i % 2) * 0.5);
  return new ResidentBatch(float32Tensor(channel, [n, 3]), float32Tensor(time, [n, 2]), caches, (t) => {
    downloads.n++;
    return hostFloat32(t);
  });
}

const fresh = (n: number) => Array.from({ length: n }, () => new NemoEncoderCache());

describe('encoder caches held by a batch', () => {
  it('a batch is fed back only for exactly its streams (any order), all still in it', () => {
    const [a, b, c] = fresh(3) as [NemoEncoderCache, NemoEncoderCache, NemoEncoderCache];
    const batch = batchOf([a, b]);
    expect(a.home).toBe(batch);
    expect(b.row).toBe(1);
    expect(batch.holdsAll([a, b])).toBe(true);
    expect(batch.holdsAll([b, a])).toBe(true);
    expect(batch.holdsAll([a, a])).toBe(false);
    expect(batch.holdsAll([a])).toBe(false);
    expect(batch.holdsAll([a, b, c])).toBe(false);
    b.reset();
    expect(b.home).toBeUndefined();
    expect(batch.holdsAll([a, b])).toBe(false);
  });

  it('reads its rows from one download, however many streams read them', async () => {
    const downloads = { n: 0 };
    const batch = batchOf(fresh(3), downloads);
    const [r1, r2] = await Promise.all([batch.hostRows(), batch.hostRows()]);
    expect(r1).toBe(r2);
    expect(downloads.n).toBe(2); // channel and time, once
  });

  it('is freed when its last stream lets go (reset, release or a move), not while pinned', () => {
    const [a, b] = fresh(2) as [NemoEncoderCache, NemoEncoderCache];
    const batch = batchOf([a, b]);
    batch.pin();
    a.reset();
    b.release();
    expect(batch.held).toBe(0);
    expect(batch.disposed).toBe(false);
    batch.unpin();
    expect(batch.disposed).toBe(true);
    expect(() => batch.hostRows()).toThrow(/freed/);

    const first = batchOf([a]);
    const second = batchOf([a]);
    expect(first.disposed).toBe(true);
    expect(second.holdsAll([a])).toBe(true);
  });

  it('reset makes a cache zero again: no batch, channel length 0', () => {
    const [a] = fresh(1) as [NemoEncoderCache];
    batchOf([a]);
    a.channelLen = 5n;
    a.reset();
    expect(a.home).toBeUndefined();
    expect(a.channelLen).toBe(0n);
  });

  it('once half its rows have gone, the rest move to a batch of their own size, rows intact', async () => {
    const caches = fresh(4);
    const batch = batchOf(caches);
    caches[0]!.release();
    expect(batch.needsCompaction).toBe(false);
    caches[2]!.release();
    expect(batch.needsCompaction).toBe(true);
    const small = (await batch.compact())!;
    expect(batch.disposed).toBe(true);
    expect(small.size).toBe(2);
    expect(small.holdsAll([caches[1]!, caches[3]!])).toBe(true);
    expect(small.channel.dims).toEqual([2, 3]);
    expect([...float32Data(small.channel)]).toEqual([10, 11, 12, 30, 31, 32]);
    expect([...float32Data(small.time)]).toEqual([-1, -1.5, -3, -3.5]);
  });

  it('an emptied batch is freed rather than compacted', async () => {
    const caches = fresh(2);
    const batch = batchOf(caches);
    for (const c of caches) c.release();
    expect(batch.needsCompaction).toBe(false);
    expect(batch.disposed).toBe(true);
  });
});
