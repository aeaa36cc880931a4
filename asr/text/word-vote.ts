/**
 * Word-level voting among several systems' transcripts of one segment (ROVER-style system
 * combination, Fiscus 1997, with a pivot): each other transcript is aligned to the pivot's
 * words by edit distance; at each pivot word the word that more than half the systems put
 * there wins, otherwise the pivot's word stands. A majority of "nothing here" deletes the
 * pivot's word; words the others insert between pivot words are not voted on (the pivot's
 * deletions stay), which keeps the result anchored to the pivot's timing.
 *
 * Pure: words in, words out. Comparison ignores case; the winning word keeps the spelling,
 * times and confidence of a system that said it (the pivot when it is among them).
 */
import type { AsrResult } from './asr-result.js';
import type { AsrWord } from './words.js';

/** For each pivot word, the index of the other's word aligned to it (-1: deleted there). */
export function alignToPivot(pivot: readonly string[], other: readonly string[]): number[] {
  const n = pivot.length;
  const m = other.length;
  // d[i][j]: edits between pivot[..i] and other[..j], row-major in one array.
  const w = m + 1;
  const d = new Int32Array((n + 1) * w);
  for (let i = 0; i <= n; i++) d[i * w] = i;
  for (let j = 0; j <= m; j++) d[j] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const sub = d[(i - 1) * w + j - 1]! + (pivot[i - 1] === other[j - 1] ? 0 : 1);
      d[i * w + j] = Math.min(d[(i - 1) * w + j]! + 1, d[i * w + j - 1]! + 1, sub);
    }
  }
  // Trace back, preferring a match or substitution, then a pivot word deleted, then an
  // insertion (the order a reader of the table would break ties in).
  const aligned = new Array<number>(n).fill(-1);
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (
      i > 0 &&
      j > 0 &&
      d[i * w + j] === d[(i - 1) * w + j - 1]! + (pivot[i - 1] === other[j - 1] ? 0 : 1)
    ) {
      aligned[i - 1] = j - 1;
      i--;
      j--;
    } else if (i > 0 && d[i * w + j] === d[(i - 1) * w + j]! + 1) {
      i--;
    } else {
      j--;
    }
  }
  return aligned;
}

/** The voted words: `pivot` with each word replaced or dropped by the majority of all systems. */
export function voteWords(pivot: readonly AsrWord[], others: readonly (readonly AsrWord[])[]): AsrWord[] {
  const key = (w: AsrWord) => w.word.toLowerCase();
  const pivotKeys = pivot.map(key);
  const columns: (AsrWord | undefined)[][] = pivot.map((w) => [w]);
  for (const other of others) {
    const aligned = alignToPivot(pivotKeys, other.map(key));
    aligned.forEach((j, slot) => {
      columns[slot]!.push(j < 0 ? undefined : other[j]);
    });
  }
  const systems = 1 + others.length;
  const out: AsrWord[] = [];
  columns.forEach((column, slot) => {
    const counts = new Map<string | undefined, number>();
    for (const w of column) {
      const k = w === undefined ? undefined : key(w);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    let winner: string | undefined = pivotKeys[slot];
    for (const [k, count] of counts) {
      if (2 * count > systems) winner = k;
    }
    if (winner === undefined) return;
    const said = column.find((w) => w !== undefined && key(w) === winner)!;
    const anchor = pivot[slot]!;
    // Times come from the pivot's slot, so the words stay ordered and on its timeline.
    out.push({ word: said.word, start: anchor.start, end: anchor.end, confidence: said.confidence });
  });
  return out;
}

/**
 * The vote among systems' results of one segment (the first is the pivot), as one result.
 * Token ids belong to one model's vocabulary, so the result carries a system's tokens only
 * when the vote chose exactly that system's words, and none when it mixed systems.
 */
export function voteResults(systems: readonly AsrResult[]): AsrResult {
  const [pivot, ...others] = systems as [AsrResult, ...AsrResult[]];
  const words = voteWords(
    pivot.words,
    others.map((r) => r.words),
  );
  const said = (ws: readonly AsrWord[]) => ws.map((w) => w.word.toLowerCase()).join(' ');
  const voted = said(words);
  const same = systems.find((r) => said(r.words) === voted);
  return {
    text: same?.text ?? words.map((w) => w.word).join(' '),
    tokens: same?.tokens ?? [],
    timestamps: same?.timestamps ?? [],
    words,
  };
}
