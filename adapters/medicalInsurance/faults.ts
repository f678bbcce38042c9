/**
 * The one mapping from the platform's failures to CityGraph error codes. Messages are written here
 * for clients: they never carry the legacy payload, the platform's URL or the person's ID; the raw
 * detail goes into `cause`, which stays in the server log.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';

/** Department name on every error of this adapter. */
export const DEPARTMENT = 'medicalInsurance';

/** How the platform says "nobody is insured under this ID": an answer, not a failure. */
export const NOT_FOUND_MESSAGE = '未查询到人员参保信息';

/** A failure as seen at the platform's boundary, before it has a CityGraph code. */
export type MedicalInsuranceFault =
  /** `infcode: -1` with the platform's `err_msg`. */
  | { kind: 'infcode'; errMsg: string }
  /** A status other than 200 (a proxy's 502, a 404 after a redeploy…). */
  | { kind: 'http'; status: number }
  /** A 200 whose body is not JSON (a proxy's HTML page, a truncated body). */
  | { kind: 'notJson'; cause?: unknown }
  /** JSON that breaks the protocol: missing fields, wrong types, unknown codes, inexact money. */
  | { kind: 'badShape'; reason: string }
  /** The request never got an answer (connection refused, reset, DNS). */
  | { kind: 'network'; cause: unknown };

/** Maps a platform failure to its error; null for the not-found answer, which means "not insured". */
export function medicalInsuranceFault(fault: Extract<MedicalInsuranceFault, { kind: 'infcode' }>): CityGraphError | null;
export function medicalInsuranceFault(fault: Exclude<MedicalInsuranceFault, { kind: 'infcode' }>): CityGraphError;
export function medicalInsuranceFault(fault: MedicalInsuranceFault): CityGraphError | null {
  const department = DEPARTMENT;
  switch (fault.kind) {
    case 'infcode':
      // The platform reports "not found" as a failure; only its message tells the two apart.
      if (fault.errMsg.includes(NOT_FOUND_MESSAGE)) return null;
      return new CityGraphError(ErrorCode.LEGACY_ERROR, 'The medical insurance platform refused the query.', {
        department,
        cause: new Error(`infcode -1: ${fault.errMsg.slice(0, 200)}`),
      });
    case 'http':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The medical insurance platform answered with HTTP status ${fault.status}.`, {
        department,
        details: { httpStatus: fault.status },
      });
    case 'notJson':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The medical insurance platform answered with something that is not its JSON protocol.', {
        department,
        cause: fault.cause,
      });
    case 'badShape':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The medical insurance platform\'s reply did not have the expected shape.', {
        department,
        cause: new Error(fault.reason),
      });
    case 'network':
      return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, 'The medical insurance platform could not be reached.', {
        department,
        cause: fault.cause,
      });
  }
}
