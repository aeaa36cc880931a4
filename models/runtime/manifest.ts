import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { SpeechError } from '../../common/errors.js';
import { detectFamily, type Precision, pickOnnx } from './detect-family.js';
import {
  type CountRule,
  type FamilyId,
  type FamilySpec,
  type FeaturePresetName,
  type FileRole,
  families,
  type OnnxRole,
} from './families.js';
import { type ManifestFile, manifestFileSchema } from './manifest-schema.js';
import type { OnnxMetadata } from './metadata-map.js';
import { type OnnxModelInfo, readOnnxModelInfo } from './onnx-metadata.js';
import { readTokens, type SymbolTable } from './tokens.js';

/**
 * A model directory, validated: every file the family needs is there, every graph has
 * the family's input/output counts, the metadata keys parse, tokens.txt agrees with
 * vocab_size. Reading it creates no onnxruntime session (the graphs are not loaded), so
 * listing models stays cheap. Every problem is a coded SpeechError naming the file.
 */
export interface ModelManifest {
  readonly dir: string;
  readonly id: string;
  readonly family: FamilyId;
  readonly spec: FamilySpec;
  readonly task: 'asr' | 'tts';
  readonly description: string | undefined;
  readonly licence: string | undefined;
  /** Where the family came from: speechstream.json, or detected from files and metadata. */
  readonly source: 'manifest' | 'detected';
  readonly featurePreset: FeaturePresetName;
  /** speechstream.json's `defaultDecoder`: the head a session gets when it names none. */
  readonly defaultDecoder: 'ctc' | 'rnnt' | 'hybrid' | undefined;
  /** speechstream.json's `secondPassCombine`: the 2-pass final its card measured best. */
  readonly secondPassCombine: 'replace' | 'vote' | undefined;
  /** Absolute path per role present. */
  readonly files: Readonly<Partial<Record<FileRole, string>>>;
  /** Roles whose chosen file is a .int8.onnx variant. */
  readonly int8: readonly OnnxRole[];
  /** Header, metadata and graph I/O of each ONNX file. */
  readonly onnx: Readonly<Partial<Record<OnnxRole, OnnxModelInfo>>>;
  /** metadata_props of the family's metadata-carrying file. */
  readonly metadata: OnnxMetadata;
  readonly tokens: SymbolTable;
  /** `speechstream_lookaheads`: encoder lookahead frames the export supports. */
  readonly lookaheads: readonly number[] | undefined;
}

export interface LoadManifestOptions {
  /** Prefer sherpa's fp32 files (default) or their .int8.onnx variants; either falls back to the other. */
  readonly precision?: Precision;
}

export const MANIFEST_FILE = 'speechstream.json';

export async function loadManifest(dir: string, options: LoadManifestOptions = {}): Promise<ModelManifest> {
  const root = resolve(dir);
  const names = await listDir(root);
  const declared = names.has(MANIFEST_FILE) ? await readManifestFile(root) : undefined;
  const prefer = options.precision ?? declared?.precision ?? 'fp32';

  const infos = new Map<string, Promise<OnnxModelInfo>>();
  const info = (file: string): Promise<OnnxModelInfo> => {
    let p = infos.get(file);
    if (p === undefined) {
      p = readOnnxModelInfo(join(root, file));
      infos.set(file, p);
    }
    return p;
  };

  const family = declared?.family ?? (await detectFamily(root, names, info, prefer));
  const spec = families[family];
  if (declared !== undefined && declared.task !== spec.task) {
    throw invalid(root, `task '${declared.task}' does not match family ${family} (a ${spec.task} family)`);
  }

  const files: Partial<Record<FileRole, string>> = {};
  const int8: OnnxRole[] = [];
  const missing: string[] = [];
  for (const f of spec.files) {
    const override = declared?.files?.[f.role];
    const base = f.file.replace(/\.onnx$/, '');
    const chosen = override ?? (f.int8 === undefined ? f.file : pickOnnx(names, base, prefer));
    if (
      chosen !== undefined &&
      (names.has(chosen) || (override !== undefined && (await isFile(join(root, chosen)))))
    ) {
      files[f.role] = join(root, chosen);
      if (f.role !== 'tokens' && chosen === f.int8) int8.push(f.role);
    } else if (f.required || override !== undefined) {
      missing.push(override ?? (f.int8 === undefined ? f.file : `${f.file} (or ${f.int8})`));
    }
  }
  const extraOverrides = Object.keys(declared?.files ?? {}).filter(
    (r) => !spec.files.some((f) => f.role === r),
  );
  if (extraOverrides.length > 0)
    throw invalid(root, `family ${family} has no file role ${extraOverrides.join(', ')}`);
  if (missing.length > 0) throw invalid(root, `family ${family} needs ${missing.join(', ')}`);

  const onnx: Partial<Record<OnnxRole, OnnxModelInfo>> = {};
  for (const f of spec.files) {
    const path = files[f.role];
    if (f.role !== 'tokens' && path !== undefined) onnx[f.role] = await info(relativeTo(root, path));
  }
  const carrier = onnx[spec.metadataFrom];
  if (carrier === undefined) throw invalid(root, `family ${family} reads its metadata from a missing file`);
  const metadata = carrier.metadata;
  checkMetadata(spec, metadata);
  checkIo(spec, onnx, metadata);

  const tokensPath = files.tokens;
  if (tokensPath === undefined) throw invalid(root, 'no tokens file');
  const tokens = await readTokens(tokensPath);
  checkTokens(spec, tokens, metadata);

  return {
    dir: root,
    id: declared?.id ?? basename(root),
    family,
    spec,
    task: spec.task,
    description: declared?.description,
    licence: declared?.licence,
    source: declared === undefined ? 'detected' : 'manifest',
    featurePreset: declared?.featurePreset ?? spec.featurePreset,
    defaultDecoder: declared?.defaultDecoder,
    secondPassCombine: declared?.secondPassCombine,
    files,
    int8,
    onnx,
    metadata,
    tokens,
    lookaheads: metadata.has('speechstream_lookaheads')
      ? metadata.ints('speechstream_lookaheads')
      : undefined,
  };
}

