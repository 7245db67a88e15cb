// The one config a running service is in: the start config until a reload (SIGHUP, reload.ts)
// replaces it. Every part that needs a setting holds this object and reads `current` when it
// needs the value, so a reload is one assignment here and nobody keeps a copy that could go
// stale. Parts that must act on a reload (the engines, the configured suppressions) subscribe.
//
// Settings only a restart can apply (src/config/live-reload.ts: kafka.*, service.*, windows.*,
// baseline.key, baseline.timezone, baseline.day_zones, alerts.format) never differ between `current` and the start
// config, because reload.ts refuses a file that changes them; reading them from `current`
// is therefore the same as reading them at start, and stays right if one of them becomes live.
import type { Config } from '../config/types.js';

export type ConfigListener = (next: Config) => void;

export class LiveConfig {
  private value: Config;
  private readonly listeners: ConfigListener[] = [];

  constructor(start: Config) {
    this.value = start;
  }

  /** The config in force. */
  get current(): Config {
    return this.value;
  }

  /** Calls `listener` with every later config, in subscription order. */
  onUpdate(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  /** A reloaded config (restart-only keys unchanged: reload.ts checks) becomes the one in force. */
  update(next: Config): void {
    this.value = next;
    for (const listener of this.listeners) listener(next);
  }
}
