/**
 * Birth registration at the population registry (出生登记), for the newborn bundle: the registry's
 * `birthRegister` / `birthRevoke` SOAP operations over the same wire as every other call (client.ts).
 * Never retried: the registry applies one requestId once, so the idempotency key goes as requestId.
 */
import { badInput } from '../../core/errors.ts';
import { validateResidentId } from '../../core/resident-id.ts';
import { LegacyCaller } from '../kit/resilience.ts';
import { callRegistry, escapeXml, type RegistryEndpoint } from './client.ts';
import { DEPARTMENT, populationError } from './faults.ts';

/** A birth to register. */
export interface BirthInput {
  /** The declaring parent, already registered. */
  parentId: string;
  childName: string;
  childGender: 'MALE' | 'FEMALE';
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** 出生医学证明 number, one letter and nine digits. */
  birthCertificate: string;
}

/** Options of createBirthRegistration. */
export interface BirthRegistrationOptions {
  /** SOAP endpoint of the registry. Required. */
  url: string;
  /** Shared secret; default the stand-in's development secret. */
  secret?: string;
  /** Milliseconds before a call is abandoned. Default 3000. */
  timeoutMs?: number;
}

/** The two birth operations. */
export interface BirthRegistration {
  /** Registers the child in the parent's household; resolves to the child's new resident ID. */
  registerBirth(input: BirthInput, ctx: { requestId: string; idempotencyKey: string }): Promise<{ childId: string }>;
  /** Revokes a registration made in error (the compensation of `registerBirth`). */
  revokeBirth(childId: string, reason: string, ctx: { requestId: string; idempotencyKey: string }): Promise<void>;
}

// Must equal the stand-in's DEV_SECRET, like index.ts.
const DEV_SECRET = 'DEV-ONLY-not-a-secret-population';

/** Creates the birth operations; invalid options throw here. */
export function createBirthRegistration(options: BirthRegistrationOptions): BirthRegistration {
  if (!options || typeof options.url !== 'string' || !URL.canParse(options.url)) throw new TypeError('createBirthRegistration needs options.url, the registry\'s SOAP endpoint.');
  const endpoint: RegistryEndpoint = { url: options.url, senderId: 'citygraph', secret: options.secret ?? DEV_SECRET };
  const caller = new LegacyCaller({ department: DEPARTMENT, timeoutMs: options.timeoutMs ?? 3000, retries: 0 });
  const clientInfo = (key: string) => `<clientInfo><loginName>citygraph</loginName><requestId>${escapeXml(key)}</requestId></clientInfo>`;

  return {
    async registerBirth(input, ctx) {
      const parent = validateResidentId(input.parentId);
      if (!/^[A-Z]\d{9}$/.test(input.birthCertificate)) throw badInput('A birth certificate number (出生医学证明编号) is one capital letter and nine digits, e.g. Q210123456.', 'birthCertificate');
      const data = `<data><SBRGMSFHM>${parent}</SBRGMSFHM><XM>${escapeXml(input.childName)}</XM><XB>${input.childGender === 'MALE' ? '男' : '女'}</XB><CSRQ>${input.birthDate.replace(/-/g, '')}</CSRQ><CSZMBH>${input.birthCertificate}</CSZMBH></data>`;
      const xmlPara = `<?xml version="1.0" encoding="GBK"?><request>${data}${clientInfo(`${ctx.idempotencyKey}:birth`)}</request>`;
      const reply = await caller.call(({ signal }) => callRegistry(endpoint, 'birthRegister', xmlPara, { signal, requestId: ctx.requestId }), { idempotent: false });
      if (reply.errflag) throw populationError({ kind: 'errflag', resultCode: reply.resultCode });
      const id = (reply.results[0] as Record<string, unknown> | undefined)?.GMSFHM;
      if (typeof id !== 'string' || !/^\d{17}[\dX]$/.test(id)) throw populationError({ kind: 'badRecord', field: 'id' });
      return { childId: validateResidentId(id) };
    },
    async revokeBirth(childId, reason, ctx) {
      const xmlPara = `<?xml version="1.0" encoding="GBK"?><request><data><GMSFHM>${validateResidentId(childId)}</GMSFHM><CXYY>${escapeXml(reason)}</CXYY></data>${clientInfo(`${ctx.idempotencyKey}:revoke`)}</request>`;
      const reply = await caller.call(({ signal }) => callRegistry(endpoint, 'birthRevoke', xmlPara, { signal, requestId: ctx.requestId }), { idempotent: false });
      if (reply.errflag) throw populationError({ kind: 'errflag', resultCode: reply.resultCode });
    },
  };
}
