import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/client';
import { useMe } from '../lib/session';
import { ErrorState } from './ErrorState';
import { PageLoader } from './PageLoader';

/** Screens behind sign-in: without a session the merchant signs in and comes back here. */
export function RequireSession({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <PageLoader />;
  if (me.error instanceof ApiError && me.error.status === 401) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  if (me.error) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return <>{children}</>;
}
