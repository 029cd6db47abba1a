import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** A failed request says what failed and offers to try again; never a blank page. */
export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const { t } = useTranslation();
  const detail =
    error instanceof ApiError
      ? error.status === 404
        ? t('errors.notFound')
        : error.message
      : error instanceof TypeError
        ? t('errors.network')
        : t('errors.unexpected');
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={title ?? t('errors.title')}
      role="alert"
    >
      <Text size="sm">{detail}</Text>
      {onRetry && !(error instanceof ApiError && error.status === 404) && (
        <Group mt="sm">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        </Group>
      )}
    </Alert>
  );
}
