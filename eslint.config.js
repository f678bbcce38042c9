// Lint: typescript-eslint's recommended rules. Import boundaries and cycles are checked by
// dependency-cruiser (.dependency-cruiser.cjs), which understands the whole graph, not one file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'coverage/**', '.dependency-cruiser.cjs', 'web/dist/**', 'web/src/gql/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Configuration is read once in entry points (main.ts, scripts), never deep in the code.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in an entry point (main.ts or scripts/) and pass options down.' }],
      'no-console': 'error',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'graphql-shield', allowTypeImports: true, message: "Import rules from subgraphs/kit/shield.ts: graphql-shield's ES build does not load on Node 24." },
            { name: 'graphql-middleware', allowTypeImports: true, message: 'Import applyMiddleware from subgraphs/kit/shield.ts: it must be the build graphql-shield uses.' },
          ],
        },
      ],
    },
  },
  {
    files: ['subgraphs/kit/shield.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // Plain Node scripts (the runtime checks run before anything is installed).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', Buffer: 'readonly' } },
  },
  {
    // Entry points and the one config reader may read the environment.
    files: ['**/main.ts', 'core/config.ts', 'scripts/**', 'bench/**', '**/__tests__/**', 'test/**', 'vitest.config.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
);
