/**
 * Who may do what with the city code. Every field is named; anything unnamed is denied.
 * `docs/access.md` is generated from these rules (`npm run -s access-table`).
 *
 * A credential and a revocation are the citizen's own (or an app's acting for them, `citycode:issue`).
 * Redemptions and uploads are integrators' (a hospital, a car park, a hotel, a metro operator), each
 * purpose needing its own scope: the rule lets in a key with any city code scope, the resolver then
 * refuses (FORBIDDEN, recorded) a purpose whose scope the key lacks.
 */
import { ROLES } from '../../core/principal.ts';
import { citizenData, grant, parentId, viaGateway, type DisclosureMap, type PermissionMap } from '../kit/index.ts';
import { SCOPE_OF } from './disclosure.ts';

/** Scope of an app fetching credentials and revoking devices for the citizen it acts for. */
const ISSUE = 'citycode:issue';
/** Scope of an app reading the citizen's code uses. */
const READ = 'citycode:read';

const holder = grant('cityCodeHolder', { role: 'citizen' }, { role: 'app', scope: ISSUE });
const holderAnswer = grant('cityCodeHolderAnswer', { role: 'citizen', note: 'via parent' }, { role: 'app', scope: ISSUE, note: 'via parent' });
const scanner = grant('cityCodeScanner', ...Object.values(SCOPE_OF).map((scope) => ({ role: 'integrator' as const, scope, note: 'purpose checked' })));
const scannerAnswer = grant('cityCodeScannerAnswer', ...Object.values(SCOPE_OF).map((scope) => ({ role: 'integrator' as const, scope, note: 'via parent' })));
const uses = grant('cityCodeUses', { role: 'citizen', own: parentId }, { role: 'app', own: parentId, scope: READ }, { role: 'admin' });
const useFields = grant('partOfCityCodeUses', { role: 'citizen', note: 'via parent' }, { role: 'app', scope: READ, note: 'via parent' }, { role: 'admin', note: 'via parent' });
/** Joins from the gateway, for every role but integrators (they never reach a citizen by ID). */
const join = grant('gatewayJoin', ...ROLES.filter((r) => r !== 'integrator').map((role) => ({ role, note: 'gateway' })));

const fieldsOf = (fields: readonly string[], r: ReturnType<typeof grant>) => Object.fromEntries(fields.map((f) => [f, r]));

export const permissions: PermissionMap = {
  Query: { _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  Mutation: { issueCityCodeCredential: holder, revokeCityCodeDevice: holder, redeemCityCode: scanner, uploadCityCodeScans: scanner },
  CityCodeCredential: fieldsOf(['credential', 'keyId', 'deviceId', 'handle', 'functions', 'validFrom', 'validUntil', 'requestId'], holderAnswer),
  CityCodeRevocation: fieldsOf(['deviceId', 'revokedAt', 'requestId'], holderAnswer),
  CityCodeRedemption: fieldsOf(['purpose', 'codeId', 'redeemedAt', 'disclosed', 'insurance', 'parking', 'identity', 'transit', 'requestId'], scannerAnswer),
  CityCodeInsurance: fieldsOf(['insured', 'status', 'type'], scannerAnswer),
  CityCodeParking: fieldsOf(['plates', 'hasUnpaidSessions'], scannerAnswer),
  CityCodeIdentity: fieldsOf(['matches'], scannerAnswer),
  CityCodeTransit: fieldsOf(['handle'], scannerAnswer),
  CityCodeScanUpload: fieldsOf(['accepted', 'duplicates', 'requestId'], scannerAnswer),
  Citizen: { id: uses, codeUses: uses },
  CityCodeUse: fieldsOf(['time', 'kind', 'purpose', 'scanner', 'scannerRole', 'place', 'outcome', 'errorCode', 'disclosed', 'recordSeq'], useFields),
};

/** Reads of a citizen's list of code uses by anyone else (an app acting for them, staff) are recorded (阳光示权). */
export const disclosures: DisclosureMap = {
  Citizen: { codeUses: citizenData(parentId) },
};
