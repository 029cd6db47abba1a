import { Alert, Button, Card, Group, Progress, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { IconCloudUpload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, data } from '../../api/client';
import { RelativeTime } from '../../components/RelativeTime';
import { describeError } from '../../lib/forms';
import { preorderFailure } from './messages';
import { preordersKey, type PreorderUpload } from './queries';

/**
 * "Upload to Kaspi" and how the latest upload goes: while it runs, how many of the preorders it sent
 * Kaspi shows already; once it ends, what came of it, or why nothing was sent.
 */
export function UploadBar({ storeId, upload }: { storeId: string; upload: UseQueryResult<PreorderUpload> }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const start = useMutation({
    mutationFn: async () =>
      data(await api.POST('/api/v1/stores/{id}/preorders/upload', { params: { path: { id: storeId } }, body: {} })),
    onSuccess: (started) => {
      notifications.show({ color: 'green', message: t('preorders.uploadStarted', { count: started.preorders }) });
      void client.invalidateQueries({ queryKey: preordersKey(storeId) });
    },
    onError: (error) =>
      notifications.show({
        color: 'red',
        title: t('preorders.uploadFailedTitle'),
        // The loop pushes the preorders: without it the API refuses, and the merchant needs to know where to look.
        message: error instanceof ApiError && error.status === 409 ? t('preorders.noLoop') : describeError(error, t),
      }),
  });
  const status = upload.data;
  if (!status) return null;
  const { draft, processing, active, failed } = status.preorders;
  const total = draft + processing + active + failed;
  const sent = processing + active + failed;
  const running = status.state === 'running';

  return (
    <Card withBorder padding="sm">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="sm">
            {status.state === 'never' ? (
              t('preorders.neverUploaded')
            ) : (
              <>
                {t(running ? 'preorders.uploadRunning' : 'preorders.lastUpload')} <RelativeTime at={status.startedAt} />
                {status.state === 'done' && ` · ${t('preorders.uploadSent', { count: status.uploaded ?? 0 })}`}
              </>
            )}
          </Text>
          <Button
            size="sm"
            leftSection={<IconCloudUpload size={16} aria-hidden />}
            loading={start.isPending}
            disabled={running || total === 0}
            onClick={() => start.mutate()}
          >
            {t('preorders.upload')}
          </Button>
        </Group>
        {sent > 0 && (
          <>
            <Progress.Root size="lg" aria-hidden>
              <Progress.Section value={(active / sent) * 100} color="green" />
              <Progress.Section value={(failed / sent) * 100} color="red" />
              <Progress.Section value={(processing / sent) * 100} color="blue" striped animated={running} />
            </Progress.Root>
            <Text size="sm" data-testid="upload-progress">
              {t('preorders.progress', { active, failed, processing, sent })}
              {draft > 0 && ` · ${t('preorders.notSent', { count: draft })}`}
            </Text>
          </>
        )}
        {status.state === 'failed' && status.refused && (
          <Alert color="red" title={t('preorders.uploadFailedTitle')} p="xs">
            {preorderFailure(status.refused, t)}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
