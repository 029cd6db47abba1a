import { useEffect, useRef } from 'react';

/**
 * A row's selection box, and the header's "all on the page" with its partly-chosen state. The
 * browser's own checkbox in the kit's colour: a page draws one per row.
 */
export function SelectBox({
  label,
  checked,
  indeterminate = false,
  onChange,
}: {
  label: string;
  checked: boolean;
  indeterminate?: boolean;
  onChange(): void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input ref={ref} type="checkbox" className="select-box" aria-label={label} checked={checked} onChange={onChange} />
  );
}
