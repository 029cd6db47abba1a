import { formatTenge } from '../lib/format';

export function Money({ value }: { value: number | null | undefined }) {
  return <span className="money">{formatTenge(value)}</span>;
}
