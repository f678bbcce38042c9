/**
 * The one mapping from the population registry's failures to CityGraph error codes. Messages are
 * written for clients: no legacy payload (faultstring, errtext), no URL, no field names of the wire.
 */
import { CityGraphError, ErrorCode } from '../../core/errors.ts';

/** Department name carried by every error of this adapter. */
export const DEPARTMENT = 'population';

/** Every way the registry can fail, as the client and mapper observe it. */
export type PopulationFault =
  /** A SOAP 1.1 Fault; `faultcode` as sent, e.g. `soap:Client`. */
  | { kind: 'soapFault'; faultcode: string }
  /** A success reply whose document carries `errflag="1"`; `resultCode` as sent. */
  | { kind: 'errflag'; resultCode: string }
  /** The envelope or the document inside it is not well-formed XML (e.g. truncated). */
  | { kind: 'badXml' }
  /** The bytes are not valid in the declared encoding (GBK). */
  | { kind: 'badEncoding' }
  /** Well-formed XML, but not the SOAP reply this operation expects. */
  | { kind: 'notSoap' }
  /** An HTTP status other than 200 (answer) or 500 (SOAP Fault). */
  | { kind: 'httpStatus'; status: number }
  /** One record failed its check; `field` is the graph's name of the offending field. */
  | { kind: 'badRecord'; field: string };

// Result codes with a meaning the graph knows; any other code is a generic business error.
const NOT_FOUND_RESULT = '02';

/** Maps a registry failure to a CityGraphError with a stable code and a safe message. */
export function populationError(fault: PopulationFault, cause?: unknown): CityGraphError {
  const options = (details?: Record<string, string | number>) => ({ department: DEPARTMENT, cause, ...(details ? { details } : {}) });
  switch (fault.kind) {
    case 'soapFault': {
      // Only the fault's side is passed on; the faultstring is legacy text and stays in the log.
      const side = /(?:^|:)(Client|Server)$/.exec(fault.faultcode.trim())?.[1] ?? 'other';
      return new CityGraphError(ErrorCode.LEGACY_ERROR, `The population registry refused the request (SOAP Fault, ${side} side).`, options({ fault: side }));
    }
    case 'errflag': {
      const resultCode = /^\d{1,4}$/.test(fault.resultCode) ? fault.resultCode : 'other';
      if (resultCode === NOT_FOUND_RESULT) {
        return new CityGraphError(ErrorCode.NOT_FOUND, 'The population registry has no person with this resident ID.', options({ resultCode }));
      }
      return new CityGraphError(ErrorCode.LEGACY_ERROR, `The population registry reported a business error (result code ${resultCode}).`, options({ resultCode }));
    }
    case 'badXml':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The population registry answered with malformed XML.', options());
    case 'badEncoding':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The population registry answered with text that is not valid GBK.', options());
    case 'notSoap':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, 'The population registry answered with something that is not its SOAP reply.', options());
    case 'httpStatus':
      // A proxy's 502/503/504 means the registry is down: unavailable, so reads are retried and the breaker counts it.
      if ([502, 503, 504].includes(fault.status)) {
        return new CityGraphError(ErrorCode.ADAPTER_UNAVAILABLE, `The population registry is unavailable (HTTP ${fault.status}).`, options({ status: fault.status }));
      }
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The population registry answered with an unexpected HTTP status ${fault.status}.`, options({ status: fault.status }));
    case 'badRecord':
      return new CityGraphError(ErrorCode.ADAPTER_BAD_REPLY, `The population registry returned a record with an invalid ${fault.field}.`, options({ field: fault.field }));
  }
}
