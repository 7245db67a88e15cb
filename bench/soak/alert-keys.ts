// Alerts compared by what they are about rather than by alert_id: the type, the destination
// and the window (flow alerts carry the window of their flow). The soak's service and its
// unbroken reference read the flows in different orders, so sample flow ids, and with them
// alert ids, may differ for the same finding.

export interface AlertKeyed {
  type: string;
  destination: string;
  window_start_ms: number;
}

export function alertKey(a: AlertKeyed): string {
  return `${a.type}|${a.destination}|${a.window_start_ms}`;
}

export interface AlertComparison {
  /** Per type: keys in both, only in the service's alerts, only in the reference's. */
  byType: Record<string, { both: number; serviceOnly: number; referenceOnly: number }>;
}

/** Counts each distinct key once on each side (repeats of one finding are one finding). */
export function compareAlerts(service: readonly AlertKeyed[], reference: readonly AlertKeyed[]): AlertComparison {
  const keysOf = (alerts: readonly AlertKeyed[]) => new Map(alerts.map((a) => [alertKey(a), a.type]));
  const s = keysOf(service);
  const r = keysOf(reference);
  const byType: AlertComparison['byType'] = {};
  const row = (type: string) => (byType[type] ??= { both: 0, serviceOnly: 0, referenceOnly: 0 });
  for (const [key, type] of s) {
    if (r.has(key)) row(type).both++;
    else row(type).serviceOnly++;
  }
  for (const [key, type] of r) if (!s.has(key)) row(type).referenceOnly++;
  return { byType };
}
