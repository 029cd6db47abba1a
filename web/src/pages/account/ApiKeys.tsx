import { Alert, Button, Code, CopyButton, Group, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import type { components } from '../../api/schema';
import { Dialog } from '../../components/Dialog';
import { ErrorState } from '../../components/ErrorState';
import { RelativeTime } from '../../components/RelativeTime';
import { formatExactTime } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { expiryFrom, KEY_LIFETIMES, type KeyLifetime } from './key-lifetime';

type ApiKey = components['schemas']['ApiKey'];
type CreatedKey = components['schemas']['CreatedApiKey'];
const keysKey = ['api-keys'] as const;

/** Long-lived keys for integrations: created here (the key is shown once), listed, revoked. */
export function ApiKeys() {
  const { t } = useTranslation();
  const keys = useQuery({
    queryKey: keysKey,
    queryFn: async () => data(await api.GET('/api/v1/api-keys', { params: { query: { limit: 200 } } })),
  });
  const [created, setCreated] = useState<CreatedKey | null>(null);
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">
        {t('apiKeys.note')}
      </Text>
      <CreateKey onCreated={setCreated} />
      {keys.error ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data?.items.length === 0 ? (
        <Text size="sm">{t('apiKeys.none')}</Text>
      ) : (
        <Stack gap="xs" component="ul" className="plain-list" aria-label={t('apiKeys.listLabel')}>
          {keys.data?.items.map((key) => (
            <KeyRow key={key.id} apiKey={key} />
          ))}
        </Stack>
      )}
      <ShownOnce created={created} onClose={() => setCreated(null)} />
    </Stack>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: CreatedKey) => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const form = useForm<{ name: string; lifetime: KeyLifetime }>({ initialValues: { name: '', lifetime: 'never' } });
  const create = useMutation({
    mutationFn: async ({ name, lifetime }: { name: string; lifetime: KeyLifetime }) => {
      const expiresAt = expiryFrom(lifetime, Date.now());
      return data(await api.POST('/api/v1/api-keys', { body: { name, ...(expiresAt ? { expiresAt } : {}) } }));
    },
    onSuccess: (key) => {
      form.reset();
      onCreated(key);
      void client.invalidateQueries({ queryKey: keysKey });
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <form onSubmit={form.onSubmit((values) => create.mutate(values))} noValidate>
      <Group align="flex-start" gap="sm" wrap="wrap">
        <TextInput
          label={t('apiKeys.name')}
          placeholder={t('apiKeys.namePlaceholder')}
          required
          maxLength={100}
          style={{ flex: '1 1 14rem' }}
          {...form.getInputProps('name')}
        />
        <Select
          label={t('apiKeys.lifetime')}
          data={KEY_LIFETIMES.map((value) => ({ value, label: t(`apiKeys.lifetimes.${value}`) }))}
          allowDeselect={false}
          style={{ flex: '0 1 11rem' }}
          {...form.getInputProps('lifetime')}
        />
        <Button type="submit" loading={create.isPending} mt={{ base: 0, xs: 25 }}>
          {t('apiKeys.create')}
        </Button>
      </Group>
    </form>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const revoke = useMutation({
    mutationFn: async () => {
      await api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: apiKey.id } } });
    },
    onSuccess: () => {
      setAsking(false);
      notifications.show({ color: 'green', message: t('apiKeys.revoked', { name: apiKey.name }) });
      void client.invalidateQueries({ queryKey: keysKey });
    },
    onError: (error) => showApiErrors(error, null, t),
  });
  return (
    <Paper component="li" withBorder p="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Group gap="xs">
            <Text fw={500}>{apiKey.name}</Text>
            <Code>{apiKey.prefix}…</Code>
          </Group>
          <Text size="xs" c="dimmed">
            {t('apiKeys.created')} <RelativeTime at={apiKey.createdAt} /> · {t('apiKeys.lastUsed')}{' '}
            <RelativeTime at={apiKey.lastUsedAt} fallback={t('apiKeys.never')} /> · {t('apiKeys.expires')}{' '}
            {apiKey.expiresAt ? formatExactTime(apiKey.expiresAt, i18n.language) : t('apiKeys.noExpiry')}
          </Text>
        </div>
        <Button
          size="xs"
          color="red"
          variant="subtle"
          onClick={() => setAsking(true)}
          aria-label={t('apiKeys.revokeNamed', { name: apiKey.name })}
        >
          {t('apiKeys.revoke')}
        </Button>
      </Group>
      <Dialog opened={asking} onClose={() => setAsking(false)} title={t('apiKeys.revokeTitle')}>
        <Stack>
          <Text size="sm">{t('apiKeys.revokeConfirm', { name: apiKey.name })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate()}>
              {t('apiKeys.revoke')}
            </Button>
          </Group>
        </Stack>
      </Dialog>
    </Paper>
  );
}

/** The key itself is in the creating answer only: the server keeps its hash. */
function ShownOnce({ created, onClose }: { created: CreatedKey | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Dialog
      opened={created !== null}
      onClose={onClose}
      title={t('apiKeys.createdTitle', { name: created?.name ?? '' })}
      size="lg"
    >
      <Stack>
        <Alert color="yellow" variant="light">
          {t('apiKeys.shownOnce')}
        </Alert>
        <Code block className="secret-key" data-testid="new-api-key">
          {created?.key}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={created?.key ?? ''}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? t('apiKeys.copied') : t('apiKeys.copy')}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>{t('apiKeys.done')}</Button>
        </Group>
      </Stack>
    </Dialog>
  );
}
