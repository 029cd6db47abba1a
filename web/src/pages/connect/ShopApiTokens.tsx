import { Button, Group, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { PasswordField } from '../../components/PasswordField';
import { showApiErrors } from '../../lib/forms';
import type { Store } from '../../lib/stores';

/** The Shop API token is optional: it lets the orders be read. One field per connected store. */
export function ShopApiTokens({ stores, onDone }: { stores: Store[]; onDone(): void }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md">
      <Text size="sm">{t('token.intro')}</Text>
      {stores.map((store) => (
        <TokenForm key={store.id} store={store} />
      ))}
      <Group justify="flex-end">
        <Button onClick={onDone}>{t('token.next')}</Button>
      </Group>
    </Stack>
  );
}

function TokenForm({ store }: { store: Store }) {
  const { t } = useTranslation();
  const form = useForm({ initialValues: { token: '' } });
  const save = useMutation({
    mutationFn: async (token: string) =>
      data(
        await api.PUT('/api/v1/stores/{id}/shop-api-token', { params: { path: { id: store.id } }, body: { token } }),
      ),
    onSuccess: () => notifications.show({ color: 'green', message: t('token.saved', { name: store.name }) }),
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v.token.trim()))} noValidate>
      <Group align="flex-end" wrap="nowrap">
        <PasswordField
          label={t('token.label', { name: store.name })}
          description={store.hasShopApiToken ? t('token.hasOne') : t('token.where')}
          autoComplete="off"
          style={{ flex: 1 }}
          {...form.getInputProps('token')}
        />
        <Button type="submit" variant="light" loading={save.isPending} disabled={!form.values.token.trim()}>
          {t('common.save')}
        </Button>
      </Group>
    </form>
  );
}
