import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { setNonce } from 'get-nonce';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { RouterProvider } from 'react-router';
import { queryClient } from './lib/query';
import { router } from './routes';
import { cssVariables, themeIn } from './theme';

/**
 * The page's CSP allows only styles carrying this request's nonce, which the server writes into the
 * page; Mantine puts it on the style tags it generates, and the dialogs' scroll lock (which writes its
 * own style tag) takes it from get-nonce.
 */
function styleNonce(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';
}
setNonce(styleNonce());

export function App() {
  const { t } = useTranslation();
  const theme = useMemo(() => themeIn(t('common.close')), [t]);
  return (
    <MantineProvider
      theme={theme}
      getStyleNonce={styleNonce}
      defaultColorScheme="light"
      cssVariablesResolver={cssVariables}
    >
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
