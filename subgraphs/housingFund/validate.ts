/** Argument checks of the housing fund's mutations, run by the kit before the rules and the resolver. */
import { badInput } from '../../core/errors.ts';
import { validateResidentId } from '../../core/resident-id.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,64}$/;
const REQUEST_NO = /^TQ\d{16}$/;
/** The most one request may withdraw: far above any balance, it stops a typo with extra digits. */
const MAX_AMOUNT_CENTS = 99_999_999_99n;

function text(value: unknown, rule: string, min: number, max: number, what: string): string {
  const clean = typeof value === 'string' ? value.trim() : '';
  const length = [...clean].length;
  if (length < min || length > max) throw badInput(`${what} must be ${min} to ${max} characters; ${length} were given.`, rule, { max });
  if (/\p{Cc}/u.test(clean)) throw badInput(`${what} may not contain control characters.`, rule);
  return clean;
}

/** Checks and normalises `applyHousingFundWithdrawal`'s input; throws BAD_USER_INPUT naming the rule. */
export function validateWithdrawalInput(input: Record<string, unknown>): Record<string, unknown> {
  const m = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/.exec(typeof input.amount === 'string' ? input.amount.trim() : '');
  if (!m) throw badInput('The amount must be yuan as decimal text with at most two places, e.g. "1500.00".', 'amount');
  const value = BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
  if (value === 0n) throw badInput('The amount must be more than 0.00 yuan.', 'amount');
  if (value > MAX_AMOUNT_CENTS) throw badInput('The amount is more than any housing fund account holds (99999999.99 yuan); check it for extra digits.', 'amount');
  const amount = `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
  const bankAccount = String(input.bankAccount ?? '').replace(/[\s-]/g, '');
  if (!/^\d{12,30}$/.test(bankAccount)) throw badInput('A bank account number has 12 to 30 digits (spaces and dashes are ignored).', 'bankAccount');
  const idempotencyKey = String(input.idempotencyKey ?? '');
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) throw badInput('An idempotency key must be 8 to 64 letters, digits or . _ : -', 'idempotencyKey');
  return {
    ...input,
    citizenId: validateResidentId(input.citizenId as string),
    amount,
    bankAccount,
    bankAccountName: text(input.bankAccountName, 'bankAccountName', 1, 64, 'The bank account name'),
    bankName: text(input.bankName, 'bankName', 2, 64, 'The bank name'),
    documentNo: input.documentNo == null || String(input.documentNo).trim() === '' ? null : text(input.documentNo, 'documentNo', 1, 64, 'A document number'),
    idempotencyKey,
  };
}

/** Checks `reviewHousingFundWithdrawal`'s arguments. */
export function validateReview(args: Record<string, unknown>): Record<string, unknown> {
  const requestNo = String(args.requestNo ?? '').trim().toUpperCase();
  if (!REQUEST_NO.test(requestNo)) throw badInput('A withdrawal request number is TQ followed by 16 digits, e.g. TQ2026120100000001.', 'requestNo');
  const note = args.note == null || String(args.note).trim() === '' ? null : text(args.note, 'note', 1, 200, 'A review note');
  return { ...args, requestNo, note };
}
