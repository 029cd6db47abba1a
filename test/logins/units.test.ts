import { describe, expect, it } from 'vitest';
import { withoutSecrets } from '../../src/logins/credentials';
import { describePageError } from '../../src/logins/password-login';
import { kazakhPhoneDigits, maskPhone } from '../../src/logins/phone';
import { loadConfig } from '../../src/lib/config';

describe('phone numbers', () => {
  it('takes the ways merchants write a Kazakhstan mobile number', () => {
    for (const phone of ['+7 701 123 45 67', '87011234567', '7011234567', '+7 (701) 123-45-67', '8 701 123 45 67']) {
      expect(kazakhPhoneDigits(phone), phone).toBe('7011234567');
    }
  });

  it('refuses what is not one', () => {
    for (const phone of ['', '12345', '+7 301 123 45 67', '+1 701 123 45 67', '7011234567x', '+7 701 123 45 678']) {
      expect(kazakhPhoneDigits(phone), phone).toBeUndefined();
    }
  });

  it('masks the middle digits', () => {
    expect(maskPhone('7011234567')).toBe('+7 (701) ***-**-67');
  });
});

describe('browser errors', () => {
  it('keep their first line, without the secrets they quote', () => {
    const error = new Error(
      'page.fill: Timeout 15000ms exceeded filling "s3cret-pass" for shop@example.kz\nCall log:\n  - fill("s3cret-pass")',
    );
    expect(describePageError(error, ['s3cret-pass', 'shop@example.kz'])).toBe(
      'page.fill: Timeout 15000ms exceeded filling "***" for ***',
    );
    expect(withoutSecrets('no secrets here', ['', undefined, 'ab'])).toBe('no secrets here');
  });
});

describe('login settings', () => {
  it('default to five minutes for a code, limits against SMS pumping and screenshots under the data dir', () => {
    const config = loadConfig({ DATA_DIR: '/var/lib/kd' });
    expect(config.kaspiLogin).toEqual({
      smsTimeoutSeconds: 300,
      smsMaxPerPhone: 5,
      smsMaxPerUser: 10,
      smsWindowSeconds: 3600,
      connectMaxPerIp: 30,
      connectMaxPerUser: 20,
      connectWindowSeconds: 3600,
      connectMaxPerMinute: 60,
      maxOpenBrowserLogins: 20,
      reloginMaxConcurrent: 3,
    });
    expect(config.browser).toEqual({
      chromiumPath: '/usr/bin/chromium',
      screenshotDir: '/var/lib/kd/login-screenshots',
      screenshotRetentionHours: 72,
    });
    expect(loadConfig({ LOGIN_SCREENSHOT_DIR: '/tmp/shots', SMS_LOGIN_TIMEOUT_SECONDS: '60' })).toMatchObject({
      browser: { screenshotDir: '/tmp/shots' },
      kaspiLogin: { smsTimeoutSeconds: 60 },
    });
  });
});
