/**
 * Who may read what in the market regulation subgraph. Every field is named; anything unnamed is denied.
 * An enterprise (`sub` = USCC) reads its own record; a citizen reads the records of the enterprises they
 * represent (through `Citizen.representedEnterprises`); registry staff and admins read any; integrators
 * with `enterprise:verify` learn match / no match and 存续 or not, nothing more.
 */
import { citizenData, enterpriseData, grant, parentId, viaGateway, type DisclosureMap, type Grant, type PermissionMap, type SubjectOf } from '../kit/index.ts';

const DEPARTMENT = 'marketRegulation';
/** Integrator scope: does this code belong to this name, and is the enterprise 存续. */
const VERIFY = 'enterprise:verify';

const parentUscc: SubjectOf = (parent) => (parent as { uscc?: string } | null)?.uscc;
const representative: SubjectOf = (parent) => (parent as { legalRepresentative?: { citizenId?: string | null } } | null)?.legalRepresentative?.citizenId;
const argUscc: SubjectOf = (_p, args) => args.uscc as string | undefined;
const argUsccs: SubjectOf = (_p, args) => args.usccs as string[] | undefined;

const staffAndAdmin: Grant[] = [{ role: 'staff', department: DEPARTMENT }, { role: 'admin' }];

/** Asking for one enterprise by code: itself, registry staff, admins. */
const askEnterprise = grant('askEnterprise', { role: 'enterprise', own: argUscc }, ...staffAndAdmin);
/** Asking for several: every code must be the enterprise's own. */
const askEnterprises = grant('askEnterprises', { role: 'enterprise', own: argUsccs }, ...staffAndAdmin);
/** The registry record: the enterprise itself, its legal representative, registry staff, admins. */
const enterpriseRecord = grant('enterpriseRecord', { role: 'enterprise', own: parentUscc }, { role: 'citizen', own: representative, note: 'legal representative' }, ...staffAndAdmin);
/** Parts of a record are reached only through an Enterprise. */
const partOfRecord = grant('partOfRecord', { role: 'enterprise', note: 'via parent' }, { role: 'citizen', note: 'via parent' }, ...staffAndAdmin.map((g) => ({ ...g, note: 'via parent' })));
/** The match check. */
const verify = grant('verifyEnterprise', { role: 'integrator', scope: VERIFY }, ...staffAndAdmin);
/** The enterprises a citizen represents. */
const represented = grant('representedEnterprises', { role: 'citizen', own: parentId }, ...staffAndAdmin);
/** Joins from the gateway for every role but integrators, whose citizen keys are masked. */
const join = grant('gatewayJoin', ...(['anonymous', 'citizen', 'enterprise', 'staff', 'app', 'auditor', 'admin'] as const).map((role) => ({ role, note: 'gateway' })));

export const permissions: PermissionMap = {
  Query: { enterprise: askEnterprise, enterprises: askEnterprises, verifyEnterprise: verify, _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  EnterpriseCheck: { match: verify, active: verify },
  Enterprise: Object.fromEntries(
    ['uscc', 'name', 'legalRepresentative', 'registeredCapital', 'establishedOn', 'approvedOn', 'registrationAuthority', 'type', 'status', 'address', 'businessScope', 'operatingPeriod'].map((f) => [f, enterpriseRecord]),
  ),
  LegalRepresentative: { name: partOfRecord, citizen: partOfRecord },
  OperatingPeriod: { from: partOfRecord, to: partOfRecord },
  Citizen: { id: represented, representedEnterprises: represented },
};

/** Reads of an enterprise's registration (and of whom a citizen represents) by anyone else are recorded (阳光示权). */
export const disclosures: DisclosureMap = {
  Query: { verifyEnterprise: enterpriseData(argUscc) },
  Enterprise: Object.fromEntries(
    ['name', 'legalRepresentative', 'registeredCapital', 'establishedOn', 'approvedOn', 'registrationAuthority', 'type', 'status', 'address', 'businessScope', 'operatingPeriod']
      .map((f) => [f, enterpriseData(parentUscc)]),
  ),
  Citizen: { representedEnterprises: citizenData(parentId) },
};
