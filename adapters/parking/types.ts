/** The parking adapter's records, in the graph's words. Money is decimal text (`"12.50"`), never a float. */

/** Plate colours (license_color 0–4). */
export type PlateColor = 'BLUE' | 'YELLOW' | 'WHITE' | 'BLACK' | 'GREEN';
/** Reservation states. */
export type ReservationStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED' | 'ENDED';

/** A car park; `freeSpaces` and `freeReservableSpaces` are null when not known for this record. */
export interface LotRecord {
  id: string;
  name: string;
  district: string;
  divisionCode: string;
  address: string;
  location: { lat: number; lng: number };
  totalSpaces: number;
  reservableSpaces: number;
  tariff: { perHour: string; freeMinutes: number; dailyCap: string | null };
  /** `24h` or `HH:mm-HH:mm`. */
  openingHours: string;
  /** The operator running it (an integrator's client name). */
  operatorId: string;
  freeSpaces: number | null;
  freeReservableSpaces: number | null;
  /** ISO instant of the real-time figures. */
  spacesUpdatedAt: string | null;
}

/** A lot with its distance from the point asked about. */
export interface LotNear {
  lot: LotRecord;
  distanceMeters: number;
}

/** A vehicle registered to a citizen on the platform. */
export interface VehicleRecord {
  plate: string;
  color: PlateColor;
  newEnergy: boolean;
  registeredAt: string;
}

/** A parking session (leave first, pay later). */
export interface SessionRecord {
  id: string;
  lotId: string;
  plate: string;
  color: PlateColor;
  enteredAt: string;
  leftAt: string;
  amountDue: string;
  amountPaid: string;
  paid: boolean;
}

/** A reservation. No owner name: the platform sends one to operators, the adapter drops it. */
export interface ReservationRecord {
  id: string;
  lotId: string;
  plate: string;
  color: PlateColor;
  from: string;
  to: string;
  status: ReservationStatus;
  createdAt: string;
}

/** A payment of a session. */
export interface PaymentRecord {
  id: string;
  sessionId: string;
  amount: string;
  paidAt: string;
  /** The session after payment. */
  session: SessionRecord;
}

/** Per-request context. */
export interface ParkingCallContext {
  /** The GraphQL request id, sent as `x-request-id`. */
  requestId: string;
}

/** Context of a change: the client's idempotency key, required. */
export interface ParkingChangeContext extends ParkingCallContext {
  idempotencyKey: string;
}
