import { Button, Checkbox, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import { PasswordField } from '../../components/PasswordField';
import { showApiErrors } from '../../lib/forms';
import type { Store } from '../../lib/stores';

export function PasswordLogin({ onConnected, onNeedsSms }: { onConnected(stores: Store[]): void; onNeedsSms(): void }) {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { email: '', password: '', remember: true } });
  const login = useMutation({
    mutationFn: async (body: { email: string; password: string; remember: boolean }) =>
      data(await api.POST('/api/v1/stores/connect/password', { body })).stores,
    onSuccess: onConnected,
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409 && error.extra.needs === 'sms') return onNeedsSms();
      if (error instanceof ApiError && error.status === 401) return form.setFieldError('password', error.message);
      showApiErrors(error, form, t);
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => login.mutate(v))} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('connect.kaspiEmail')}
          type="email"
          autoComplete="off"
          required
          {...form.getInputProps('email')}
        />
        <PasswordField
          label={t('connect.kaspiPassword')}
          autoComplete="off"
          required
          {...form.getInputProps('password')}
        />
        <Checkbox
          label={t('connect.remember')}
          description={t('connect.rememberHint')}
          {...form.getInputProps('remember', { type: 'checkbox' })}
        />
        <Text size="xs" c="dimmed">
          {t('connect.passwordNote')}
        </Text>
        <Button type="submit" loading={login.isPending}>
          {login.isPending ? t('connect.signingIn') : t('connect.signIn')}
        </Button>
      </Stack>
    </form>
  );
}
