// How the console shows an alert's measure (`observed`, `expected`): bytes for every type but
// GATEWAY_SILENT, whose measure is a silence in milliseconds (docs/design.md), shown as a
// duration: a two-hour blind spot read "7.2 MB" before. Runs in the page (inlined through its
// source text, like incident-rows.ts) and in the tests, so it is plain JavaScript semantics:
// no imports, no closures over module state.

/** `observed` or `expected` of an alert of type `type`, as the console prints it. */
export function measureText(type: string, n: number): string {
  if (type === 'GATEWAY_SILENT') {
    const s = Math.round(n / 1000);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + 'h ' : '') + (h > 0 || m > 0 ? m + 'm ' : '') + (s % 60) + 's';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return (i > 0 ? v.toPrecision(3) : String(Math.round(v))) + ' ' + units[i];
}
