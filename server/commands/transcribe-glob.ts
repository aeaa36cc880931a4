/**
 * File patterns for `transcribe`, for shells that did not expand them (Windows, quoted
 * arguments, scripts): `*`, `?`, `[abc]` / `[!abc]`, `{a,b}` and `**` (any depth).
 * Node 20 has no fs.glob; this is the small part of one that a file list needs.
 * Dot files match only a pattern segment that starts with a dot, as in sh.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';

export function hasGlobChars(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/** One path segment's pattern as an anchored RegExp. */
export function segmentRegExp(segment: string): RegExp {
  let out = '';
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\\]}]/g, '\\$&');
  }
  if (braces > 0) return new RegExp(`^${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return new RegExp(`^${out}$`);
}

/** Files matching `pattern` (relative to `cwd` unless absolute), sorted; directories are not matched. */
export async function expandGlob(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const normalized = sep === '\\' ? pattern.replace(/\\/g, '/') : pattern;
  const absolute = isAbsolute(pattern);
  const parts = normalized.split('/').filter((p, i) => p !== '' || i === 0);
  // The literal prefix is where the walk starts.
  let base = absolute ? '/' : cwd;
  let shown = absolute ? '/' : '';
  let i = absolute && parts[0] === '' ? 1 : 0;
  while (i < parts.length - 1 && !hasGlobChars(parts[i]!)) {
    base = join(base, parts[i]!);
    shown = shown === '' ? parts[i]! : join(shown, parts[i]!);
    i++;
  }
  const rest = parts.slice(i);
  const found: string[] = [];
  await walk(base, shown, rest, found);
  return [...new Set(found)].sort();
}

async function walk(dir: string, shown: string, parts: readonly string[], found: string[]): Promise<void> {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const child = (name: string) => ({ path: join(dir, name), shown: shown === '' ? name : join(shown, name) });
  if (head === '**') {
    // zero directories...
    await walk(dir, shown, rest, found);
    // ...or one more, keeping '**'
    for (const e of entries) {
      if (e.name.startsWith('.') || !e.isDirectory()) continue;
      const c = child(e.name);
      await walk(c.path, c.shown, parts, found);
    }
    return;
  }
  const re = segmentRegExp(head);
  for (const e of entries) {
    if (e.name.startsWith('.') && !head.startsWith('.')) continue;
    if (!re.test(e.name)) continue;
    const c = child(e.name);
    if (rest.length === 0) {
      if (e.isFile() || e.isSymbolicLink()) found.push(c.shown);
    } else if (e.isDirectory() || e.isSymbolicLink()) {
      await walk(c.path, c.shown, rest, found);
    }
  }
}
