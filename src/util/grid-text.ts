// How a grid value reads in run names and report tables: `0.5`, `100-30`, `normal(mean=0,stddev=1)`.

/**
 * A grid value as short text: scalars as they are, lists joined by "-" (hidden sizes), a block with a `name`
 * as `name(key=value,…)` (initializers), other mappings as compact JSON without quotes; "—" for no value.
 */
export function gridValueText(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(gridValueText).join('-');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const name = (value as { name?: unknown }).name;
    if (typeof name === 'string') {
      const params = entries.filter(([key]) => key !== 'name').map(([key, v]) => `${key}=${gridValueText(v)}`);
      return params.length ? `${name}(${params.join(',')})` : name;
    }
    return JSON.stringify(value).replace(/"/g, '');
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** A grid run's name without its generated `[key=value,…]` suffix (the grid columns show those values). */
export function baseRunName(name: string): string {
  return name.replace(/\[[^\]]*\]$/, '');
}
