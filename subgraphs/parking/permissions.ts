/**
 * Who may read and change what in the parking subgraph. Every field is named; anything unnamed is
 * denied. `docs/access.md` is generated from these rules (`npm run -s access-table`).
 *
 * Car parks and their free spaces are public data: every role, anonymous included, is allowed them by
 * an explicit rule. A citizen's vehicles, sessions and reservations are theirs (and an app's acting
 * for them, by scope). A car-park operator (an integrator whose client is the lot's operator) sees the
 * reservations at its own lots — plates and times; the platform's owner names never leave the adapter.
 */
import { ROLES } from '../../core/principal.ts';
import { citizenData, grant, notPersonal, parentId, viaGateway, type DisclosureMap, type Grant, type PermissionMap } from '../kit/index.ts';

const DEPARTMENT = 'parking';
/** Scope of an app reading the vehicles, sessions and reservations of the citizen it acts for. */
const READ = 'parking:read';
/** Scope of an app reserving and paying for the citizen it acts for. */
const WRITE = 'parking:write';
/** Integrator scope of a car-park operator: reservations at its own lots. */
const OPERATOR = 'parking:operator';

/** Public data, allowed to every role by name (so the table shows it and a new role is not silently let in). */
const publicLots = grant('publicLotData', ...ROLES.map((role) => ({ role, note: 'public' })));

/** Reservations at a car park: its operator, parking staff, an admin. */
const lotReservations = grant(
  'operatorReservations',
  { role: 'integrator', scope: OPERATOR, client: (lot) => (lot as { operatorId?: string } | null)?.operatorId },
  { role: 'staff', department: DEPARTMENT },
  { role: 'admin' },
);

/** The citizen's parking records. */
const recordReaders: Grant[] = [
  { role: 'citizen', own: parentId },
  { role: 'app', own: parentId, scope: READ },
  { role: 'staff', department: DEPARTMENT },
  { role: 'admin' },
];
const citizenRecord = grant('parkingRecord', ...recordReaders);
/** Fields of vehicles and sessions, reached through a citizen's record or a change's answer. */
const partOfRecord = grant(
  'partOfParkingRecord',
  ...recordReaders.map(({ own: _own, ...g }) => ({ ...g, note: 'via parent' })),
  { role: 'app', scope: WRITE, note: 'via parent' },
);
/** Fields of a reservation: its citizen's readers, and the operator through `ParkingLot.reservations`. */
const reservationPart = grant(
  'partOfReservation',
  ...recordReaders.map(({ own: _own, ...g }) => ({ ...g, note: 'via parent' })),
  { role: 'app', scope: WRITE, note: 'via parent' },
  { role: 'integrator', scope: OPERATOR, note: 'via parent' },
);

const ownChange = (args: Record<string, unknown>) => args.citizenId as string;
/** Reserving, cancelling and paying: the citizen, or an app acting for them with `parking:write`. Nobody else. */
const change = grant('parkingChange', { role: 'citizen', own: (_p, a) => ownChange(a) }, { role: 'app', own: (_p, a) => ownChange(a), scope: WRITE });
/** The answer of a change goes to whoever was allowed to make it. */
const changeAnswer = grant('parkingChangeAnswer', { role: 'citizen', note: 'via parent' }, { role: 'app', scope: WRITE, note: 'via parent' });

/** Joins from the gateway, for every role but integrators (their key to a citizen is masked). */
const join = grant('gatewayJoin', ...ROLES.filter((r) => r !== 'integrator').map((role) => ({ role, note: 'gateway' })));

const lotFields = ['id', 'name', 'district', 'divisionCode', 'address', 'location', 'distanceMeters', 'totalSpaces', 'freeSpaces', 'reservableSpaces', 'freeReservableSpaces', 'spacesUpdatedAt', 'tariff', 'openingHours'];
const fieldsOf = (fields: readonly string[], r: ReturnType<typeof grant>) => Object.fromEntries(fields.map((f) => [f, r]));

export const permissions: PermissionMap = {
  Query: { parkingLots: publicLots, parkingLot: publicLots, _service: viaGateway, _entities: join },
  _Service: { sdl: viaGateway },
  ParkingLotConnection: fieldsOf(['totalCount', 'edges', 'pageInfo'], publicLots),
  ParkingLotEdge: fieldsOf(['cursor', 'node'], publicLots),
  ParkingPageInfo: fieldsOf(['hasNextPage', 'endCursor'], publicLots),
  ParkingLot: { ...fieldsOf(lotFields, publicLots), reservations: lotReservations },
  GeoPoint: fieldsOf(['lat', 'lng'], publicLots),
  ParkingTariff: fieldsOf(['perHour', 'freeMinutes', 'dailyCap'], publicLots),
  Citizen: { id: citizenRecord, vehicles: citizenRecord, parkingReservations: citizenRecord, unpaidParkingSessions: citizenRecord },
  Vehicle: fieldsOf(['plate', 'color', 'newEnergy', 'registeredAt'], partOfRecord),
  ParkingSession: fieldsOf(['id', 'lot', 'plate', 'enteredAt', 'leftAt', 'amountDue', 'amountPaid', 'paid'], partOfRecord),
  ParkingReservation: fieldsOf(['id', 'lot', 'plate', 'from', 'to', 'status', 'createdAt'], reservationPart),
  Mutation: { reserveParking: change, cancelParkingReservation: change, payParkingSession: change },
  ParkingReservationChange: fieldsOf(['reservation', 'requestId'], changeAnswer),
  ParkingPayment: fieldsOf(['id', 'amount', 'paidAt', 'session', 'requestId'], changeAnswer),
};

/** Reads of a citizen's vehicles, reservations and unpaid sessions by anyone else are recorded (阳光示权). */
export const disclosures: DisclosureMap = {
  Query: { parkingLot: notPersonal('a car park and its free spaces: no one\'s data') },
  Citizen: {
    vehicles: citizenData(parentId),
    parkingReservations: citizenData(parentId),
    unpaidParkingSessions: citizenData(parentId),
  },
};