/** A JSON-friendly view for `speechstream models --json`. */
export function manifestSummary(m: ModelManifest): Record<string, unknown> {
  return {
    id: m.id,
    family: m.family,
    task: m.task,
    mode: m.spec.mode,
    description: m.description ?? m.spec.summary,
    licence: m.licence,
    source: m.source,
    dir: m.dir,
    featurePreset: m.featurePreset,
    files: Object.fromEntries(Object.entries(m.files).map(([role, path]) => [role, relativeTo(m.dir, path)])),
    int8: m.int8,
    vocabulary: m.tokens.size,
    lookaheads: m.lookaheads,
    metadata: m.metadata.toObject(),
  };
}

async function listDir(root: string): Promise<Set<string>> {
  try {
    const s = await stat(root);
    if (!s.isDirectory()) throw new SpeechError('MODEL_NOT_FOUND', `${root}: not a directory`, { dir: root });
    return new Set(await readdir(root));
  } catch (err) {
    if (err instanceof SpeechError) throw err;
    throw new SpeechError(
      'MODEL_NOT_FOUND',
      `${root}: no such model directory`,
      { dir: root },
      { cause: err },
    );
  }
}

async function readManifestFile(root: string): Promise<ManifestFile> {
  const path = join(root, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new SpeechError('MODEL_MANIFEST_INVALID', `${path}: not valid JSON (${(err as Error).message})`, {
      file: path,
    });
  }
  const parsed = manifestFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SpeechError('MODEL_MANIFEST_INVALID', `${path}: ${issues.join('; ')}`, { file: path, issues });
  }
  return parsed.data;
}

function checkMetadata(spec: FamilySpec, meta: OnnxMetadata): void {
  for (const m of spec.metadata) {
    if (!m.required && (meta.get(m.key) ?? '') === '') continue;
    // The accessors throw MODEL_METADATA_MISSING / MODEL_METADATA_INVALID naming file and key.
    if (m.type === 'int') meta.int(m.key);
    else if (m.type === 'string') meta.string(m.key);
    else if (m.type === 'ints') meta.ints(m.key);
    else if (m.sameLengthAs === undefined) meta.floats(m.key);
    else meta.floats(m.key, meta.floats(m.sameLengthAs).length);
  }
}

function checkIo(spec: FamilySpec, onnx: Partial<Record<OnnxRole, OnnxModelInfo>>, meta: OnnxMetadata): void {
  for (const [role, rule] of Object.entries(spec.io) as [
    OnnxRole,
    { inputs: CountRule; outputs: CountRule },
  ][]) {
    const model = onnx[role];
    if (model === undefined) continue; // an optional file that is absent
    for (const side of ['inputs', 'outputs'] as const) {
      const r = rule[side];
      const plus = r.plusKey === undefined ? 0 : meta.int(r.plusKey);
      const min = r.min + plus;
      const max = r.max === undefined ? undefined : r.max + plus;
      const n = model[side].length;
      if (n < min || (max !== undefined && n > max)) {
        const want = max === undefined ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
        throw new SpeechError(
          'MODEL_CONTRACT_MISMATCH',
          `${model.file}: ${spec.id} ${role} needs ${want} ${side}, the graph has ${n} ` +
            `(${model[side].map((v) => v.name).join(', ')})`,
          { file: model.file, family: spec.id, role, side, expected: want, actual: n },
        );
      }
    }
  }
}

function checkTokens(spec: FamilySpec, tokens: SymbolTable, meta: OnnxMetadata): void {
  const rule = spec.tokens;
  const fail = (why: string): never => {
    throw new SpeechError('MODEL_TOKENS_INVALID', `${tokens.file}: ${why}`, {
      file: tokens.file,
      family: spec.id,
    });
  };
  if (rule.blankLast !== undefined) {
    const id = tokens.idOf(rule.blankLast);
    if (id === undefined) fail(`has no '${rule.blankLast}' (the blank)`);
    if (id !== tokens.size - 1)
      fail(`'${rule.blankLast}' is id ${id} but must be the last id (${tokens.size - 1})`);
  }
  if (rule.count !== undefined) {
    const vocab = meta.int('vocab_size');
    const expected = rule.count === 'vocab_size' ? vocab : vocab + 1;
    if (tokens.size !== expected) {
      fail(`has ${tokens.size} tokens but metadata vocab_size ${vocab} means ${expected} (${rule.count})`);
    }
  }
  for (const s of rule.requiredSymbols ?? []) {
    if (!tokens.has(s)) fail(`has no '${s}', which the ${spec.id} decoder looks up`);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function relativeTo(root: string, path: string): string {
  return relative(root, path);
}

function invalid(root: string, why: string): SpeechError {
  return new SpeechError('MODEL_MANIFEST_INVALID', `${root}: ${why}`, { dir: root, reason: why });
}
