import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, createLogger, scrubCredentials } from '../../src/lib/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream) };
}

describe('logger redaction', () => {
  it('never writes secrets found under their usual names', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'SENTINEL-1',
        body: { cookies: 'SENTINEL-2', token: 'SENTINEL-3' },
        store: { session: { mcSession: 'SENTINEL-4' } },
        req: { headers: { authorization: 'Bearer SENTINEL-5', cookie: 'mc-sid=SENTINEL-6' } },
      },
      'connect',
    );
    const out = lines.join('');
    expect(out).not.toMatch(/SENTINEL/);
    expect(out).toContain('[redacted]');
  });

  it('redacts secret-named keys at any depth, in fields and in child bindings, and leaves the rest', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ log: { level: 'info', pretty: false }, isProduction: true }, 'test', stream);
    const deep = {
      a: { b: { c: { d: { e: { password: 'SENTINEL-7', cookies: ['SENTINEL-8'], keep: 'visible' } } } } },
    };
    logger.child({ activity: { input: { store: { credentials: { email: 'x', password: 'SENTINEL-9' } } } } }).info(
      {
        deep,
        list: [{ nested: [{ token: 'SENTINEL-10', Authorization: 'Bearer SENTINEL-11' }] }],
        orderCode: '123',
        code: 'ECONNRESET',
      },
      'deep',
    );
    const out = lines.join('');
    expect(out).not.toMatch(/SENTINEL/);
    expect(out).toContain('visible');
    expect(out).toContain('ECONNRESET');
    const line = JSON.parse(out);
    expect(line.deep.a.b.c.d.e.password).toBe('[redacted]');
    // What was logged is not changed in place.
    expect(deep.a.b.c.d.e.password).toBe('SENTINEL-7');
  });

  it('drops passwords from URLs in messages', () => {
    expect(scrubCredentials('connect ECONNREFUSED http://user:SENTINEL@10.0.0.1:8080 failed')).toBe(
      'connect ECONNREFUSED http://user:***@10.0.0.1:8080 failed',
    );
    expect(scrubCredentials('postgres://app:SENTINEL@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
});
