// egress-watch's own flow record as JSON (the default): already oriented and enriched by the
// gateway, so it is only validated. Files in this dialect keep the fast .jsonl/.avro readers;
// this module serves `auto` and text messages.
import type { DecodeCounts, Dialect, DialectDecoder, DialectRecord, SensorFacts } from './dialect.js';
import { DialectError, emptyCounts } from './dialect.js';
import { checkFlow, invalidJsonReason } from '../validate-flow.js';

const NO_FACTS: SensorFacts = Object.freeze({});

class FlowDecoder implements DialectDecoder {
  readonly dialect = 'flow' as const;
  readonly counts: DecodeCounts = emptyCounts();

  decode(line: string): DialectRecord[] {
    this.counts.records_read++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new DialectError(invalidJsonReason(err));
    }
    const flow = checkFlow(value);
    if (typeof flow === 'string') throw new DialectError(flow);
    this.counts.flows_out++;
    return [{ flow, sensor: NO_FACTS }];
  }
}

export const flow: Dialect = {
  name: 'flow',
  describe: "egress-watch's own flow record (JSON Lines or Avro), the default",
  sniff(first) {
    return first.charCodeAt(0) === 123 && first.indexOf('"flow_id"') !== -1 && first.indexOf('"bytes_out"') !== -1;
  },
  create: () => new FlowDecoder(),
};
