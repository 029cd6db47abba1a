import { Menu } from '@mantine/core';
import { IconLanguage } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from '../i18n';
import { HeaderMenu } from './HeaderMenu';

export function LanguageMenu() {
  const { t, i18n } = useTranslation();
  return (
    <HeaderMenu label={t('nav.language')} icon={<IconLanguage size={20} aria-hidden />}>
      {LANGUAGES.map((l) => (
        <Menu.Item
          key={l.code}
          onClick={() => setLanguage(l.code)}
          fw={i18n.language === l.code ? 700 : undefined}
          lang={l.code}
        >
          {l.label}
        </Menu.Item>
      ))}
    </HeaderMenu>
  );
}
