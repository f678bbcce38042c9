/** Server-side checks of a code: the client library's offline verdict, then the store's revocations. */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import { parseCode, trustFrom, verify, verifyCode, type ParsedCode, type Purpose, type Trust } from '../../citycode-client/index.ts';
import type { CityCodeDeps } from './loaders.ts';
import { isRevoked } from './store-reads.ts';

let cached: { at: number; kids: string; trust: Trust } | null = null;

/** The trust of a gate, from the published keys (the points precomputed once per key set). */
export function currentTrust(deps: CityCodeDeps): Trust {
  const keys = deps.keys.published();
  const kids = keys.map((k) => `${k.kid}:${k.publicKey}`).join(',');
  if (!cached || cached.kids !== kids) cached = { at: Date.now(), kids, trust: trustFrom(deps.keys.document([])) };
  return cached.trust;
}

/**
 * The citizen behind a code whose city signature holds, or null. Used for the record's subject before
 * any rule runs, so a forged code names nobody and a refused attempt still shows in the citizen's uses.
 */
export function citizenOfCode(deps: CityCodeDeps, text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const code = parseCode(text);
  const key = code && currentTrust(deps).keys.get(code.credential.keyId);
  if (!code || !key || !verify(code.credentialBody, code.citySignature, key.prepared)) return null;
  return deps.handles.open(code.credential.handle);
}

/** Verifies a code at `nowSeconds` for `purpose`, revocations included; throws the coded error. */
export async function checkCode(deps: CityCodeDeps, text: string, purpose: Purpose, nowSeconds: number): Promise<{ code: ParsedCode; citizenId: string }> {
  const verdict = verifyCode(text, currentTrust(deps), { now: nowSeconds, purpose });
  if (!verdict.ok) throw new CityGraphError(ErrorCode[verdict.reason], verdict.message, { department: 'citycode' });
  // Revocation is honoured at once here, even before gates download the new list.
  if (await isRevoked(deps.store, verdict.code.deviceId)) {
    throw new CityGraphError(ErrorCode.CODE_REVOKED, 'The device that made this code has been revoked.', { department: 'citycode' });
  }
  const citizenId = deps.handles.open(verdict.code.credential.handle);
  if (!citizenId) throw new CityGraphError(ErrorCode.CODE_INVALID, 'The code does not name a citizen of this city.', { department: 'citycode' });
  return { code: verdict.code, citizenId };
}
