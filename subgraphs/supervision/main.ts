/** Process entry of the supervision subgraph: configuration is read here and only here. */
import { readConfig } from '../../core/config.ts';
import { runSubgraph, subgraphEnv } from '../kit/run.ts';
import { supervision } from './index.ts';

const env = readConfig(subgraphEnv);

await runSubgraph(supervision, env, (_log, store) => ({ store: store! }), { supervision: true });
