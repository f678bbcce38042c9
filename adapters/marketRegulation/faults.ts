/**
 * The one mapping from the registry's failures to CityGraph error codes; messages never carry the
 * registry's payload or URL (the detail goes into `cause`, for the server log).
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';

/** Department name on every error of this adapter. */
export const DEPARTMENT = 'marketRegulation';

/** A failure at the registry's boundary. */
export type MarketRegulationFault =
  | { kind: 'business'; message: string }
  | { kind: 'http'; status: number }
  | { kind: 'notJson'; cause?: unknown }
  | { kind: 'badShape'; reason: string }
  | { kind: 'network'; cause: unknown };

/** Maps a registry failure to its error. */
export function marketRegulationFault(fault: MarketRegulationFault): CityGraphError {
  const department = DEPARTMENT;
  switch (fault.kind) {
    case 'business':
      return new CityGraphError(ErrorCode.LEGACY_ERROR, 'The enterprise registry refused the query.', { department, cause: new Error(fault.message.slice(0, 200)) });
    case 'http':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The enterprise registry answered with HTTP status ${fault.status}.`, { department, details: { httpStatus: fault.status } });
    case 'notJson':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The enterprise registry answered with something that is not its JSON interface.', { department, cause: fault.cause });
    case 'badShape':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The enterprise registry\'s reply did not have the expected shape.', { department, cause: new Error(fault.reason) });
    case 'network':
      return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The enterprise registry could not be reached.', { department, cause: fault.cause });
  }
}
