// Local hour and weekday of an instant in an IANA time zone, for the seasonal baseline.
// Intl does the zone arithmetic (including daylight-saving shifts); results are cached
// because every destination asks about the same few window starts.
export interface LocalTime {
  hour: number;
  /** Monday 0 .. Sunday 6. */
  weekday: number;
  /** Changes exactly when the local hour changes (yyyymmddhh). */
  hourBucket: number;
  /** Changes exactly when the local date changes (yyyymmdd). */
  dayBucket: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export class Calendar {
  private readonly format: Intl.DateTimeFormat;
  private readonly cache = new Map<number, LocalTime>();
  private lastMs = Number.NaN;
  private last: LocalTime | undefined;

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      weekday: 'short',
    });
  }

  at(ms: number): LocalTime {
    // Windows close boundary by boundary, so the same instant comes many times in a row.
    if (ms === this.lastMs) return this.last!;
    let t = this.cache.get(ms);
    if (t === undefined) {
      t = this.compute(ms);
      if (this.cache.size >= 4096) this.cache.clear();
      this.cache.set(ms, t);
    }
    this.lastMs = ms;
    this.last = t;
    return t;
  }

  private compute(ms: number): LocalTime {
    const parts: Record<string, string> = {};
    for (const p of this.format.formatToParts(new Date(ms))) parts[p.type] = p.value;
    const hour = Number(parts.hour);
    const dayBucket = Number(parts.year) * 10000 + Number(parts.month) * 100 + Number(parts.day);
    return { hour, weekday: WEEKDAYS[parts.weekday], hourBucket: dayBucket * 100 + hour, dayBucket };
  }
}
