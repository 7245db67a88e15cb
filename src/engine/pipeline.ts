// Engine plus the watermark rule for one ordered stream (a file, or one partition):
// watermark = max event time seen - windows.allowed_lateness. Pure like the engine.
import type { Config } from '../config/types.js';
import { Engine, type EngineOptions } from './engine.js';
import type { Alert, FlowRecord } from './types.js';

export class Pipeline {
  readonly engine: Engine;
  private maxEventMs = -Infinity;

  constructor(readonly config: Config, options: EngineOptions = {}, engine?: Engine) {
    this.engine = engine ?? new Engine(config, options);
  }

  /** A pipeline over a restored engine: event time goes on from the restored watermark. */
  static resume(config: Config, engine: Engine): Pipeline {
    const p = new Pipeline(config, {}, engine);
    p.maxEventMs = engine.maxEventTime;
    return p;
  }

  get maxEventTime(): number {
    return this.maxEventMs;
  }

  /** One record in: its own alerts plus those of windows its event time closes. */
  push(flow: FlowRecord): Alert[] {
    const alerts = this.engine.process(flow);
    if (flow.end_ms > this.maxEventMs) {
      this.maxEventMs = flow.end_ms;
      const closed = this.engine.advance(this.maxEventMs - this.config.windows.allowed_lateness);
      if (closed.length > 0) return alerts.length > 0 ? alerts.concat(closed) : closed;
    }
    return alerts;
  }

  /** End of input: let event time run past every open window and suppression interval. */
  finish(): Alert[] {
    if (!Number.isFinite(this.maxEventMs)) return [];
    const { size } = this.config.windows;
    return this.engine.advance(this.maxEventMs + size + this.config.alerts.suppress_for + size);
  }
}
