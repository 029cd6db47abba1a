import { Alert, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, data } from '../../api/client';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { PageLoader } from '../../components/PageLoader';
import { ScrollTable } from '../../components/ScrollTable';
import { Section } from '../../components/Section';
import { formatCount, formatExactTime } from '../../lib/format';
import { showApiErrors } from '../../lib/forms';
import { translateImportReason } from './import-reasons';
import { proxyPoolQuery, type ProxyOutOfService } from './queries';

const COUNTS = ['total', 'available', 'allocated', 'resting', 'dead', 'usersWithProxies'] as const;

/** The proxy pool: counts by state and module, the provider's balance, an import, and what is out of service. */
export default function AdminProxies() {
  const { t } = useTranslation();
  const pool = useQuery({ ...proxyPoolQuery, refetchInterval: 30_000 });
  if (pool.error) return <ErrorState error={pool.error} onRetry={() => void pool.refetch()} />;
  if (!pool.data) return <PageLoader />;
  const { counts, allocatedByModule, poolMin, provider, dead, benched } = pool.data;
  return (
    <Stack gap="lg">
      <PageHeader title={t('admin.tabs.proxies')} subtitle={t('admin.proxies.subtitle')} />
      {counts.available < poolMin && (
        <Alert color="orange" variant="light">
          {t('admin.proxies.low', { min: poolMin })}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" aria-label={t('admin.proxies.countsLabel')}>
        {COUNTS.map((key) => (
          <Paper key={key} withBorder p="sm" data-testid={`pool-${key}`}>
            <Text size="xs" c="dimmed">
              {t(`admin.proxies.counts.${key}`)}
            </Text>
            <Text fw={700} size="xl" className="num">
              {formatCount(counts[key])}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <Section title={t('admin.proxies.byModule')}>
          <Group gap="xl">
            {Object.entries(allocatedByModule).map(([module, n]) => (
              <div key={module}>
                <Text size="xs" c="dimmed">
                  {t(`billing.modules.${module}`, { defaultValue: module })}
                </Text>
                <Text fw={600} className="num">
                  {formatCount(n)}
                </Text>
              </div>
            ))}
          </Group>
        </Section>
        <Section title={t('admin.proxies.provider')}>
          {provider.status === 'ok' ? (
            <Text fw={700} size="xl" className="num">
              {formatCount(provider.balance)} {provider.currency}
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              {provider.status === 'not_configured'
                ? t('admin.proxies.providerNotConfigured')
                : t('admin.proxies.providerUnavailable', { provider: provider.provider, error: provider.error })}
            </Text>
          )}
        </Section>
      </SimpleGrid>
      <ImportProxies />
      <Section title={t('admin.proxies.deadTitle')}>
        <OutOfService items={dead} empty={t('admin.proxies.noneDead')} label={t('admin.proxies.deadTitle')} />
      </Section>
      <Section title={t('admin.proxies.benchedTitle')}>
        <OutOfService
          items={benched}
          empty={t('admin.proxies.noneBenched')}
          label={t('admin.proxies.benchedTitle')}
          resting
        />
      </Section>
    </Stack>
  );
}

/** Pasted lines go to the API as they are; the lines it refused are listed under the field with the reason. */
function ImportProxies() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const form = useForm<{ proxies: string }>({ initialValues: { proxies: '' } });
  const [done, setDone] = useState<{ imported: number; updated: number } | null>(null);
  const submit = useMutation({
    mutationFn: async (lines: string[]) => data(await api.POST('/api/v1/admin/proxies', { body: { proxies: lines } })),
    onSuccess: (report, lines) => {
      setDone({ imported: report.imported, updated: report.updated });
      void client.invalidateQueries({ queryKey: proxyPoolQuery.queryKey });
      // Keep only the refused lines in the field, to correct and send again.
      form.setValues({ proxies: report.rejected.map((r) => lines[r.index]).join('\n') });
      if (report.rejected.length > 0) {
        form.setErrors({
          proxies: report.rejected
            .map((r) =>
              t('admin.proxies.rejectedLine', {
                line: r.index + 1,
                input: r.input,
                reason: translateImportReason(r.reason, t),
              }),
            )
            .join('\n'),
        });
      }
    },
    onError: (error) => showApiErrors(error, form, t),
  });
  return (
    <Section title={t('admin.proxies.importTitle')}>
      <form
        onSubmit={form.onSubmit(({ proxies }) => {
          setDone(null);
          submit.mutate(
            proxies
              .split('\n')
              .map((line) => line.trim())
              .filter(Boolean),
          );
        })}
      >
        <Stack gap="sm">
          <Textarea
            label={t('admin.proxies.importLabel')}
            description={t('admin.proxies.importHint')}
            autosize
            minRows={3}
            maxRows={12}
            spellCheck={false}
            styles={{ error: { whiteSpace: 'pre-line' } }}
            {...form.getInputProps('proxies')}
          />
          <Group justify="space-between" wrap="wrap">
            <Text size="sm" role="status">
              {done && t('admin.proxies.imported', done)}
            </Text>
            <Button type="submit" loading={submit.isPending}>
              {t('admin.proxies.importButton')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

function OutOfService({
  items,
  empty,
  label,
  resting = false,
}: {
  items: ProxyOutOfService[];
  empty: string;
  label: string;
  resting?: boolean;
}) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return <Text size="sm">{empty}</Text>;
  return (
    <ScrollTable minWidth={720} label={label}>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('admin.proxies.endpoint')}</Table.Th>
            <Table.Th>{t('admin.proxies.lastError')}</Table.Th>
            <Table.Th>{resting ? t('admin.proxies.restUntil') : t('admin.proxies.changed')}</Table.Th>
            <Table.Th ta="right">{t('admin.proxies.failures')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((proxy) => (
            <Table.Tr key={proxy.id}>
              <Table.Td className="num">{proxy.endpoint}</Table.Td>
              <Table.Td>{proxy.lastError ?? '—'}</Table.Td>
              <Table.Td className="num">
                {formatExactTime(resting && proxy.restUntil ? proxy.restUntil : proxy.updatedAt, i18n.language)}
              </Table.Td>
              <Table.Td ta="right" className="num">
                {formatCount(proxy.failureCount)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
