/**
 * A separate process filing one withdrawal on a front-end database (tests only):
 * `node apply-once.ts <database> <idempotency key>` prints `{"requestNo":…}` or `{"code":…}`.
 */
import { DEMO_CITIZEN_ID } from '../../population/standin/data.ts';
import { createHousingFundAdapter } from '../index.ts';

const [database, key] = process.argv.slice(2) as [string, string];
const adapter = await createHousingFundAdapter({ database, busyTimeoutMs: 2000, timeoutMs: 5000 });
try {
  const w = await adapter.applyWithdrawal({
    citizenId: DEMO_CITIZEN_ID, reason: 'RENT', amount: '10.00', bankAccount: '6222021234567890123', bankAccountName: '王立军',
    bankName: '中国工商银行沈阳和平支行', documentNo: 'ZL-2026-0002', idempotencyKey: key,
  }, { requestId: `apply-once-${process.pid}` });
  process.stdout.write(JSON.stringify({ requestNo: w.requestNo }));
} catch (e) {
  process.stdout.write(JSON.stringify({ code: (e as { code?: string }).code ?? 'THROWN' }));
} finally {
  await adapter.close();
}
