import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, matchPath, Navigate } from 'react-router';
import { onSignedOut } from './api/client';
import { PageLoader } from './components/PageLoader';
import { RequireSession } from './components/RequireSession';
import { Layout } from './components/Layout';
import { meQuery } from './lib/session';
import { queryClient } from './lib/query';
import { apiQuery, productListQuery, readListState } from './pages/products/filters';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';

/**
 * Screens load on demand: the first paint carries only the shell and the sign-in forms. The screen
 * the address names starts loading at once, beside the session check, rather than after it; once its
 * code is here it is drawn in the same frame as the shell, since a suspended screen is held back at
 * least 300 ms by React even when its code arrives a moment later.
 */
function page(path: string | null, load: () => Promise<{ default: ComponentType }>) {
  let loaded: ComponentType | undefined;
  const keep = () =>
    load().then((module) => {
      loaded = module.default;
      return module;
    });
  const Lazy = lazy(keep);
  if (path && matchPath(path, window.location.pathname)) void keep();
  function Page() {
    const Loaded = loaded;
    return Loaded ? <Loaded /> : <Lazy />;
  }
  return (
    <Suspense fallback={<PageLoader />}>
      <Page />
    </Suspense>
  );
}

export const router = createBrowserRouter([
  { path: '/signin', element: <SignIn /> },
  { path: '/signup', element: <SignUp /> },
  {
    // Who is signed in is asked at once, beside the screen's code and data.
    loader: () => {
      void queryClient.prefetchQuery(meQuery);
      return null;
    },
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    children: [
      { index: true, element: page('/', () => import('./pages/Home')) },
      { path: 'connect', element: page('/connect', () => import('./pages/Connect')) },
      { path: 'stores/:storeId', element: <Navigate to="products" replace /> },
      {
        path: 'stores/:storeId/products',
        // The list is asked for at once, beside the session check, not after the screen has loaded.
        loader: ({ params, request }) => {
          void queryClient.prefetchQuery(
            productListQuery(params.storeId!, apiQuery(readListState(new URL(request.url).searchParams))),
          );
          return null;
        },
        element: page('/stores/:storeId/products', () => import('./pages/Products')),
      },
      { path: 'stores/:storeId/demper', element: page('/stores/:storeId/demper', () => import('./pages/Demper')) },
      {
        path: 'stores/:storeId/activity',
        element: page('/stores/:storeId/activity', () => import('./pages/Activity')),
      },
      { path: 'stores/:storeId/orders', element: page('/stores/:storeId/orders', () => import('./pages/Orders')) },
      {
        path: 'stores/:storeId/sales',
        element: page('/stores/:storeId/sales', () => import('./pages/Sales')),
      },
      {
        path: 'stores/:storeId/earnings',
        element: page('/stores/:storeId/earnings', () => import('./pages/Earnings')),
      },
      {
        path: 'stores/:storeId/preorders',
        element: page('/stores/:storeId/preorders', () => import('./pages/Preorders')),
      },
      {
        path: 'stores/:storeId/messages',
        element: page('/stores/:storeId/messages', () => import('./pages/Messages')),
      },
      { path: 'orders/:orderId', element: page('/orders/:orderId', () => import('./pages/Order')) },
      { path: 'account', element: page('/account', () => import('./pages/Account')) },
      { path: 'billing', element: page('/billing', () => import('./pages/Billing')) },
      { path: 'products/:productId', element: page('/products/:productId', () => import('./pages/Product')) },
      {
        // Administrators only: anyone else gets the ordinary "not found" from the admin screen itself.
        path: 'admin',
        element: page('/admin/*', () => import('./pages/Admin')),
        children: [
          { index: true, element: <Navigate to="users" replace /> },
          { path: 'users', element: page('/admin/users', () => import('./pages/admin/Users')) },
          { path: 'proxies', element: page('/admin/proxies', () => import('./pages/admin/Proxies')) },
          {
            path: 'subscriptions',
            element: page('/admin/subscriptions', () => import('./pages/admin/Subscriptions')),
          },
          { path: 'system', element: page('/admin/system', () => import('./pages/admin/System')) },
        ],
      },
      { path: '*', element: page(null, () => import('./pages/NotFound')) },
    ],
  },
]);

// An expired or revoked session sends the merchant to sign in, and back to this page after.
onSignedOut(() => {
  const { pathname, search } = window.location;
  if (pathname === '/signin' || pathname === '/signup') return;
  queryClient.clear();
  void router.navigate(`/signin?next=${encodeURIComponent(pathname + search)}`, { replace: true });
});
