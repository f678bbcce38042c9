/** `GET /.well-known/citycode-keys`: the city's public keys and the revocation list, for gates and apps. */
import type { HttpRoute } from '../../core/graphql-http.ts';
import type { CityCodeDeps } from './loaders.ts';
import { revokedDevices } from './store-reads.ts';

/** The route: public data, no principal needed; a store that cannot be read answers 503 (a gate keeps its last copy). */
export function keysRoute(deps: CityCodeDeps): HttpRoute {
  return async (_req, res) => {
    let body: string;
    try {
      deps.keys.current();
      body = JSON.stringify(deps.keys.document(await revokedDevices(deps.store)));
    } catch {
      const err = JSON.stringify({ errors: [{ message: 'The revocation list cannot be read now; keep the last copy and retry.', extensions: { code: 'SUPERVISION_UNAVAILABLE' } }] });
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '30' });
      res.end(err);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=60' });
    res.end(body);
  };
}
