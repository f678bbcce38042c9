/** Who may read what in the population subgraph. Every field is named; anything unnamed is denied. */
import { argId, argIds, grant, parentId, viaGateway, type PermissionMap } from '../kit/index.ts';

/** A citizen reads their own record; an admin reads any. */
const ownCitizenOrAdmin = grant('ownCitizenOrAdmin', { role: 'citizen', own: parentId }, { role: 'admin' });
/** Asking for one citizen: the citizen themself, or an admin. */
const askOwnCitizen = grant('askOwnCitizen', { role: 'citizen', own: argId }, { role: 'admin' });
/** Asking for several citizens: every ID must be the caller's own, or the caller is an admin. */
const askOwnCitizens = grant('askOwnCitizens', { role: 'citizen', own: argIds }, { role: 'admin' });
/** Changing a record: the citizen themself, or an admin. */
const changeOwnRecord = grant('changeOwnRecord', { role: 'citizen', own: (_p, args) => args.citizenId as string }, { role: 'admin' });
/** Parts of a record (address, ethnicity) are reachable only through a field that was allowed. */
const partOfAllowedRecord = grant('partOfAllowedRecord', { role: 'citizen', note: 'as parent' }, { role: 'admin', note: 'as parent' });

export const permissions: PermissionMap = {
  Query: {
    citizen: askOwnCitizen,
    citizens: askOwnCitizens,
    _service: viaGateway,
    _entities: viaGateway,
  },
  _Service: { sdl: viaGateway },
  Citizen: {
    id: ownCitizenOrAdmin,
    name: ownCitizenOrAdmin,
    gender: ownCitizenOrAdmin,
    ethnicity: ownCitizenOrAdmin,
    birthDate: ownCitizenOrAdmin,
    address: ownCitizenOrAdmin,
    phone: ownCitizenOrAdmin,
  },
  Mutation: { updateContactPhone: changeOwnRecord },
  ContactPhoneChange: { citizen: partOfAllowedRecord, requestId: partOfAllowedRecord },
  Address: { divisionCode: partOfAllowedRecord, district: partOfAllowedRecord, text: partOfAllowedRecord },
  Ethnicity: { code: partOfAllowedRecord, name: partOfAllowedRecord },
};
