/**
 * Adapter of the national medical insurance platform (医保信息平台): the graph asks for many citizens at
 * once, the platform answers one person per call, so the adapter deduplicates and fans out under a
 * concurrency limit, with LegacyCaller's timeout, retries, and breaker on every call.
 */
import { CityGraphError, ErrorCode, badInput, isCityGraphError } from '../../core/errors.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { createPersonInfoClient } from './client.ts';
import { DEPARTMENT } from './faults.ts';
import { mapPersonInfoReply } from './mapper.ts';
import type { InsuranceRecord, LoadContext, MedicalInsuranceAdapter } from './types.ts';

export type { InsuranceRecord, InsuranceStatus, InsuranceType, LoadContext, MedicalInsuranceAdapter } from './types.ts';

/** Options of the adapter; checked once, here, so a typo fails at start-up and not on the first query. */
export interface MedicalInsuranceAdapterOptions {
  /** Base URL of the platform, e.g. `http://127.0.0.1:41234` (the path `/fsi/api/…` is added). Required. */
  url: string;
  /** The 12-character institution code that starts every msgid. Default `H21010200001`. */
  institutionCode?: string;
  /** Milliseconds before one call is abandoned with ADAPTER_TIMEOUT. Default 2000. */
  timeoutMs?: number;
  /** Extra attempts after a timeout or transport failure; 1101 is a read, so retrying is safe. Default 2. */
  retries?: number;
  /** Calls in flight at once towards the platform. Default 8. */
  concurrency?: number;
}

const KNOWN_OPTIONS = ['url', 'institutionCode', 'timeoutMs', 'retries', 'concurrency'];
const RESIDENT_ID_SHAPE = /^\d{17}[\dX]$/;
const REQUEST_ID_SHAPE = /^[\x21-\x7e]{1,128}$/;

/** Creates the adapter; throws a TypeError that names the option when the options are wrong. */
export function createMedicalInsuranceAdapter(options: MedicalInsuranceAdapterOptions): MedicalInsuranceAdapter {
  const { url, institutionCode } = checkOptions(options);
  const caller = new LegacyCaller({
    department: DEPARTMENT,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    concurrency: options.concurrency ?? 8,
  });
  const client = createPersonInfoClient({ url, institutionCode });

  function loadOne(id: unknown, requestId: string): Promise<InsuranceRecord | null | Error> {
    // The graph validates IDs at its edge; this only keeps garbage from ever reaching the platform.
    if (typeof id !== 'string' || !RESIDENT_ID_SHAPE.test(id)) {
      return Promise.resolve(badInput('A resident ID number has 18 characters: 17 digits, then a digit or X.', 'format'));
    }
    return caller
      .call(async ({ signal }) => mapPersonInfoReply(await client.personInfo(id, { signal, requestId }), id), { idempotent: true })
      .catch(slotError);
  }

  return {
    async loadInsurance(ids: readonly string[], ctx: LoadContext) {
      if (!Array.isArray(ids)) throw new TypeError('loadInsurance needs an array of resident ID numbers.');
      if (!ctx || typeof ctx.requestId !== 'string' || !REQUEST_ID_SHAPE.test(ctx.requestId)) {
        throw new TypeError('loadInsurance needs ctx.requestId: 1–128 printable ASCII characters without spaces.');
      }
      // One call per distinct person: the platform has no batch transaction and counts every call.
      const byId = new Map<string, Promise<InsuranceRecord | null | Error>>();
      for (const id of ids) if (!byId.has(id)) byId.set(id, loadOne(id, ctx.requestId));
      return Promise.all(ids.map((id) => byId.get(id)!));
    },
  };
}

/** Anything that is not already a coded error is a bug of ours, not the platform's. */
function slotError(e: unknown): Error {
  if (isCityGraphError(e)) return e;
  return new CityGraphError(ErrorCode.INTERNAL, 'Internal error in the medical insurance adapter.', { department: DEPARTMENT, cause: e });
}

function checkOptions(options: MedicalInsuranceAdapterOptions): { url: string; institutionCode: string } {
  const name = 'createMedicalInsuranceAdapter';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name} needs an options object with at least { url }.`);
  const unknown = Object.keys(options).filter((k) => !KNOWN_OPTIONS.includes(k));
  if (unknown.length > 0) throw new TypeError(`${name}: unknown option(s) ${unknown.join(', ')}; known: ${KNOWN_OPTIONS.join(', ')}.`);
  const { url, institutionCode = 'H21010200001', retries, concurrency } = options;
  if (typeof url !== 'string' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new TypeError(`${name}: options.url must be an http(s) URL of the platform.`);
  }
  if (typeof institutionCode !== 'string' || !/^[A-Za-z0-9]{12}$/.test(institutionCode)) {
    throw new TypeError(`${name}: options.institutionCode must be 12 letters or digits (it starts every msgid).`);
  }
  if (retries !== undefined && !Number.isInteger(retries)) throw new TypeError(`${name}: options.retries must be a whole number.`);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) throw new TypeError(`${name}: options.concurrency must be a whole number.`);
  return { url, institutionCode };
}
