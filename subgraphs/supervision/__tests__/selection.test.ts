/** `selects`: whether a page's `totalCount` is asked for, however the query is written. */
import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selects } from '../resolvers/selection.ts';

const schema = buildSchema(`
  type Page { totalCount: Int! items: [Int!]! }
  type Query { page: Page! other: Page! }
`);

/** What `selects(info, 'totalCount')` said for each resolved `page` (by alias), for `query`. */
async function asked(query: string): Promise<boolean[]> {
  const seen: boolean[] = [];
  const page = (_a: unknown, _c: unknown, info: GraphQLResolveInfo) => {
    seen.push(selects(info, 'totalCount'));
    return { totalCount: 3, items: [1] };
  };
  const result = await graphql({ schema, source: query, rootValue: { page, other: page } });
  expect(result.errors).toBeUndefined();
  return seen;
}

describe('selects', () => {
  it('sees the field asked directly, through inline and named fragments, and by alias', async () => {
    expect(await asked('{ page { totalCount items } }')).toEqual([true]);
    expect(await asked('{ page { ... on Page { totalCount } } }')).toEqual([true]);
    expect(await asked('query { page { ...F } } fragment F on Page { items ...G } fragment G on Page { n: totalCount }')).toEqual([true]);
    expect(await asked('{ a: page { items } b: page { totalCount } }')).toEqual([false, true]);
  });

  it('does not see it when only other fields are asked, or it is asked of another field', async () => {
    expect(await asked('{ page { items } }')).toEqual([false]);
    expect(await asked('query { page { ...F } } fragment F on Page { items }')).toEqual([false]);
    expect(await asked('{ page { items __typename } other { items } }')).toEqual([false, false]);
  });

  it('counts a field under @include as asked (it errs toward doing the work)', async () => {
    expect(await asked('{ page { items totalCount @include(if: false) } }')).toEqual([true]);
  });
});
