/**
 * graphql-shield, loaded through its CommonJS build. Its ES build imports `isUndefined` from `util`,
 * which Node 23 removed, so it cannot even be linked on Node 24; the CommonJS build reads it only when
 * `chain` or `race` run, and this module does not offer those two. 7.6.5 is the package's last release.
 * graphql-middleware comes from its CommonJS build too: shield's middleware is an instance of that
 * build's classes, which its ES build would not recognise.
 */
import { createRequire } from 'node:module';
import type * as GraphqlMiddleware from 'graphql-middleware';
import type * as GraphqlShield from 'graphql-shield';

const require = createRequire(import.meta.url);
const shieldModule = require('graphql-shield') as typeof GraphqlShield;

/** graphql-middleware's `applyMiddleware`, from the build graphql-shield itself uses. */
export const { applyMiddleware } = require('graphql-middleware') as typeof GraphqlMiddleware;

/** graphql-shield's exports that are safe on Node 24. */
export const { rule, shield, deny, allow, and, or, not, inputRule } = shieldModule;
export type { IRule } from 'graphql-shield';
