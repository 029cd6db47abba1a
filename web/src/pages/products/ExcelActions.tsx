import { Button, FileButton, Group, List, Modal, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconDownload, IconUpload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, CSRF_HEADER, readCookie } from '../../api/client';
import { describeError } from '../../lib/forms';
import { productsKey } from '../../lib/products';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface RowReport {
  row: number;
  sku: string;
  status: string;
  errors?: { column: string; message: string }[];
}

interface RowError {
  row: number;
  sku: string;
  column: string;
  message: string;
}

/**
 * Export downloads the settings workbook; import sends one back. The import is all or nothing, so a
 * file with bad rows changes nothing and each bad row is listed.
 */
export function ExcelActions({ storeId }: { storeId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [rowErrors, setRowErrors] = useState<RowError[] | null>(null);

  const upload = useMutation({
    mutationFn: async (file: File) => {
      // The workbook goes as the raw body; the typed client only speaks JSON.
      const response = await fetch(`/api/v1/stores/${storeId}/products/import`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': XLSX, [CSRF_HEADER]: readCookie('kd_csrf') ?? '' },
        body: file,
      });
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok) {
        throw new ApiError(response.status, String(body.detail ?? response.statusText), [], null, body);
      }
      return body as { updated?: number };
    },
    onSuccess: (result) => {
      notifications.show({ color: 'green', message: t('excel.imported', { count: result.updated ?? 0 }) });
      void client.invalidateQueries({ queryKey: productsKey(storeId) });
    },
    onError: (error) => {
      const rows = error instanceof ApiError ? (error.extra.rows as RowReport[] | undefined) : undefined;
      const bad = (rows ?? []).flatMap((r) => (r.errors ?? []).map((e) => ({ row: r.row, sku: r.sku, ...e })));
      if (bad.length > 0) setRowErrors(bad);
      else notifications.show({ color: 'red', title: t('excel.failed'), message: describeError(error, t) });
    },
  });

  return (
    <Group gap="xs">
      <Button
        component="a"
        href={`/api/v1/stores/${storeId}/products/export.xlsx`}
        download
        variant="default"
        leftSection={<IconDownload size={16} aria-hidden />}
      >
        {t('excel.export')}
      </Button>
      <FileButton onChange={(file) => file && upload.mutate(file)} accept={`${XLSX},.xlsx`}>
        {(props) => (
          <Button
            {...props}
            variant="default"
            loading={upload.isPending}
            leftSection={<IconUpload size={16} aria-hidden />}
          >
            {t('excel.import')}
          </Button>
        )}
      </FileButton>
      <Modal opened={rowErrors !== null} onClose={() => setRowErrors(null)} title={t('excel.rowErrorsTitle')} size="lg">
        <Text size="sm" mb="sm">
          {t('excel.rowErrorsIntro')}
        </Text>
        <List size="sm" spacing={4}>
          {(rowErrors ?? []).map((e, i) => (
            <List.Item key={i}>
              {t('excel.rowError', { row: e.row, sku: e.sku, column: e.column, message: e.message })}
            </List.Item>
          ))}
        </List>
      </Modal>
    </Group>
  );
}
