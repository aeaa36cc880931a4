/**
 * The one catalogue of coded errors.
 *
 * Every failure that can reach a user (CLI, HTTP, WebSocket) is a SpeechError with a
 * stable `code` from this table. The table says how it maps onto an HTTP status, a
 * WebSocket close code and a CLI exit code, so transports never invent their own.
 * Codes are append-only: clients and scripts match on them.
 */

export interface ErrorSpec {
  /** HTTP status when the error ends a request. */
  readonly http: number;
  /** WebSocket close code when the error ends a session (RFC 6455 / IANA registry). */
  readonly ws: number;
  /** Process exit code when the error ends a CLI run. */
  readonly exit: number;
  /** One-line description for docs and `speechstream errors`. */
  readonly summary: string;
}

// Exit codes: 1 generic, 2 usage, 3 input (audio/file), 4 model, 5 runtime/provider, 6 limits.
const EXIT_USAGE = 2;
const EXIT_INPUT = 3;
const EXIT_MODEL = 4;
const EXIT_RUNTIME = 5;
const EXIT_LIMIT = 6;

// WebSocket close codes: 1003 unsupported data, 1007 invalid payload, 1008 policy,
// 1009 too big, 1011 internal error, 1013 try again later.
export const errorCatalogue = {
  // --- audio input -------------------------------------------------------------
  AUDIO_WAV_NOT_RIFF: {
    http: 400,
    ws: 1007,
    exit: EXIT_INPUT,
    summary: 'The data is not a RIFF/RIFX WAVE file.',
  },
  AUDIO_WAV_TRUNCATED: {
    http: 400,
    ws: 1007,
    exit: EXIT_INPUT,
    summary: 'The WAV file ends before its header or a declared chunk does.',
  },
  AUDIO_WAV_MALFORMED: {
    http: 400,
    ws: 1007,
    exit: EXIT_INPUT,
    summary: 'The WAV header is inconsistent (bad fmt chunk, zero channels, block align mismatch...).',
  },
  AUDIO_WAV_UNSUPPORTED: {
    http: 415,
    ws: 1003,
    exit: EXIT_INPUT,
    summary: 'The WAV encoding is valid but not supported (e.g. ADPCM); decode it through ffmpeg instead.',
  },
  AUDIO_DECODE_FAILED: {
    http: 400,
    ws: 1007,
    exit: EXIT_INPUT,
    summary: 'ffmpeg could not decode the input (corrupt or unknown format).',
  },
  AUDIO_FFMPEG_MISSING: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: 'No ffmpeg binary was found (system PATH, FFMPEG_PATH, or the bundled fallback).',
  },
  AUDIO_BAD_SAMPLE_RATE: {
    http: 400,
    ws: 1007,
    exit: EXIT_USAGE,
    summary: 'A sample rate outside the supported range (1 Hz .. 384 kHz) or not an integer.',
  },
  AUDIO_BAD_FORMAT: {
    http: 400,
    ws: 1007,
    exit: EXIT_USAGE,
    summary:
      'PCM data does not match its declared format (misaligned length, unknown encoding, bad channel count).',
  },
  AUDIO_RECORDER_MISSING: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: 'No microphone recorder (sox rec or arecord) was found; install sox or alsa-utils.',
  },
  AUDIO_PLAYER_MISSING: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: 'No audio player (sox play or ffplay) was found for --play; install sox or ffmpeg.',
  },
  AUDIO_FILE_NOT_FOUND: {
    http: 404,
    ws: 1008,
    exit: EXIT_INPUT,
    summary: 'The input file does not exist or cannot be read.',
  },
  AUDIO_ENCODE_FAILED: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary:
      'ffmpeg failed while encoding speech audio (mp3, opus, aac, flac): it crashed or exited with an error.',
  },

  // --- features ----------------------------------------------------------------
  FEATURE_BAD_OPTIONS: {
    http: 500,
    ws: 1011,
    exit: EXIT_USAGE,
    summary: 'Feature extraction options are invalid (frame longer than FFT, cut-offs out of range...).',
  },
  TTS_LEXICON_INVALID: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: 'The pronouncing lexicon is missing, unreadable, or has a line that is not "word PHONE...".',
  },
  TTS_VOICE_UNKNOWN: {
    http: 400,
    ws: 1008,
    exit: EXIT_USAGE,
    summary: 'The requested voice is not one the speech model offers (GET /v1/audio/voices lists them).',
  },
  TTS_INPUT_INVALID: {
    http: 400,
    ws: 1007,
    exit: EXIT_INPUT,
    summary: 'The text to speak is empty or has nothing pronounceable in it.',
  },

  // --- models and ONNX sessions ------------------------------------------------
  MODEL_NOT_FOUND: {
    http: 404,
    ws: 1008,
    exit: EXIT_MODEL,
    summary: 'The model directory or file does not exist.',
  },
  MODEL_BAD_ONNX: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: 'The file is not a readable ONNX model.',
  },
  MODEL_METADATA_MISSING: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: 'A metadata_props key the model family requires is missing or empty.',
  },
  MODEL_METADATA_INVALID: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: 'A metadata_props value has the wrong type or range (non-integer, negative, wrong length).',
  },
  MODEL_MANIFEST_INVALID: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: 'The model directory manifest is missing files or does not match a known family.',
  },
  MODEL_CONTRACT_MISMATCH: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: "The model's inputs/outputs do not follow the family's ONNX contract.",
  },
  MODEL_TOKENS_INVALID: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary: 'tokens.txt is malformed or inconsistent with the model.',
  },
  MODEL_CMVN_INVALID: {
    http: 500,
    ws: 1011,
    exit: EXIT_MODEL,
    summary:
      'CMVN statistics (am.mvn or neg_mean/inv_stddev) are malformed or do not match the feature dimension.',
  },
  MODEL_FEED_INVALID: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: "Tensors fed to a session do not match the model's inputs (name, dtype, rank or static dim).",
  },
  MODEL_RUN_FAILED: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: 'onnxruntime failed while running a model.',
  },
  MODEL_RELEASED: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: 'A model session was used after release().',
  },
  PROVIDER_UNAVAILABLE: {
    http: 500,
    ws: 1011,
    exit: EXIT_RUNTIME,
    summary: 'The requested execution provider could not be loaded on this machine.',
  },
  PROVIDER_UNKNOWN: {
    http: 400,
    ws: 1008,
    exit: EXIT_USAGE,
    summary: 'The execution provider name is not one of cpu, cuda, tensorrt, webgpu, auto.',
  },

  // --- recognizer streams ----------------------------------------------------------
  ASR_STREAM_CLOSED: {
    http: 409,
    ws: 1008,
    exit: 1,
    summary: 'Audio or a decode was sent to a stream after inputFinished() or close().',
  },
  ASR_UNSUPPORTED_OPTION: {
    http: 400,
    ws: 1008,
    exit: EXIT_USAGE,
    summary: 'A stream option the model cannot honour (a lookahead it was not trained for, a head it lacks).',
  },

  // --- configuration and usage -------------------------------------------------
  CONFIG_INVALID: {
    http: 400,
    ws: 1008,
    exit: EXIT_USAGE,
    summary: 'A configuration value, flag or parameter is invalid.',
  },

  // --- limits --------------------------------------------------------------------
  LIMIT_FRAME_TOO_LARGE: {
    http: 413,
    ws: 1009,
    exit: EXIT_LIMIT,
    summary: 'A frame or upload is larger than the configured maximum.',
  },

  LIMIT_IDLE_TIMEOUT: {
    http: 408,
    ws: 1008,
    exit: EXIT_LIMIT,
    summary: 'No audio and no KeepAlive arrived within the idle timeout.',
  },
  LIMIT_SESSION_TOO_LONG: {
    http: 413,
    ws: 1008,
    exit: EXIT_LIMIT,
    summary: 'The session exceeded the maximum audio duration per connection.',
  },
  LIMIT_TOO_MANY_CONNECTIONS: {
    http: 503,
    ws: 1013,
    exit: EXIT_LIMIT,
    summary: 'The server is at its connection limit; retry after the Retry-After delay.',
  },
  LIMIT_SLOW_CONSUMER: {
    http: 503,
    ws: 1013,
    exit: EXIT_LIMIT,
    summary: 'The client does not read results fast enough; its send buffer outgrew the limit.',
  },
  LIMIT_TEXT_TOO_LONG: {
    http: 413,
    ws: 1009,
    exit: EXIT_LIMIT,
    summary: 'The text to speak is longer than the configured limit (ttsMaxChars).',
  },

  // --- protocol and access --------------------------------------------------------
  PROTOCOL_BAD_MESSAGE: {
    http: 400,
    ws: 1007,
    exit: EXIT_USAGE,
    summary: 'A control message is not valid JSON or does not match its schema; the message names the field.',
  },
  PROTOCOL_BAD_PARAMS: {
    http: 400,
    ws: 1008,
    exit: EXIT_USAGE,
    summary: 'Query parameters or form fields are invalid; the message names each one.',
  },
  AUTH_UNAUTHORIZED: {
    http: 401,
    ws: 1008,
    exit: EXIT_USAGE,
    summary:
      'A valid API key is required (Authorization header, ?token=, or the token WebSocket subprotocol).',
  },
  NOT_FOUND: { http: 404, ws: 1008, exit: EXIT_USAGE, summary: 'No such route, model or voice.' },
  SERVER_SHUTTING_DOWN: {
    http: 503,
    ws: 1001,
    exit: EXIT_RUNTIME,
    summary: 'The server is shutting down; finals already produced were delivered.',
  },

  // --- internal ------------------------------------------------------------------
  INTERNAL: {
    http: 500,
    ws: 1011,
    exit: 1,
    summary: 'An unexpected internal error; the message says what broke.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export class SpeechError extends Error {
  readonly code: ErrorCode;
  /** Structured context (file, input name, dims...) safe to show to the client. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SpeechError';
    this.code = code;
    this.details = details;
  }

  get spec(): ErrorSpec {
    return errorCatalogue[this.code];
  }

  get httpStatus(): number {
    return this.spec.http;
  }

  get wsCloseCode(): number {
    return this.spec.ws;
  }

  get exitCode(): number {
    return this.spec.exit;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Wraps anything thrown into a SpeechError, keeping coded errors as they are. */
export function toSpeechError(err: unknown, fallback: ErrorCode = 'INTERNAL'): SpeechError {
  if (err instanceof SpeechError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SpeechError(fallback, message, undefined, { cause: err });
}

export function isSpeechError(err: unknown, code?: ErrorCode): err is SpeechError {
  return err instanceof SpeechError && (code === undefined || err.code === code);
}
