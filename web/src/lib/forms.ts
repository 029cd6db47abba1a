import { notifications } from '@mantine/notifications';
import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import { translateFieldErrors } from './field-errors';

interface FormLike {
  setErrors(errors: Record<string, string>): void;
}

/**
 * Puts the API's field errors under the fields they name and reports the rest as a notification.
 * Nothing the merchant typed is cleared.
 */
export function showApiErrors(error: unknown, form: FormLike | null, t: TFunction): void {
  if (error instanceof ApiError && form && Object.keys(error.fields).length > 0) {
    form.setErrors(translateFieldErrors(error.fields, t));
    return;
  }
  notifications.show({ color: 'red', title: t('errors.title'), message: describeError(error, t) });
}

export function describeError(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfterSeconds)
      return t('errors.tooMany', { seconds: error.retryAfterSeconds });
    return error.message;
  }
  if (error instanceof TypeError) return t('errors.network');
  return t('errors.unexpected');
}
