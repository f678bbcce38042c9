/** Process entry of the supervision subgraph: configuration is read here and only here. */
import { ensureDevSecret } from '../../core/dev-keys.ts';
import { readConfig } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { alarmEnv } from './alarms/config.ts';
import { createAlarmService } from './alarms/service.ts';
import { supervision } from './index.ts';

const env = readConfig(subgraphEnv.extend(alarmEnv.shape));

await runSubgraph(
  supervision,
  env,
  (logger, store) => ({
    store: store!,
    alarms: createAlarmService(
      env,
      {
        dataDir: env.CITYGRAPH_DATA_DIR,
        databaseUrl: env.DATABASE_URL,
        // The same key and hash as the log's (kit/run.ts), so the engine's pseudonyms match the records'.
        subjectKey: env.SUPERVISION_SUBJECT_KEY ?? ensureDevSecret(env.CITYGRAPH_DATA_DIR, 'subject-hmac'),
        hash: env.SUPERVISION_HASH,
        busyTimeoutMs: env.SUPERVISION_LOCK_TIMEOUT_MS ?? Math.max(100, Math.floor(env.REQUEST_DEADLINE_MS / 2)),
      },
      store!,
      logger,
    ),
  }),
  { supervision: true },
);
