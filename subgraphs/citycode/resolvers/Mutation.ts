/** Mutation fields of the city code. Each is recorded by the kit (index.ts `powers`); refused attempts too. */
import { CityGraphError, ErrorCode, badInput } from '../../../core/errors.ts';
import {
  compressPublicKey, credentialBody, credentialText, deviceIdOf, isPublicKey, sign, PURPOSES, type Purpose,
} from '../../../citycode-client/index.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import { checkCode } from '../codes.ts';
import { assertAvailable, disclose, DISCLOSED, SCOPE_OF } from '../disclosure.ts';
import type { CityCodeLoaders } from '../loaders.ts';
import { alreadyUsed, CHAIN, deviceCase, FIELD, issuedTo, useCase } from '../store-reads.ts';

type Ctx = SubgraphContext<CityCodeLoaders>;

/** Most scans one upload may carry. */
export const MAX_SCANS = 500;
/** Seconds a credential's validity starts before its issue. */
export const BACKDATE_SECONDS = 300;
/** Power item of one offline scan, recorded per scan beside the upload's own record. */
export const SCAN_POWER = 'CC-SM-0401';

const nowMs = (ctx: Ctx) => (ctx.loaders.deps.now ?? Date.now)();
/** Codes being redeemed in this process now: a second redemption of the same use waits for none, it is refused. */
const inFlight = new Set<string>();

/** The citizen a credential or revocation is for: the citizen themself, or the one an app acts for. */
export function holderOf(ctx: Ctx): string {
  const p = ctx.principal;
  const id = p.role === 'app' ? p.onBehalfOf : p.sub;
  if (!id) throw new CityGraphError(ErrorCode.FORBIDDEN, 'An app needs to act for a citizen to manage their city code.');
  return id.toUpperCase();
}

function requireScope(ctx: Ctx, purpose: Purpose): void {
  if (!ctx.principal.scopes.includes(SCOPE_OF[purpose])) {
    throw new CityGraphError(ErrorCode.FORBIDDEN, `Redeeming a city code for ${purpose} needs the integrator scope ${SCOPE_OF[purpose]}.`);
  }
}

