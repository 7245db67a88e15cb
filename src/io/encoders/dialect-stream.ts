// Flow records → a sensor's lines, for one output (a file or a topic): each flow placed in the
// synthetic estate (estate.ts) and encoded; afterwards the estate gives the enrich config that
// brings back what the lines cannot carry.
import type { FlowRecord } from '../../engine/types.js';
import type { Incident } from '../../generate/types.js';
import type { EncodedDialect } from './encoder.js';
import { SyntheticEstate } from './estate.js';
import { encoderFor } from './index.js';

export class DialectStream {
  readonly estate: SyntheticEstate;
  private readonly encoder;

  constructor(readonly dialect: EncodedDialect) {
    this.encoder = encoderFor(dialect);
    this.estate = new SyntheticEstate(this.encoder);
  }

  /** Lines before the first record (VPC's header line). */
  header(): string[] {
    return this.encoder.header();
  }

  /**
   * The ground truth as the format can tell it: an incident starts at the format's resolution
   * (VPC: the whole second its first flow starts in), so an alert whose window the format cut
   * down still overlaps it.
   */
  truth(incidents: readonly Incident[]): Incident[] {
    const step = this.encoder.timeResolutionMs;
    return incidents.map((incident) => ({ ...incident, start_ms: Math.floor(incident.start_ms / step) * step }));
  }

  /** The lines of one flow, as its sensor writes them. */
  lines(flow: FlowRecord): string[] {
    const placed = this.estate.place(flow);
    return this.encoder.encode(placed.flow, placed.sensor);
  }
}
