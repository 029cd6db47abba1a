import { Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** "1–50 of 230" and the page buttons under a long list; nothing when it fits on one page. */
export function ListPager({
  total,
  pageSize,
  page,
  onChange,
}: {
  total: number;
  pageSize: number;
  page: number;
  onChange: (page: number) => void;
}) {
  const { t } = useTranslation();
  if (total <= pageSize) return null;
  return (
    <Group justify="space-between">
      <Text size="sm" c="dimmed">
        {t('products.shown', { from: (page - 1) * pageSize + 1, to: Math.min(page * pageSize, total), total })}
      </Text>
      <Pagination
        total={Math.ceil(total / pageSize)}
        value={page}
        onChange={onChange}
        getControlProps={(control) => ({ 'aria-label': t(`products.page.${control}`) })}
        getItemProps={(n) => ({ 'aria-label': t('products.page.number', { page: n }) })}
      />
    </Group>
  );
}
