// The config in force and what the engine derives from it (internal networks, compiled
// policy, detector settings with overrides per destination), swapped whole by a live reload.
// Settings that shape the state itself (windows, baseline key, time zone and day zones) cannot change
// without a restart: reconfigure refuses them (config/live-reload.ts names them).
import { formatKeyPath } from '../config/errors.js';
import { changedKeys, ENGINE_FIXED_KEYS } from '../config/live-reload.js';
import { destinationMatchKey, resolveDetectorSettings } from '../config/overrides.js';
import type { Config, DetectorSettings } from '../config/types.js';
import type { DetectorKey, GatewayView } from '../detectors/detector.js';
import { destinationDetectors } from '../detectors/registry.js';
import { GATEWAY_DESTINATION_PREFIX } from '../model/contract.js';
import { InternalNetworks } from './keys.js';
import { compilePolicy, type CompiledClass } from './policy.js';
import type { DestinationState } from './state-store.js';

/**
 * Detector settings with overrides applied, per data class, for every destination that matches
 * the same overrides' destination globs (config/overrides.ts destinationMatchKey). Shared: a
 * destination holds a reference to its profile, not settings of its own (the 2 KB budget).
 */
export type SettingsProfile = Map<string | null, DetectorSettings>;

export class LiveConfig {
  internal: InternalNetworks;
  policy: Map<string, CompiledClass>;
  /** Profiles by destinationMatchKey, for this config (a reload starts afresh). */
  private profiles = new Map<string, SettingsProfile>();

  constructor(public config: Config) {
    this.internal = new InternalNetworks(config.policy.internal_networks);
    this.policy = compilePolicy(config);
  }

  /** Swaps in a reloaded config; throws, naming the keys, when one that needs a restart changed. */
  reconfigure(config: Config): void {
    const fixed = changedKeys(this.config, config, ENGINE_FIXED_KEYS);
    if (fixed.length > 0) throw new Error(`cannot change without a restart: ${fixed.map(formatKeyPath).join(', ')}`);
    this.config = config;
    this.internal = new InternalNetworks(config.policy.internal_networks);
    this.policy = compilePolicy(config);
    this.profiles = new Map();
  }

  /**
   * Overrides resolved once per profile and data class; the destination keeps a reference to
   * its profile (dropped on reload), so its globs are matched once, not per flow.
   */
  settings(state: DestinationState, destination: string, dataClass: string | null): DetectorSettings {
    const overrides = this.config.detectors.overrides;
    if (overrides.length === 0) return this.config.detectors;
    let profile = state.settings;
    if (profile === undefined) {
      const key = destinationMatchKey(overrides, destination);
      profile = this.profiles.get(key);
      if (profile === undefined) {
        profile = new Map();
        this.profiles.set(key, profile);
      }
      state.settings = profile;
    }
    let s = profile.get(dataClass);
    if (s === undefined) {
      // Resolved for this destination, and the same for every destination of the profile:
      // overrides differ between them only by data class, which is the profile's key here.
      s = {} as DetectorSettings;
      for (const d of destinationDetectors()) {
        (s as unknown as Record<string, unknown>)[d.key] = resolveDetectorSettings(this.config, d.key, destination, dataClass);
      }
      profile.set(dataClass, s);
    }
    return s;
  }

  /** What a gateway detector reads of this config: its block, and per gateway its overrides (destination `gateway:<id>`). */
  gatewayView<K extends DetectorKey>(key: K): GatewayView<DetectorSettings[K]> {
    const config = this.config;
    const block = config.detectors[key];
    return {
      settings: block,
      settingsFor: (gateway) =>
        config.detectors.overrides.length === 0 ? block : resolveDetectorSettings(config, key, GATEWAY_DESTINATION_PREFIX + gateway, null),
      allowedLateness: config.windows.allowed_lateness,
      idleTtl: config.baseline.idle_ttl,
      configVersion: config.config_version,
      incidents: config.alerts.suppress_for > 0,
    };
  }
}
