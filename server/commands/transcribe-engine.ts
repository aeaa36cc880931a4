/**
 * Loads what recognition needs once per run (the engine, the optional Silero VAD) and
 * reports the effective configuration: with --verbose, the models, the provider actually
 * used and the stream options, on stderr.
 */

import { type AsrEngine, loadAsrEngine, sessionCombine } from '../../asr/engine.js';
import { SpeechError } from '../../common/errors.js';
import { SileroVadModel, sileroWindows } from '../../models/vad/silero-vad-model.js';
import type { CliIo } from '../output/cli-io.js';
import { offlineConflicts, type RecognitionSettings } from './transcribe-options.js';

export interface Recognition {
  readonly engine: AsrEngine;
  readonly vad: SileroVadModel | undefined;
  readonly sampleRate: number;
  close(): Promise<void>;
}

export async function openRecognition(
  settings: RecognitionSettings,
  io: CliIo,
  options: { readonly verbose?: boolean } = {},
): Promise<Recognition> {
  const { config } = settings;
  const engine = await loadAsrEngine({
    model: settings.modelDir,
    ...(settings.secondPassDir !== undefined && { secondPassModel: settings.secondPassDir }),
    session: { provider: config.provider, intraOpThreads: config.threads },
    secondPassCombine: config.secondPassCombine,
    ...(settings.stream.decoder !== undefined && { decoder: settings.stream.decoder }),
  });
  let vad: SileroVadModel | undefined;
  try {
    const { primary } = engine;
    if (primary.mode === 'offline') {
      const conflicts = offlineConflicts(settings);
      if (conflicts.length > 0) {
        throw new SpeechError(
          'ASR_UNSUPPORTED_OPTION',
          `${conflicts.join(', ')} need${conflicts.length === 1 ? 's' : ''} a streaming model; ` +
            `${primary.manifest.id} (${primary.manifest.family}) is offline`,
          { model: primary.manifest.dir, options: conflicts },
        );
      }
    }
    if (primary.mode === 'streaming') {
      // Bad stream options (a lookahead or head the model lacks) fail once, before any input.
      primary.recognizer.createStream(settings.stream).close();
    }
    const sampleRate = primary.recognizer.info.sampleRate;
    if (settings.vadPath !== undefined) {
      vad = await SileroVadModel.load(settings.vadPath, {
        sampleRate: sileroWindows[sampleRate] === undefined ? 16000 : sampleRate,
        intraOpThreads: 1,
      });
    }
    if (options.verbose) {
      const note = (line: string) => io.stderr.write(`speechstream: ${line}\n`);
      const info = primary.recognizer.info;
      note(
        `model ${primary.manifest.id} (${primary.manifest.family}, ${primary.mode}) at ${primary.manifest.dir}`,
      );
      note(
        `provider ${info.provider} (requested ${config.provider}), threads ${config.threads}, ${sampleRate} Hz`,
      );
      if (primary.mode === 'streaming') {
        const lookahead = settings.stream.lookahead ?? info.lookaheads[0];
        const decoder = settings.stream.decoder ?? 'model default';
        const hotwords = settings.hotwords.map((h) => h.phrase).join(', ');
        note(
          `decoder ${decoder} (heads ${info.decoders.join(', ') || 'n/a'}), lookahead ${lookahead ?? 'n/a'}` +
            `${lookahead === undefined ? '' : ` (${lookahead * 80} ms)`}${hotwords ? `, hotwords ${hotwords}` : ''}`,
        );
      }
      const second = engine.secondPass;
      note(
        second === undefined
          ? 'second pass off'
          : `second pass ${second.manifest.id} (${second.manifest.family}) at ${second.manifest.dir}, provider ${second.recognizer.info.provider}, finals ${sessionCombine(engine, settings.stream.decoder)}`,
      );
      if (vad !== undefined) {
        note(
          `vad ${settings.vadPath} at ${vad.sampleRate} Hz` +
            (primary.mode === 'streaming' ? ' (unused: a streaming model segments at its endpoints)' : ''),
        );
      } else if (primary.mode === 'offline') {
        note('no vad: long audio is cut at quiet points (max 20 s)');
      }
    }
    return {
      engine,
      vad,
      sampleRate,
      async close() {
        await Promise.all([engine.close(), vad?.release()]);
      },
    };
  } catch (err) {
    await Promise.all([engine.close(), vad?.release()]);
    throw err;
  }
}
