// The config in force and what the engine derives from it (internal networks, compiled
// policy, detector settings with overrides per destination), swapped whole by a live reload.
// Settings that shape the state itself (windows, baseline key and time zone) cannot change
// without a restart: reconfigure refuses them (config/live-reload.ts names them).
import { formatKeyPath } from '../config/errors.js';
import { changedKeys, ENGINE_FIXED_KEYS } from '../config/live-reload.js';
import { resolveDetectorSettings } from '../config/overrides.js';
import type { Config, DetectorSettings } from '../config/types.js';
import type { DetectorKey, GatewayView } from '../detectors/detector.js';
import { destinationDetectors } from '../detectors/registry.js';
import { GATEWAY_DESTINATION_PREFIX } from '../model/contract.js';
import { InternalNetworks } from './keys.js';
import { compilePolicy, type CompiledClass } from './policy.js';
import type { DestinationState } from './state-store.js';

export class LiveConfig {
  internal: InternalNetworks;
  policy: Map<string, CompiledClass>;

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
  }

  /** Overrides resolved once per destination and data class, kept beside its state (dropped on reload). */
  settings(state: DestinationState, destination: string, dataClass: string | null): DetectorSettings {
    if (this.config.detectors.overrides.length === 0) return this.config.detectors;
    state.settings ??= new Map();
    let s = state.settings.get(dataClass);
    if (s === undefined) {
      s = {} as DetectorSettings;
      for (const d of destinationDetectors()) {
        (s as unknown as Record<string, unknown>)[d.key] = resolveDetectorSettings(this.config, d.key, destination, dataClass);
      }
      state.settings.set(dataClass, s);
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
    };
  }
}
