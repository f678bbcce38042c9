/** Manifests as the client preset writes them, and the console's own manifest beside the folder's. */
import { describe, expect, it } from 'vitest';
import { createPersistedGate, parseManifest, withClientManifest, type Manifest } from '../persisted.ts';

describe('client-preset manifests', () => {
  it('finds an operation by its bare hash, its sha256: document id, or Apollo\'s extension', () => {
    const manifest = parseManifest(JSON.stringify({ 'sha256:abc123': 'query A { __typename }' }), 'console.json');
    const gate = createPersistedGate({ manifests: new Map([['citygraph-console', manifest]]), adhocRoles: [] });
    const principal = { role: 'auditor', sub: 'a', client: 'citygraph-console' } as never;
    expect(gate({ documentId: 'sha256:abc123' }, principal)).toBe('query A { __typename }');
    expect(gate({ documentId: 'abc123' }, principal)).toBe('query A { __typename }');
    expect(gate({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc123' } } }, principal)).toBe('query A { __typename }');
    expect(() => gate({ documentId: 'sha256:abc123' }, { role: 'auditor', sub: 'a', client: 'other' } as never)).toThrow(/client "other"/);
  });

  it('adds one client\'s manifest to the folder\'s, rebuilt only when the folder\'s change', () => {
    const console: Manifest = new Map([['h1', 'query C { __typename }']]);
    let folder = new Map<string, Manifest>([['hotel', new Map([['h2', 'query H { __typename }']])]]);
    const all = withClientManifest(() => folder, 'citygraph-console', console);
    const first = all();
    expect([...first.keys()].sort()).toEqual(['citygraph-console', 'hotel']);
    expect(all()).toBe(first);
    folder = new Map([['citygraph-console', new Map([['evil', 'mutation { x }']])]]);
    // A file named like the console's client cannot replace the console's own operations.
    expect(all().get('citygraph-console')).toBe(console);
  });
});
