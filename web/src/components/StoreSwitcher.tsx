import { Select } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { rememberStore, useCurrentStoreId, useStores } from '../lib/stores';

/** Merchants with several Kaspi stores switch between them here; the screen stays the same. */
export function StoreSwitcher() {
  const { t } = useTranslation();
  const stores = useStores();
  const current = useCurrentStoreId();
  const navigate = useNavigate();
  const location = useLocation();
  const list = stores.data ?? [];
  if (list.length < 2) return null;
  const change = (id: string | null) => {
    if (!id) return;
    rememberStore(id);
    const match = location.pathname.match(/^\/stores\/[^/]+\/(\w+)/);
    void navigate(`/stores/${id}/${match?.[1] ?? 'products'}`);
  };
  return (
    <Select
      aria-label={t('nav.store')}
      data={list.map((s) => ({ value: s.id, label: s.name }))}
      value={current}
      onChange={change}
      allowDeselect={false}
      w={{ base: 140, sm: 220 }}
      size="sm"
      comboboxProps={{ withinPortal: true }}
    />
  );
}
