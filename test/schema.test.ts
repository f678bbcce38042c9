import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_FILE } from '../scripts/lib/compose.ts';

describe('schema/', () => {
  it('composes without errors and the committed supergraph is up to date (run `npm run compose` when this fails)', () => {
    const composed = composeSupergraph();
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(composed);
  });
});
