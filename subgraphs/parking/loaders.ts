/** Per-request DataLoaders of the parking subgraph. */
import DataLoader from 'dataloader';
import type { LotRecord, ParkingAdapter, ReservationRecord, SessionRecord, VehicleRecord } from '../../adapters/parking/index.ts';

/** The department's dependencies: its adapter. */
export interface ParkingDeps {
  platform: ParkingAdapter;
}

/** This request's loaders. */
export interface ParkingLoaders {
  /** Car parks with real-time spaces, 50 ids a platform call. */
  lot: DataLoader<string, LotRecord | null>;
  vehicles: DataLoader<string, VehicleRecord[]>;
  unpaidSessions: DataLoader<string, SessionRecord[]>;
  reservations: DataLoader<string, ReservationRecord[]>;
  /** The platform itself, for searches and changes (changes are never batched). */
  platform: ParkingAdapter;
}

/** Creates the loaders of one request: a loader shared between requests would leak one citizen's data to another. */
export function createLoaders(deps: ParkingDeps, request: { requestId: string }): ParkingLoaders {
  const p = deps.platform;
  return {
    lot: new DataLoader((ids) => p.loadLots(ids, request)),
    vehicles: new DataLoader((ids) => p.loadVehicles(ids, request)),
    unpaidSessions: new DataLoader((ids) => p.loadUnpaidSessions(ids, request)),
    reservations: new DataLoader((ids) => p.loadReservations(ids, request)),
    platform: p,
  };
}
