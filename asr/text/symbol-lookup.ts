/**
 * What the text stage needs from a token table: the raw symbol of an id as written in
 * tokens.txt (`▁` and `@@` untouched), or undefined for an unknown id. The tokens.txt
 * parser in models/runtime satisfies it; tests can pass a plain array wrapper.
 */
export interface SymbolLookup {
  symbol(id: number): string | undefined;
}

/** A lookup over an in-memory list where index = id (handy for tests and tiny vocabularies). */
export function symbolsFromList(list: readonly string[]): SymbolLookup {
  return { symbol: (id) => list[id] };
}
