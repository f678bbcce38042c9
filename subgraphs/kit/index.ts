/** The subgraph kit: the one way a department's subgraph is defined, built and served. */
export { defineSubgraph, type SubgraphDefinition, type PermissionMap } from './definition.ts';
export { buildDepartmentSchema, hasDisclosures, checkRuleCoverage, listFields, readSubgraphSdl, SCHEMA_DIR } from './build.ts';
export { startSubgraph, type RunningSubgraph, type SubgraphServerOptions } from './server.ts';
export { grant, describeRule, describeGrant, maskFor, satisfies, parentId, argId, argIds, viaGateway, type Grant, type NamedRule, type SubjectOf } from './rules.ts';
export type { SubgraphContext } from './context.ts';
export { DateScalar, DecimalScalar } from './scalars.ts';
export { validateIds, MAX_IDS } from './ids.ts';
export { accessRecordMiddleware, recordMutation, supervisionMiddleware, type PowerItem, type RecordedMutation, type RecordedRead } from './supervision.ts';
export { citizenData, enterpriseData, personData, notPersonal, checkDisclosureCoverage, PERSON_TYPES, isSelf, type Disclosure, type DisclosureMap } from './disclosure.ts';
