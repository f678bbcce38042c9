/** The Citizen and Enterprise entities as the documents subgraph extends them, and the Document type. */
import type { CertificateRecord } from '../../../adapters/licenceLibrary/index.ts';
import { CityGraphError, ErrorCode } from '../../../core/errors.ts';
import { chinaDay } from '../../../core/calendar/index.ts';
import { validateResidentId } from '../../../core/resident-id.ts';
import { validateUscc } from '../../../core/uscc.ts';
import type { SubgraphContext } from '../../kit/index.ts';
import type { DocumentsLoaders } from '../loaders.ts';
import { documentUsesOf } from '../uses.ts';

type Ctx = SubgraphContext<DocumentsLoaders>;

async function uses(kind: 'citizen' | 'enterprise', id: string, first: number, ctx: Ctx) {
  const store = ctx.loaders.deps.supervision;
  if (!store) throw new CityGraphError(ErrorCode.SUPERVISION_UNAVAILABLE, 'The supervision log, where document uses are recorded, is not available.');
  return documentUsesOf(store, { kind, id }, first);
}

export const Citizen = {
  __resolveReference: (ref: { id: string }) => ({ id: validateResidentId(ref.id) }),
  documents: (c: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.certificatesOf.load(c.id),
  documentUses: (c: { id: string }, args: { first: number }, ctx: Ctx) => uses('citizen', c.id, args.first, ctx),
};

export const Enterprise = {
  __resolveReference: (ref: { uscc: string }) => ({ uscc: validateUscc(ref.uscc) }),
  documents: (e: { uscc: string }, _: unknown, ctx: Ctx) => ctx.loaders.certificatesOf.load(e.uscc),
  documentUses: (e: { uscc: string }, args: { first: number }, ctx: Ctx) => uses('enterprise', e.uscc, args.first, ctx),
};

export const Document = {
  issuer: (d: CertificateRecord) => d.issuer.name,
  issuerDepartment: (d: CertificateRecord) => d.issuer.department,
  /** The library's status, and the dates on the city's clock. */
  status: (d: CertificateRecord, _: unknown, ctx: Ctx) => {
    if (d.status === 'REVOKED') return 'REVOKED';
    const today = chinaDay(ctx.loaders.deps.clock());
    return today < d.validFrom || (d.validUntil !== null && today > d.validUntil) ? 'EXPIRED' : 'VALID';
  },
};
