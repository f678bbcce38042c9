/**
 * What each purpose discloses to the scanner that redeems a code, and nothing more. The field names
 * listed here are also what `Citizen.codeUses` shows the citizen as disclosed.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';
import type { Purpose } from '../../citycode-client/index.ts';
import type { CityCodeLoaders } from './loaders.ts';

/** Integrator scope needed to redeem for each purpose. */
export const SCOPE_OF: Record<Purpose, string> = {
  MEDICAL_INSURANCE: 'citycode:medical',
  PARKING: 'citycode:parking',
  IDENTITY: 'citycode:identity',
  TICKET: 'citycode:ticket',
  TRANSIT: 'citycode:transit',
};

/** Fields disclosed by a successful redemption (or an accepted offline scan) of each purpose. */
export const DISCLOSED: Record<Purpose, readonly string[]> = {
  MEDICAL_INSURANCE: ['insurance.insured', 'insurance.status', 'insurance.type'],
  PARKING: ['parking.plates', 'parking.hasUnpaidSessions'],
  IDENTITY: ['identity.matches'],
  TICKET: [],
  TRANSIT: ['transit.handle'],
};

/** Purposes whose department is not in the graph yet. */
const NOT_AVAILABLE: ReadonlySet<Purpose> = new Set(['TICKET']);

/** Throws PURPOSE_NOT_AVAILABLE for a purpose no department serves yet. */
export function assertAvailable(purpose: Purpose): void {
  if (NOT_AVAILABLE.has(purpose)) {
    throw new CityGraphError(ErrorCode.PURPOSE_NOT_AVAILABLE, `Redeeming a city code for ${purpose} is not available yet: no department of the graph holds reservations for it.`);
  }
}

/** Normalises a name the way a hotel's comparison should: trimmed, NFKC, inner spaces dropped. */
const normalName = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').trim();

/** The answer for one purpose: only the part that purpose needs. */
export async function disclose(purpose: Purpose, citizenId: string, handle: string, args: { name?: string | null }, l: CityCodeLoaders) {
  switch (purpose) {
    case 'MEDICAL_INSURANCE': {
      const r = await l.insurance.load(citizenId);
      return { insurance: { insured: r?.status === 'ACTIVE', status: r?.status ?? null, type: r?.type ?? null } };
    }
    case 'PARKING': {
      const [vehicles, unpaid] = await Promise.all([l.vehicles.load(citizenId), l.unpaidSessions.load(citizenId)]);
      return { parking: { plates: vehicles.map((v) => v.plate), hasUnpaidSessions: unpaid.length > 0 } };
    }
    case 'IDENTITY': {
      const c = await l.citizen.load(citizenId);
      return { identity: { matches: Boolean(c && args.name && normalName(c.name) === normalName(args.name)) } };
    }
    case 'TRANSIT':
      return { transit: { handle } };
    default:
      assertAvailable(purpose);
      throw new CityGraphError(ErrorCode.INTERNAL, `No disclosure for ${purpose}.`);
  }
}
