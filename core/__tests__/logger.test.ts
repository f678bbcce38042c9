import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskPersonalData } from '../logger.ts';
import { runInRequestScope } from '../request-scope.ts';

const ID = '210102198503152318';

/** A logger writing into an array of parsed lines. */
function capture() {
  const lines: string[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return { log: createLogger({ service: 'test', level: 'debug', destination }), lines };
}

describe('the logger', () => {
  it('masks resident IDs and mobile numbers inside free text', () => {
    expect(maskPersonalData(`id ${ID}, id ${ID.slice(0, 17)}x, mobile 13912345678`)).toBe('id 2101**********2318, id 2101**********231x, mobile 139****5678');
  });

  it('masks IDs in messages, nested fields and errors, and redacts names, phones and credentials by key', () => {
    const { log, lines } = capture();
    log.info({ subject: { id: ID }, name: '王立军', phone: '024-23456789', token: 'eyJ.x.y', headers: { authorization: 'Bearer abc' }, err: new Error(`no ${ID}`) }, `looked up ${ID}`);
    const text = lines.join('\n');
    expect(text).not.toContain(ID);
    expect(text).not.toContain('王立军');
    expect(text).not.toContain('024-23456789');
    expect(text).not.toContain('eyJ.x.y');
    expect(text).not.toContain('Bearer abc');
    expect(text).toContain('2101**********2318');
  });

  it('masks the fields bound to a child logger, such as a request id a client chose', () => {
    const { log, lines } = capture();
    log.child({ requestId: ID }).info('request');
    log.child({ department: 'population' }).child({ subject: ID }).info('grandchild');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(ID);
    expect(JSON.parse(lines[1]!)).toMatchObject({ department: 'population', subject: '2101**********2318' });
  });

  it('puts the request id and trace id of the request being served on every line, whoever logs', async () => {
    const { log, lines } = capture();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await runInRequestScope({ deadline: Date.now() + 1000, requestId: 'req-12345678', traceId }, async () => {
      await Promise.resolve();
      log.warn({ department: 'population' }, 'legacy call failed');
    });
    log.info('outside any request');
    expect(JSON.parse(lines[0]!)).toMatchObject({ requestId: 'req-12345678', traceId, department: 'population' });
    expect(JSON.parse(lines[1]!)).not.toHaveProperty('traceId');
  });
});
