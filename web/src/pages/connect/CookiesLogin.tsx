import { Button, List, Stack, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { showApiErrors } from '../../lib/forms';
import type { Store } from '../../lib/stores';

export function CookiesLogin({ onConnected }: { onConnected(stores: Store[]): void }) {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { cookies: '' } });
  const connect = useMutation({
    mutationFn: async (cookies: string) =>
      data(await api.POST('/api/v1/stores/connect/cookies', { body: { cookies } })).stores,
    onSuccess: onConnected,
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form onSubmit={form.onSubmit((v) => connect.mutate(v.cookies.trim()))} noValidate>
      <Stack gap="sm">
        <Text size="sm">{t('connect.cookiesIntro')}</Text>
        <List type="ordered" size="sm" spacing={4}>
          <List.Item>{t('connect.cookiesStep1')}</List.Item>
          <List.Item>{t('connect.cookiesStep2')}</List.Item>
          <List.Item>{t('connect.cookiesStep3')}</List.Item>
        </List>
        <Textarea
          label={t('connect.cookies')}
          placeholder="mc-session=…; mc-sid=…"
          autosize
          minRows={3}
          maxRows={8}
          autoComplete="off"
          spellCheck={false}
          {...form.getInputProps('cookies')}
        />
        <Button type="submit" loading={connect.isPending} disabled={!form.values.cookies.trim()}>
          {t('connect.connect')}
        </Button>
      </Stack>
    </form>
  );
}
