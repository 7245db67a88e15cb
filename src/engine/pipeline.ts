// Engine plus the watermark rule for one ordered stream (a file, or one partition):
// watermark = the lowest latest event time of the active gateways - windows.allowed_lateness
// (see event-clock.ts: per-gateway event time with idleness, as Flink keeps per split).
// With one gateway that is its latest event time. Pure like the engine.
import type { Config } from '../config/types.js';
import { Engine, type EngineOptions } from './engine.js';
import type { Alert, FlowRecord } from './types.js';

export class Pipeline {
  readonly engine: Engine;

  constructor(readonly config: Config, options: EngineOptions = {}, engine?: Engine) {
    this.engine = engine ?? new Engine(config, options);
  }

  /** A pipeline over a restored engine: event time goes on from the restored watermark. */
  static resume(config: Config, engine: Engine): Pipeline {
    return new Pipeline(config, {}, engine);
  }

  get maxEventTime(): number {
    return this.engine.maxEventTime;
  }

  /** One record in: its own alerts plus those of windows its event time closes. */
  push(flow: FlowRecord): Alert[] {
    const alerts = this.engine.process(flow);
    const watermark = this.engine.clock.low - this.config.windows.allowed_lateness;
    if (watermark > this.engine.currentWatermark) {
      const closed = this.engine.advance(watermark);
      if (closed.length > 0) return alerts.length > 0 ? alerts.concat(closed) : closed;
    }
    return alerts;
  }

  /** End of input: let event time run past every open window and suppression interval. */
  finish(): Alert[] {
    const max = this.engine.maxEventTime;
    if (!Number.isFinite(max)) return [];
    const { size } = this.config.windows;
    const end = max + size + this.config.alerts.suppress_for + size;
    const alerts = this.engine.advance(end);
    // A volume run held through a sparse destination's silence waits for a window that will not come.
    const held = this.engine.closeOpenIncidents(end);
    return held.length === 0 ? alerts : alerts.concat(held);
  }
}
