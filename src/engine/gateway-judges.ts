// The gateway detectors of one engine (GATEWAY_SILENT today): one running judge each, fed
// every record, asked to judge as the watermark moves, reconfigured on reload, and their
// changelog entries keyed by the state store.
import type { GatewayJudge, LocalClock } from '../detectors/detector.js';
import { gatewayDetectors } from '../detectors/registry.js';
import type { LiveConfig } from './live-config.js';
import { gatewayEntryKey } from './state-store.js';
import type { Alert, StateChange } from './types.js';

export class GatewayJudges {
  private readonly judges: Array<{ key: string; judge: GatewayJudge }>;
  /** The detectors' config keys, for reading their changelog keys back. */
  readonly keys: readonly string[];

  constructor(live: LiveConfig, clock: LocalClock, alertId: (alert: Alert) => string) {
    this.judges = gatewayDetectors().map((d) => ({ key: d.key, judge: d.create(live.gatewayView(d.key), clock, alertId) }));
    this.keys = this.judges.map((j) => j.key);
  }

  /** No judge needs asking before the watermark reaches this. */
  get nextCheck(): number {
    let next = Infinity;
    for (const j of this.judges) if (j.judge.nextCheck < next) next = j.judge.nextCheck;
    return next;
  }

  observe(gateway: string | null, eventMs: number, flowId: string): void {
    for (const j of this.judges) j.judge.observe(gateway, eventMs, flowId);
  }

  check(watermark: number, emit: (alert: Alert) => void): void {
    for (const j of this.judges) if (watermark >= j.judge.nextCheck) for (const alert of j.judge.check(watermark)) emit(alert);
  }

  reconfigure(live: LiveConfig): void {
    for (const j of this.judges) j.judge.reconfigure(live.gatewayView(j.key as never));
  }

  commit(out: StateChange[]): void {
    for (const j of this.judges) j.judge.commit((gateway, value) => out.push({ key: gatewayEntryKey(j.key, gateway), value }));
  }

  snapshot(out: StateChange[]): void {
    for (const j of this.judges) j.judge.snapshot((gateway, value) => out.push({ key: gatewayEntryKey(j.key, gateway), value }));
  }

  restoreEntry(detector: string, gateway: string | null, value: string | null): void {
    this.judges.find((j) => j.key === detector)?.judge.restoreEntry(gateway, value);
  }
}
