/** Process entry of the documents subgraph: configuration is read here and only here. */
import { z } from 'zod';
import { createLicenceLibraryAdapter } from '../../adapters/licenceLibrary/index.ts';
import { createServiceHallAdapter } from '../../adapters/serviceHall/index.ts';
import { cityClock, clockEnv } from '../../core/clock.ts';
import { readConfig, url } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { documents } from './index.ts';
import { issuerKeysSetting } from '../../adapters/licenceLibrary/settings.ts';

const env = readConfig(
  subgraphEnv.extend({
    /** The electronic licence library's base URL (the stand-in's in development). */
    LICENCE_LIBRARY_URL: url(),
    /** Our application id and secret at the library; default the stand-in's development values. */
    LICENCE_LIBRARY_APP_KEY: z.string().min(1).optional(),
    LICENCE_LIBRARY_APP_SECRET: z.string().min(1).optional(),
    LICENCE_LIBRARY_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** The issuers' SM2 public keys pinned, JSON `{"SYGAJ":"04…",…}`; default the keys the library publishes. */
    LICENCE_LIBRARY_ISSUER_KEYS: z.string().optional(),
    /** The service hall, for the case a document is used for. */
    SERVICE_HALL_URL: url(),
    SERVICE_HALL_APP_ID: z.string().min(1).optional(),
    SERVICE_HALL_APP_SECRET: z.string().min(1).optional(),
  }).extend(clockEnv.shape),
);

await runSubgraph(
  documents,
  env,
  (_logger, supervision) => ({
    library: createLicenceLibraryAdapter({
      url: env.LICENCE_LIBRARY_URL,
      appKey: env.LICENCE_LIBRARY_APP_KEY,
      appSecret: env.LICENCE_LIBRARY_APP_SECRET,
      timeoutMs: env.LICENCE_LIBRARY_TIMEOUT_MS,
      issuerKeys: issuerKeysSetting(env.LICENCE_LIBRARY_ISSUER_KEYS),
    }),
    hall: createServiceHallAdapter({ url: env.SERVICE_HALL_URL, appId: env.SERVICE_HALL_APP_ID, appSecret: env.SERVICE_HALL_APP_SECRET }),
    clock: cityClock(env),
    supervision,
  }),
  { supervision: true },
);
