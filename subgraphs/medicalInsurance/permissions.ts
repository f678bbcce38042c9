/** Who may read what in the medical insurance subgraph. Every field is named; anything unnamed is denied. */
import { grant, parentId, viaGateway, type PermissionMap } from '../kit/index.ts';

/** A citizen reads their own insurance; an admin reads any. */
const ownCitizenOrAdmin = grant('ownCitizenOrAdmin', { role: 'citizen', own: parentId }, { role: 'admin' });
/** Fields of an insurance record are reachable only through `Citizen.insurance`, which was allowed. */
const partOfAllowedRecord = grant('partOfAllowedRecord', { role: 'citizen', note: 'as parent' }, { role: 'admin', note: 'as parent' });

export const permissions: PermissionMap = {
  Query: { _service: viaGateway, _entities: viaGateway },
  _Service: { sdl: viaGateway },
  Citizen: { id: ownCitizenOrAdmin, insurance: ownCitizenOrAdmin },
  Insurance: {
    status: partOfAllowedRecord,
    type: partOfAllowedRecord,
    balance: partOfAllowedRecord,
    insuredSince: partOfAllowedRecord,
    insuredPlace: partOfAllowedRecord,
  },
};
