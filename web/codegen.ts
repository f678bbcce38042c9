/**
 * GraphQL Code Generator's client preset, as app teams use it: typed operations from the supergraph,
 * and `persisted-documents.json` (hash → text), the console's trusted documents at the gateway.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/supergraph.graphql',
  documents: ['web/src/**/*.ts', 'web/src/**/*.tsx', '!web/src/gql/**'],
  ignoreNoDocuments: false,
  silent: true,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        // Only the hash travels: the bundle carries no query text, the gateway runs registered ones only.
        persistedDocuments: { mode: 'replaceDocumentWithHash', hashAlgorithm: 'sha256' },
      },
      config: { enumsAsTypes: true, scalars: { DateTime: 'string', Date: 'string', Decimal: 'string' }, useTypeImports: true },
    },
  },
};
export default config;
