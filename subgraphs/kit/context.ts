/** The per-request context every resolver and rule of every subgraph receives. */
import type { Logger } from '../../core/logger.ts';
import type { Principal } from '../../core/principal.ts';
import type { DisclosureLog } from './disclosure-log.ts';

/** Context of one request inside a subgraph; built fresh per request, never shared. */
export interface SubgraphContext<TLoaders = unknown> {
  /** Who is asking, as verified from the gateway's signed principal token. */
  principal: Principal;
  /** The request id the gateway assigned (or the client sent), carried to adapters and logs. */
  requestId: string;
  /** A child logger bound to this request. */
  log: Logger;
  /** DataLoaders created for this request only: a shared loader would leak one caller's data to another. */
  loaders: TLoaders;
  /** What this request disclosed of whom, written as access records before the answer leaves; absent when the subgraph declares no disclosures. */
  disclosures?: DisclosureLog;
}
