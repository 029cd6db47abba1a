/** Fixed secrets for test processes, so values sealed by one test process open in another. */
export const TEST_ENCRYPTION_KEYS = `test1:${Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('base64')}`;
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_CODEC_TOKEN = 'test-codec-token-0123456789abcdef';
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

export const TEST_SECRETS_ENV = {
  ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
  JWT_SECRET: TEST_JWT_SECRET,
  CODEC_TOKEN: TEST_CODEC_TOKEN,
  OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
};
