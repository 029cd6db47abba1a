import { ActionIcon, Badge, Group, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Money } from '../../components/Money';
import { RelativeTime } from '../../components/RelativeTime';
import { ScrollTable } from '../../components/ScrollTable';
import type { Preorder } from './form';
import { preorderFailure } from './messages';
import { STATUS_COLORS } from './queries';

interface ListProps {
  items: Preorder[];
  onEdit: (preorder: Preorder) => void;
  onDelete: (preorder: Preorder) => void;
}

/** "PP1: 10 · PP2: 5": the points it ships from and their units. */
function pointsOf(preorder: Preorder): string {
  return [...preorder.warehouses]
    .filter((w) => w.quantity > 0)
    .sort((a, b) => a.point - b.point)
    .map((w) => `PP${w.point}: ${w.quantity}`)
    .join(' · ');
}

function StatusBadge({ preorder }: { preorder: Preorder }) {
  const { t } = useTranslation();
  return (
    <Badge color={STATUS_COLORS[preorder.status]} variant="dot" radius="sm" className="state-badge">
      {t(`preorders.status.${preorder.status}`)}
    </Badge>
  );
}

/** When it reached Kaspi, or why it did not: what the merchant needs to know beside its state. */
function StatusNote({ preorder }: { preorder: Preorder }) {
  const { t } = useTranslation();
  if (preorder.status === 'failed' && preorder.error)
    return (
      <Text size="xs" c="red.8" style={{ overflowWrap: 'anywhere' }}>
        {preorderFailure(preorder.error, t)}
      </Text>
    );
  if (preorder.status === 'active')
    return (
      <Text size="xs" c="dimmed">
        {t('preorders.activeSince')} <RelativeTime at={preorder.activatedAt} />
      </Text>
    );
  if (preorder.status === 'processing')
    return (
      <Text size="xs" c="dimmed">
        {t('preorders.uploadedAt')} <RelativeTime at={preorder.uploadedAt} />
      </Text>
    );
  return null;
}

function Actions({ preorder, onEdit, onDelete }: { preorder: Preorder } & Omit<ListProps, 'items'>) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="nowrap" justify="flex-end">
      <ActionIcon
        variant="subtle"
        color="gray"
        aria-label={t('preorders.edit', { sku: preorder.sku })}
        onClick={() => onEdit(preorder)}
      >
        <IconPencil size={18} aria-hidden />
      </ActionIcon>
      <ActionIcon
        variant="subtle"
        color="red"
        aria-label={t('preorders.delete', { sku: preorder.sku })}
        onClick={() => onDelete(preorder)}
      >
        <IconTrash size={18} aria-hidden />
      </ActionIcon>
    </Group>
  );
}

export function PreordersTable({ items, ...actions }: ListProps) {
  const { t } = useTranslation();
  return (
    <ScrollTable minWidth={900} label={t('preorders.title')}>
      <Table highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('preorders.sku')}</Table.Th>
            <Table.Th>{t('preorders.product')}</Table.Th>
            <Table.Th ta="right">{t('preorders.price')}</Table.Th>
            <Table.Th ta="right">{t('preorders.daysShort')}</Table.Th>
            <Table.Th>{t('preorders.points')}</Table.Th>
            <Table.Th>{t('preorders.statusLabel')}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t('preorders.actions')}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((preorder) => (
            <Table.Tr key={preorder.id}>
              <Table.Td className="num">{preorder.sku}</Table.Td>
              <Table.Td>
                <Text size="sm">{preorder.model}</Text>
                {preorder.brand && (
                  <Text size="xs" c="dimmed">
                    {preorder.brand}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">
                <Money value={preorder.price} />
              </Table.Td>
              <Table.Td ta="right" className="num">
                {preorder.days}
              </Table.Td>
              <Table.Td className="num">{pointsOf(preorder)}</Table.Td>
              <Table.Td maw={260}>
                <StatusBadge preorder={preorder} />
                <StatusNote preorder={preorder} />
              </Table.Td>
              <Table.Td>
                <Actions preorder={preorder} {...actions} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

export function PreorderCards({ items, ...actions }: ListProps) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" component="ul" className="plain-list" aria-label={t('preorders.title')}>
      {items.map((preorder) => (
        <Paper key={preorder.id} component="li" withBorder p="sm">
          <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
            <div className="feed-main">
              <Text fw={600} size="sm">
                {preorder.model}
              </Text>
              <Text size="xs" c="dimmed">
                {preorder.sku}
                {preorder.brand ? ` · ${preorder.brand}` : ''}
              </Text>
              <Text size="sm">
                {t('preorders.inDays', { count: preorder.days })} · {pointsOf(preorder)}
              </Text>
              <StatusNote preorder={preorder} />
            </div>
            <Stack gap={4} align="flex-end" className="feed-aside">
              <Text fw={600}>
                <Money value={preorder.price} />
              </Text>
              <StatusBadge preorder={preorder} />
              <Actions preorder={preorder} {...actions} />
            </Stack>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