export const Mutation = {
  async issueCityCodeCredential(_: unknown, a: { devicePublicKey: string }, ctx: Ctx) {
    const deps = ctx.loaders.deps;
    const citizenId = holderOf(ctx);
    if (!isPublicKey(a.devicePublicKey)) throw badInput('devicePublicKey must be an SM2 public point in hex (130 digits from 04, or 66 from 02/03).', 'devicePublicKey');
    const device = compressPublicKey(a.devicePublicKey);
    const key = deps.keys.current();
    // Valid from a few minutes back: a phone whose clock lags still makes codes its gates accept.
    const notBefore = Math.floor(nowMs(ctx) / 1000) - BACKDATE_SECONDS;
    const fields = {
      keyId: key.kid,
      devicePublicKey: device,
      handle: deps.handles.seal(citizenId),
      functions: [...PURPOSES],
      notBefore,
      notAfter: notBefore + BACKDATE_SECONDS + Math.round(deps.credentialHours * 60) * 60,
    };
    const body = credentialBody(fields);
    return {
      credential: credentialText(body, sign(body, key)),
      keyId: key.kid,
      deviceId: deviceIdOf(device),
      handle: fields.handle,
      functions: fields.functions,
      validFrom: new Date(fields.notBefore * 1000).toISOString(),
      validUntil: new Date(fields.notAfter * 1000).toISOString(),
      requestId: ctx.requestId,
    };
  },

  async revokeCityCodeDevice(_: unknown, a: { deviceId: string }, ctx: Ctx) {
    const citizenId = holderOf(ctx);
    if (!(await issuedTo(ctx.loaders.deps.store, a.deviceId, citizenId))) {
      throw new CityGraphError(ErrorCode.NOT_FOUND, 'No city code credential was issued to you for that device.');
    }
    return { deviceId: a.deviceId, revokedAt: new Date(nowMs(ctx)).toISOString(), requestId: ctx.requestId };
  },

  async redeemCityCode(_: unknown, a: { code: string; purpose: Purpose; place?: string | null; name?: string | null }, ctx: Ctx) {
    requireScope(ctx, a.purpose);
    assertAvailable(a.purpose);
    const deps = ctx.loaders.deps;
    const { code, citizenId } = await checkCode(deps, a.code, a.purpose, Math.floor(nowMs(ctx) / 1000));
    if (a.purpose === 'IDENTITY' && !a.name) throw badInput('IDENTITY needs the name the guest gave, to answer whether it matches.', 'name');
    const use = useCase(code.id, a.purpose);
    if (inFlight.has(use) || (await alreadyUsed(deps.store, use))) {
      throw new CityGraphError(ErrorCode.CODE_ALREADY_USED, `This code was already redeemed for ${a.purpose}; ask for a fresh one.`);
    }
    inFlight.add(use);
    let disclosed;
    try {
      disclosed = await disclose(a.purpose, citizenId, code.credential.handle, a, ctx.loaders);
    } catch (e) {
      // Nothing was disclosed: the citizen may show the same code again once the department is back.
      inFlight.delete(use);
      throw e;
    }
    // The outcome record, written by the kit after this returns, refuses every later attempt; until then this set does.
    setTimeout(() => inFlight.delete(use), 5000).unref();
    return { purpose: a.purpose, codeId: code.id, redeemedAt: new Date(nowMs(ctx)).toISOString(), disclosed: DISCLOSED[a.purpose], ...disclosed, requestId: ctx.requestId };
  },

  async uploadCityCodeScans(_: unknown, a: { gate: string; scans: { code: string; purpose: Purpose; scannedAt: string; place?: string | null }[] }, ctx: Ctx) {
    const deps = ctx.loaders.deps;
    if (a.scans.length === 0 || a.scans.length > MAX_SCANS) throw badInput(`An upload carries 1 to ${MAX_SCANS} scans.`, 'scans', { max: MAX_SCANS });
    for (const s of a.scans) requireScope(ctx, s.purpose);
    const now = nowMs(ctx);
    // Every scan is checked before any is recorded: an upload with one bad signature is refused whole.
    const checked = [];
    for (const [i, s] of a.scans.entries()) {
      const at = Date.parse(s.scannedAt);
      if (!Number.isFinite(at) || at > now + 60_000) throw badInput(`Scan ${i}: scannedAt must be an ISO time not in the future.`, 'scannedAt', { index: i });
      try {
        checked.push({ scan: s, ...(await checkCode(deps, s.code, s.purpose, Math.floor(at / 1000))) });
      } catch (e) {
        if (e instanceof CityGraphError) throw new CityGraphError(e.code, `Scan ${i}: ${e.message} The upload was not recorded; fix or drop that scan.`, { department: 'citycode', details: { index: i } });
        throw e;
      }
    }
    let accepted = 0;
    let duplicates = 0;
    const p = ctx.principal;
    for (const c of checked) {
      const caseNumber = useCase(c.code.id, c.scan.purpose, true);
      if (await alreadyUsed(deps.store, caseNumber)) {
        duplicates++;
        continue;
      }
      const ref = await deps.store.appendIntent({
        department: CHAIN,
        actor: { role: p.role, department: p.department, client: p.client, sub: p.sub, onBehalfOf: p.onBehalfOf },
        operation: null,
        field: FIELD.upload,
        powerItem: SCAN_POWER,
        subject: { kind: 'citizen', id: c.citizenId },
        caseNumber,
        args: { gate: a.gate, purpose: c.scan.purpose, scannedAt: c.scan.scannedAt, place: c.scan.place ?? a.gate },
        requestId: ctx.requestId,
      });
      await deps.store.appendOutcome(ref, { outcome: 'SUCCESS' });
      accepted++;
    }
    return { accepted, duplicates, requestId: ctx.requestId };
  },
};

/** Case numbers of the mutations, computed from the arguments before any rule runs. */
export const caseNumbers = {
  issue: (a: Record<string, unknown>) => (typeof a.devicePublicKey === 'string' && isPublicKey(a.devicePublicKey) ? deviceCase(deviceIdOf(compressPublicKey(a.devicePublicKey))) : null),
  revoke: (a: Record<string, unknown>) => (typeof a.deviceId === 'string' ? deviceCase(a.deviceId) : null),
};
