import { Anchor, Badge, Group, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { IconExternalLink } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { storeWorkflowsLink } from '../../../../src/domain/temporal-links';
import { ErrorState } from '../../components/ErrorState';
import { PageHeader } from '../../components/PageHeader';
import { PageLoader } from '../../components/PageLoader';
import { ScrollTable } from '../../components/ScrollTable';
import { Section } from '../../components/Section';
import { formatCount, formatExactTime } from '../../lib/format';
import { systemQuery } from './queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUS_COLORS = { ok: 'green', no_worker: 'orange', unavailable: 'red' } as const;

/** PostgreSQL, Temporal and its workers, the administrators' alerts, and the way into the Temporal UI. */
export default function AdminSystem() {
  const { t, i18n } = useTranslation();
  const system = useQuery({ ...systemQuery, refetchInterval: 15_000 });
  if (system.error) return <ErrorState error={system.error} onRetry={() => void system.refetch()} />;
  if (!system.data) return <PageLoader />;
  const { database, temporal, alerts, temporalUi } = system.data;
  return (
    <Stack gap="lg">
      <PageHeader title={t('admin.tabs.system')} subtitle={t('admin.system.subtitle')} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <Section title={t('admin.system.database')}>
          <Stack gap={4}>
            <StatusBadge status={database.status} />
            <Text size="sm">
              {database.latencyMs !== undefined
                ? t('admin.system.latency', { ms: database.latencyMs })
                : (database.error ?? '')}
            </Text>
          </Stack>
        </Section>
        <Section title={t('admin.system.temporal')}>
          <Stack gap="xs">
            <StatusBadge status={temporal.status} />
            {temporal.error && <Text size="sm">{temporal.error}</Text>}
            <Facts
              rows={[
                [t('admin.system.namespace'), temporal.namespace.name],
                ...(temporal.taskQueue
                  ? ([
                      [t('admin.system.taskQueue'), temporal.taskQueue.name],
                      [t('admin.system.workflowPollers'), formatCount(temporal.taskQueue.workflowPollers)],
                      [t('admin.system.activityPollers'), formatCount(temporal.taskQueue.activityPollers)],
                    ] as [string, string][])
                  : []),
              ]}
            />
          </Stack>
        </Section>
      </SimpleGrid>
      <Section title={t('admin.system.temporalUi')}>
        <Stack gap="sm">
          <Anchor
            href={`${temporalUi.url}/namespaces/${encodeURIComponent(temporalUi.namespace)}/workflows`}
            target="_blank"
            rel="noreferrer"
          >
            {t('admin.system.openUi')} <IconExternalLink size={14} aria-hidden />
          </Anchor>
          <StoreWorkflows ui={temporalUi} />
        </Stack>
      </Section>
      <Section title={t('admin.system.alerts')}>
        {alerts === null ? (
          <Text size="sm">{t('admin.system.alertsUnreadable')}</Text>
        ) : (
          <Stack gap="sm">
            <Facts
              rows={[
                [t('admin.system.alertsLastDay'), formatCount(alerts.lastDay)],
                [t('admin.system.alertsUndelivered'), formatCount(alerts.undelivered)],
              ]}
            />
            {alerts.recent.length === 0 ? (
              <Text size="sm">{t('admin.system.noAlerts')}</Text>
            ) : (
              <ScrollTable minWidth={560} label={t('admin.system.alerts')}>
                <Table>
                  <Table.Tbody>
                    {alerts.recent.map((alert) => (
                      <Table.Tr key={alert.id}>
                        <Table.Td className="num" style={{ whiteSpace: 'nowrap' }}>
                          {formatExactTime(alert.createdAt, i18n.language)}
                        </Table.Td>
                        <Table.Td>
                          <Text size="xs" c="dimmed">
                            {alert.kind}
                          </Text>
                          <Text size="sm">{alert.message}</Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollTable>
            )}
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

function StatusBadge({ status }: { status: keyof typeof STATUS_COLORS }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[status]} variant="dot" radius="sm" className="state-badge">
      {t(`admin.system.status.${status}`)}
    </Badge>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <Stack gap={2} component="dl" m={0}>
      {rows.map(([term, value]) => (
        <Group key={term} gap="xs" wrap="nowrap">
          <Text component="dt" size="sm" c="dimmed">
            {term}:
          </Text>
          <Text component="dd" size="sm" m={0} className="num" style={{ overflowWrap: 'anywhere' }}>
            {value}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}

/** A store's id (from the users screen or a merchant's message) opens its workflows, found by `StoreId`. */
function StoreWorkflows({ ui }: { ui: { url: string; namespace: string } }) {
  const { t } = useTranslation();
  const [storeId, setStoreId] = useState('');
  const id = storeId.trim();
  const valid = UUID.test(id);
  return (
    <Group align="flex-end" gap="sm" wrap="wrap">
      <TextInput
        label={t('admin.system.storeId')}
        description={t('admin.system.storeIdHint')}
        value={storeId}
        onChange={(e) => setStoreId(e.currentTarget.value)}
        error={id && !valid ? t('admin.system.badStoreId') : undefined}
        spellCheck={false}
        style={{ flex: '1 1 20rem' }}
      />
      {valid && (
        <Anchor href={storeWorkflowsLink(ui, id)} target="_blank" rel="noreferrer" mb={8}>
          {t('admin.system.openStore')} <IconExternalLink size={14} aria-hidden />
        </Anchor>
      )}
    </Group>
  );
}
