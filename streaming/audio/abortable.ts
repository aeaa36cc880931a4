/**
 * Iterates an async iterable until it ends or `signal` aborts. An abort rejects the pending
 * `next()` at once (it does not wait for the source to produce something), and the source
 * iterator is always closed with `return()`, which for Node streams destroys them.
 */
export async function* abortable<T>(
  source: AsyncIterable<T>,
  signal?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  if (signal === undefined) {
    try {
      while (true) {
        const r = await iterator.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  let onAbort = (): void => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
  });
  aborted.catch(() => {}); // observed through Promise.race only
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
      signal.throwIfAborted();
      const r = await Promise.race([iterator.next(), aborted]);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    await iterator.return?.();
  }
}
