import { useTranslation } from 'react-i18next';
import { formatExactTime, formatRelative } from '../lib/format';
import { useNow } from '../lib/now';

/**
 * "2 мин назад", with the exact Almaty time on hover; `dateTime` carries it for machines. A `future`
 * moment already past reads "now". The hover is the browser's own title: a list shows a hundred of
 * these, and a tooltip component each would cost more to draw than the rest of the row.
 */
export function RelativeTime({
  at,
  fallback = '—',
  future = false,
}: {
  at: string | null | undefined;
  fallback?: string;
  future?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const now = useNow();
  if (!at) return <span>{fallback}</span>;
  const exact = formatExactTime(at, i18n.language);
  return (
    <time dateTime={at} title={exact}>
      {/* A moment that should be ahead but has passed is happening now (a check under way); one that has
          passed but reads ahead of this page's clock (which ticks every few seconds) is just now. */}
      {future && Date.parse(at) <= now
        ? t('time.now')
        : formatRelative(future ? at : new Date(Math.min(Date.parse(at), now)), i18n.language, now)}
    </time>
  );
}
