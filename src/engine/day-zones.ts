// Whose week a destination keeps (baseline.day_zones). The seasonal baseline's weekday slots
// switch at midnight of baseline.timezone, but a destination whose senders keep another
// zone's days (a partner in Tokyo begins its Monday at 15:00 UTC on Sunday) is read there at
// the wrong day's level for hours on each side of every weekend: a weekend's whole drop read
// as growth (docs/detection-volume.md, limits). A destination matching an entry's glob (the
// first that matches) takes its weekday, its day bucket and the midnight the day-edge
// allowance reads from that entry's zone; its hours of the day stay in baseline.timezone, so
// a zone set or changed later moves which day a window counts in, never what an hour slot has
// learnt. Deterministic: a pure function of the config and the window's event time.
import { globMatcher } from '../config/overrides.js';
import type { DayZone } from '../config/types.js';
import { Calendar } from './calendar.js';
import type { DestinationState } from './state-store.js';

export class DayZones {
  private readonly calendars: Calendar[];
  private readonly matchers: ((destination: string) => boolean)[];

  constructor(zones: readonly DayZone[], private readonly main: Calendar) {
    const byZone = new Map<string, Calendar>([[main.timeZone, main]]);
    this.calendars = zones.map((z) => {
      let c = byZone.get(z.timezone);
      if (c === undefined) byZone.set(z.timezone, (c = new Calendar(z.timezone)));
      return c;
    });
    this.matchers = zones.map((z) => globMatcher(z.destination));
  }

  /**
   * The calendar whose days `destination` keeps: its first matching entry's zone, else
   * baseline.timezone's. Matched once per destination state (kept on it: the zones change only
   * with a restart), so its globs are not run per window.
   */
  calendarFor(state: DestinationState, destination: string): Calendar {
    if (this.matchers.length === 0) return this.main;
    return (state.days ??= this.resolve(destination));
  }

  /** The first matching entry's calendar, else baseline.timezone's. */
  resolve(destination: string): Calendar {
    const i = this.matchers.findIndex((m) => m(destination));
    return i < 0 ? this.main : this.calendars[i];
  }
}
