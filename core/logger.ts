/**
 * The one logger factory: pino JSON lines, with personal data masked at the source. Credentials are
 * removed by pino's redaction; resident ID numbers and phone numbers inside any logged string are
 * masked by a formatter, so a careless `log.info({ id })` still cannot leak one.
 */
import { pino, type Logger } from 'pino';
import { currentRequestScope } from './request-scope.ts';

export type { Logger } from 'pino';

/** Options of a service logger. */
export interface LoggerOptions {
  /** The process's name in every line, e.g. `gateway` or `subgraph-population`. Required. */
  service: string;
  /** pino level; default `info`. */
  level?: string;
  /** Where lines go; default standard output. Tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

/** 18-character resident ID (17 digits + digit/X) standing alone in text. */
const RESIDENT_ID = /(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
/** Mainland mobile numbers (1[3-9] + 9 digits) standing alone in text. */
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;

/** Masks resident ID numbers and mobile numbers inside free text. */
export function maskPersonalData(text: string): string {
  return text.replace(RESIDENT_ID, '$1**********$2').replace(MOBILE, '$1****$2');
}

/** Keys whose values are personal data or secrets and are never logged, whatever their shape. */
const SENSITIVE_KEYS = new Set(['name', 'phone', 'xm', 'lxdh', 'psn_name', 'password', 'secret', 'token', 'apikey', 'api_key', 'authorization', 'cookie']);

function maskDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { type: value.name, message: maskPersonalData(value.message), code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE_KEYS.has(k.toLowerCase()) ? '[Redacted]' : maskDeep(v, depth + 1);
  }
  return out;
}

/** Creates a service logger with personal data masked and credentials redacted. */
export function createLogger(options: LoggerOptions): Logger {
  if (!options?.service) throw new TypeError('createLogger needs options.service, the name of the process.');
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      // Every line written while serving a request names it and its trace, whoever logs (adapters included).
      mixin() {
        const scope = currentRequestScope();
        if (!scope) return {};
        return { ...(scope.requestId ? { requestId: scope.requestId } : {}), ...(scope.traceId ? { traceId: scope.traceId } : {}) };
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-citygraph-principal"]', 'req.headers.cookie', '*.token', '*.secret'],
        censor: '[Redacted]',
      },
      formatters: { log: (obj) => maskDeep(obj, 0) as Record<string, unknown> },
      hooks: {
        // Messages are masked too: an ID interpolated into a message is still an ID.
        logMethod(args, method) {
          const masked = args.map((a) => (typeof a === 'string' ? maskPersonalData(a) : a));
          return method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? process.stdout,
  );
  // A child's bindings (`log.child({ requestId })`) skip the `log` formatter, and pino gives children no
  // bindings formatter; so they are masked on the way in. Defined on the root, inherited by every child.
  const pinoChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.call(this, maskDeep(bindings, 0) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}
