/**
 * Options of the population stand-in, checked once at construction so a typo fails at start-up with a
 * message that names the option, never halfway through a test.
 */
import { DEFAULT_CITIZENS, DEFAULT_SEED } from './data.ts';

/** The shared secret the stand-in expects in `serviceId` unless told otherwise. DEVELOPMENT ONLY. */
export const DEV_SECRET = 'DEV-ONLY-not-a-secret-population';

/** Faults that can be injected at run time through `POST /__faults`. */
export const FAULT_MODES = ['soapFault', 'timeout', 'badXml', 'badEncoding', 'errflag', 'httpError'] as const;

/** One injectable fault; `null` means answer normally. */
export type FaultMode = (typeof FAULT_MODES)[number] | null;

/** Options of startPopulationStandIn. */
export interface PopulationStandInOptions {
  /** TCP port; 0 picks a free ephemeral port. Default 0. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1` (never exposed by default). */
  host?: string;
  /** How many citizens to generate. Default 10,000. */
  citizens?: number;
  /** Seed of the data generator; the same seed gives the same citizens. Default 20240520. */
  seed?: number;
  /** Delay in ms before every SOAP answer, to imitate a slow registry. Default 0. */
  latencyMs?: number;
  /** Shared secret expected in `serviceId`. Default DEV_SECRET (development only). */
  secret?: string;
}

/** Options with every default applied. */
export type ResolvedStandInOptions = Required<PopulationStandInOptions>;

/** Applies defaults and checks every option, throwing a TypeError that names the bad one. */
export function resolveStandInOptions(options: PopulationStandInOptions = {}): ResolvedStandInOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('Population stand-in options must be an object.');
  const known = new Set(['port', 'host', 'citizens', 'seed', 'latencyMs', 'secret']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`Unknown population stand-in option "${key}"; known: ${[...known].join(', ')}.`);
  }
  const resolved: ResolvedStandInOptions = {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    citizens: options.citizens ?? DEFAULT_CITIZENS,
    seed: options.seed ?? DEFAULT_SEED,
    latencyMs: options.latencyMs ?? 0,
    secret: options.secret ?? DEV_SECRET,
  };
  integer('port', resolved.port, 0, 65_535);
  integer('citizens', resolved.citizens, 1, 1_000_000);
  integer('seed', resolved.seed, 0, 2 ** 32 - 1);
  integer('latencyMs', resolved.latencyMs, 0, 600_000);
  if (typeof resolved.host !== 'string' || resolved.host === '') throw new TypeError('Option host must be a non-empty string.');
  if (typeof resolved.secret !== 'string' || resolved.secret === '') throw new TypeError('Option secret must be a non-empty string.');
  return resolved;
}

function integer(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`Option ${name} must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
}
