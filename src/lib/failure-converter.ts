import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (the SDK requires it, and bundles it into the workflow sandbox): error messages and
 * stack traces travel as encoded attributes, so the payload codec encrypts them too.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
