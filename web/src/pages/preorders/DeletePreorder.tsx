import { Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { describeError } from '../../lib/forms';
import type { Preorder } from './form';
import { preordersKey } from './queries';

/** Asks before a product comes off preorder: one already uploaded is taken off at Kaspi too. */
export function DeletePreorder({ preorder, onDone }: { preorder: Preorder; onDone: () => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: async () => {
      await api.DELETE('/api/v1/stores/{id}/preorders/{preorderId}', {
        params: { path: { id: preorder.storeId, preorderId: preorder.id } },
      });
    },
    onSuccess: () => {
      notifications.show({ color: 'green', message: t('preorders.deleted', { sku: preorder.sku }) });
      void client.invalidateQueries({ queryKey: preordersKey(preorder.storeId) });
      onDone();
    },
    onError: (error) =>
      notifications.show({ color: 'red', title: t('errors.title'), message: describeError(error, t) }),
  });
  return (
    <Stack gap="sm">
      <Text size="sm">
        {t(preorder.uploadedAt ? 'preorders.deleteUploaded' : 'preorders.deleteDraft', {
          sku: preorder.sku,
          model: preorder.model,
        })}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
          {t('preorders.deleteConfirm')}
        </Button>
      </Group>
    </Stack>
  );
}
