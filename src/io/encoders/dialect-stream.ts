// Flow records → a sensor's lines, for one output (a file or a topic): each flow placed in the
// synthetic estate (estate.ts) and encoded; afterwards the estate gives the enrich config that
// brings back what the lines cannot carry.
import type { FlowRecord } from '../../engine/types.js';
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

  /** The lines of one flow, as its sensor writes them. */
  lines(flow: FlowRecord): string[] {
    const placed = this.estate.place(flow);
    return this.encoder.encode(placed.flow, placed.sensor);
  }
}
