/**
 * What the TTS acoustic models (ARDiT-style, MaskGCT-style) have in common on load: a
 * directory of several pure graphs whose names and I/O signatures are declared as data,
 * opened together (all released if any fails), whose metadata_props must agree on shared
 * keys and declare the model type, contract version and the shared audio contract
 * (tts/README.md). Each family then reads its own constants from the primary graph.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SpeechError } from '../../common/errors.js';
import {
  createSession,
  type ModelSession,
  type OnnxMetadata,
  readOnnxMetadata,
  type SessionOptions,
} from '../runtime/index.js';

export interface GraphSpec {
  readonly file: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface GraphSetContract<Role extends string> {
  /** Family name for messages and session labels ('ardit', 'maskgct'). */
  readonly family: string;
  /** Human name for "not a directory holding ..." ('an ARDiT model'). */
  readonly description: string;
  readonly graphs: Readonly<Record<Role, GraphSpec>>;
  /** The graph whose metadata the others must match and the family reads. */
  readonly primary: Role;
  readonly sharedKeys: readonly string[];
  readonly modelType: string;
  readonly version: string;
}

export interface OpenedGraphSet<Role extends string> {
  readonly sessions: Record<Role, ModelSession>;
  readonly metas: Record<Role, OnnxMetadata>;
}

/** The shared TTS audio contract (tts/README.md), checked in every acoustic model. */
const audioContract = { sample_rate: 16000, hop_length: 320, n_mels: 80 } as const;

/**
 * Opens every graph of `contract` in `dir`, checks the contract, and hands the sessions and
 * metadata to `read` (the family's own constants). Any failure releases what was opened.
 */
export async function openGraphSet<Role extends string, T>(
  dir: string,
  contract: GraphSetContract<Role>,
  options: SessionOptions,
  read: (opened: OpenedGraphSet<Role>) => T,
): Promise<T> {
  if (!(await isDirectory(dir))) {
    throw new SpeechError('MODEL_NOT_FOUND', `${dir}: not a directory holding ${contract.description}`, {
      file: dir,
    });
  }
  const roles = Object.keys(contract.graphs) as Role[];
  const opened: Partial<Record<Role, ModelSession>> = {};
  try {
    const metas: Partial<Record<Role, OnnxMetadata>> = {};
    for (const role of roles) {
      const file = join(dir, contract.graphs[role].file);
      opened[role] = await createSession(file, { label: `${contract.family}-${role}`, ...options });
      metas[role] = await readOnnxMetadata(file);
    }
    const set = {
      sessions: opened as Record<Role, ModelSession>,
      metas: metas as Record<Role, OnnxMetadata>,
    };
    const problems = contractProblems(contract, set);
    if (problems.length > 0) {
      const file = set.sessions[contract.primary].path;
      throw new SpeechError(
        'MODEL_CONTRACT_MISMATCH',
        `${file}: not a speechstream ${contract.description.replace(/^an? /, '')}: ${problems.join('; ')}`,
        { file, problems },
      );
    }
    return read(set);
  } catch (err) {
    await Promise.all(Object.values<ModelSession | undefined>(opened).map((s) => s?.release()));
    throw err;
  }
}

function contractProblems<Role extends string>(
  contract: GraphSetContract<Role>,
  { sessions, metas }: OpenedGraphSet<Role>,
): string[] {
  const problems: string[] = [];
  const primary = contract.graphs[contract.primary];
  for (const role of Object.keys(contract.graphs) as Role[]) {
    const spec = contract.graphs[role];
    const inputs = sessions[role].inputs.map((i) => i.name).join(',');
    const outputs = sessions[role].outputs.map((o) => o.name).join(',');
    if (inputs !== spec.inputs.join(',') || outputs !== spec.outputs.join(',')) {
      problems.push(
        `${spec.file}: inputs ${inputs} and outputs ${outputs} (expected ${spec.inputs.join(',')} and ${spec.outputs.join(',')})`,
      );
    }
    for (const key of contract.sharedKeys) {
      if (metas[role].get(key) !== metas[contract.primary].get(key)) {
        problems.push(`${spec.file}: metadata ${key} differs from ${primary.file}'s`);
      }
    }
  }
  const meta = metas[contract.primary];
  const type = meta.get('model_type');
  if (type !== contract.modelType)
    problems.push(`model_type '${type ?? ''}' (expected ${contract.modelType})`);
  const version = meta.get('version');
  if (version !== contract.version) {
    problems.push(`version '${version ?? ''}' (this runtime reads ${contract.version})`);
  }
  for (const [key, want] of Object.entries(audioContract)) {
    const got = meta.get(key);
    if (got === undefined || Number(got) !== want)
      problems.push(`${key} ${got ?? 'missing'} (expected ${want})`);
  }
  return problems;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export function positiveInt(meta: OnnxMetadata, key: string): number {
  const v = meta.int(key);
  if (v < 1) throw metadataInvalid(meta, key, 'must be >= 1');
  return v;
}

export function metadataInvalid(meta: OnnxMetadata, key: string, why: string): SpeechError {
  return new SpeechError('MODEL_METADATA_INVALID', `${meta.file}: metadata_props '${key}' ${why}`, {
    file: meta.file,
    key,
  });
}
