import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REDACT_PATHS, scrubCredentials } from '../../src/lib/logger';

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

  it('drops passwords from URLs in messages', () => {
    expect(scrubCredentials('connect ECONNREFUSED http://user:SENTINEL@10.0.0.1:8080 failed')).toBe(
      'connect ECONNREFUSED http://user:***@10.0.0.1:8080 failed',
    );
    expect(scrubCredentials('postgres://app:SENTINEL@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
});
