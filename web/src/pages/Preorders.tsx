import { Button, Chip, Group, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconDownload, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams, useSearchParams } from 'react-router';
import { Dialog } from '../components/Dialog';
import { ErrorState } from '../components/ErrorState';
import { ListPager } from '../components/ListPager';
import { PageHeader } from '../components/PageHeader';
import { PageLoader } from '../components/PageLoader';
import { useStores } from '../lib/stores';
import { DeletePreorder } from './preorders/DeletePreorder';
import type { Preorder } from './preorders/form';
import { PreorderForm } from './preorders/PreorderForm';
import { PreorderCards, PreordersTable } from './preorders/PreordersTable';
import {
  PREORDER_STATUSES,
  PREORDERS_PAGE_SIZE,
  preorderListQuery,
  preorderUploadQuery,
  type PreorderStatus,
} from './preorders/queries';
import { UploadBar } from './preorders/UploadBar';

/** What the dialog is doing: a new preorder, a change to one, or asking before one is deleted. */
type Editing = { kind: 'create' } | { kind: 'edit'; preorder: Preorder } | { kind: 'delete'; preorder: Preorder };

/**
 * The store's preorders: each with its state at Kaspi (not sent, waiting, shown, failed and why), made
 * and changed here, uploaded to Kaspi with the upload followed until Kaspi shows them, and exported in
 * Kaspi's Excel price-list layout.
 */
export default function Preorders() {
  const { t } = useTranslation();
  const { storeId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const status = (PREORDER_STATUSES as string[]).includes(statusParam ?? '') ? (statusParam as PreorderStatus) : null;
  const page = Math.max(1, Number(params.get('page')) || 1);
  const narrow = useMediaQuery('(max-width: 62em)', undefined, { getInitialValueInEffect: false });
  const store = useStores().data?.find((s) => s.id === storeId);
  const [editing, setEditing] = useState<Editing | null>(null);

  const upload = useQuery(preorderUploadQuery(storeId));
  const list = useQuery(preorderListQuery(storeId, status, page, upload.data?.state === 'running'));
  const change = (next: { status?: PreorderStatus | null; page?: number }) => {
    const merged = { status, page: 1, ...next };
    const query = new URLSearchParams();
    if (merged.status) query.set('status', merged.status);
    if (merged.page > 1) query.set('page', String(merged.page));
    setParams(query, { replace: true });
  };
  const close = () => setEditing(null);
  const actions = {
    onEdit: (preorder: Preorder) => setEditing({ kind: 'edit', preorder }),
    onDelete: (preorder: Preorder) => setEditing({ kind: 'delete', preorder }),
  };

  return (
    <Stack gap="md">
      <PageHeader title={t('preorders.title')} subtitle={store?.name}>
        <Group gap="xs">
          <Button
            component="a"
            href={`/api/v1/stores/${storeId}/preorders/export.xlsx`}
            download
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
          >
            {t('preorders.export')}
          </Button>
          <Button
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setEditing({ kind: 'create' })}
            disabled={!store}
          >
            {t('preorders.new')}
          </Button>
        </Group>
      </PageHeader>
      <Text size="sm" c="dimmed" maw={720}>
        {t('preorders.intro')}
      </Text>

      <UploadBar storeId={storeId} upload={upload} />

      <Chip.Group
        multiple={false}
        value={status ?? 'all'}
        onChange={(value) => change({ status: value === 'all' ? null : (value as PreorderStatus) })}
      >
        <Group gap="xs" role="group" aria-label={t('preorders.statusLabel')}>
          {(['all', ...PREORDER_STATUSES] as const).map((s) => (
            <Chip key={s} value={s} size="sm" variant="outline">
              {s === 'all' ? t('preorders.all') : t(`preorders.status.${s}`)}
            </Chip>
          ))}
        </Group>
      </Chip.Group>

      {list.isPending ? (
        <PageLoader />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Text c="dimmed" ta="center" py="xl">
          {status ? t('preorders.emptyFilter') : t('preorders.empty')}
        </Text>
      ) : narrow ? (
        <PreorderCards items={list.data.items} {...actions} />
      ) : (
        <PreordersTable items={list.data.items} {...actions} />
      )}

      <ListPager
        total={list.data?.total ?? 0}
        pageSize={PREORDERS_PAGE_SIZE}
        page={page}
        onChange={(next) => change({ page: next })}
      />

      <Dialog
        opened={editing !== null}
        onClose={close}
        size="lg"
        title={
          editing?.kind === 'create'
            ? t('preorders.new')
            : editing?.kind === 'edit'
              ? t('preorders.editTitle', { sku: editing.preorder.sku })
              : t('preorders.deleteTitle')
        }
      >
        {editing && store && editing.kind !== 'delete' && (
          <PreorderForm store={store} preorder={editing.kind === 'edit' ? editing.preorder : null} onDone={close} />
        )}
        {editing?.kind === 'delete' && <DeletePreorder preorder={editing.preorder} onDone={close} />}
      </Dialog>
    </Stack>
  );
}
