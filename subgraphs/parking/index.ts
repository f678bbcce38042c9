/** The parking platform's subgraph (好停车): public car parks and free spaces, a citizen's vehicles, sessions and reservations. */
import { validateResidentId } from '../../core/resident-id.ts';
import { defineSubgraph } from '../kit/index.ts';
import { createLoaders, type ParkingDeps, type ParkingLoaders } from './loaders.ts';
import { disclosures, permissions } from './permissions.ts';
import { Citizen } from './resolvers/Citizen.ts';
import { Mutation } from './resolvers/Mutation.ts';
import { ParkingLot } from './resolvers/ParkingLot.ts';
import { ParkingReservation, ParkingSession } from './resolvers/ParkingSession.ts';
import { Query } from './resolvers/Query.ts';
import { validateIdempotencyKey, validatePlatformId, validateReservation, validateSearch } from './validate.ts';

const citizenSubject = (args: Record<string, any>) => ({ kind: 'citizen' as const, id: String(args.citizenId) });

export const parking = defineSubgraph<ParkingDeps, ParkingLoaders>({
  name: 'parking',
  resolvers: { Query, Mutation, Citizen, ParkingLot, ParkingSession, ParkingReservation } as never,
  permissions,
  disclosures,
  createLoaders,
  validate: {
    Query: {
      parkingLots: validateSearch,
      parkingLot: (a) => ({ ...a, id: validatePlatformId(a.id, 'lot') }),
    },
    Mutation: {
      reserveParking: (a) => validateReservation(a),
      cancelParkingReservation: (a) => ({ ...a, citizenId: validateResidentId(a.citizenId), id: validatePlatformId(a.id, 'reservation'), idempotencyKey: validateIdempotencyKey(a.idempotencyKey) }),
      payParkingSession: (a) => ({ ...a, citizenId: validateResidentId(a.citizenId), sessionId: validatePlatformId(a.sessionId, 'session'), idempotencyKey: validateIdempotencyKey(a.idempotencyKey) }),
    },
  },
  powers: {
    reserveParking: { code: 'TC-YY-0101', subject: citizenSubject, sensitiveArgs: ['citizenId', 'plate'] },
    cancelParkingReservation: { code: 'TC-YY-0102', subject: citizenSubject, sensitiveArgs: ['citizenId'] },
    payParkingSession: { code: 'TC-JF-0201', subject: citizenSubject, sensitiveArgs: ['citizenId'] },
  },
});
export type { ParkingDeps } from './loaders.ts';
