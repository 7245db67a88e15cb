// The `input` section: which dialect the flows are in (src/io/dialects), for `run` on the flows
// topic and as the default of `replay`/`report` --input-format.
import { z } from 'zod';
import { INPUT_FORMATS } from '../../model/input-formats.js';
import { section, strict } from './fields.js';

export const inputSection = section(
  strict({
    format: z.enum(INPUT_FORMATS).default('flow'),
    // AWS VPC Flow Logs whose files carry no header line: the custom field list, in order.
    vpc_fields: z.array(z.string().regex(/^[a-z0-9-]+$/, 'a VPC flow log field name such as srcaddr or log-status')).default([]),
    // Zeek: how many connection uids the decoder remembers to turn cumulative counts of
    // open-connection reports into increments (per file or partition).
    zeek_open_uids: z.number().int().min(1).default(100_000),
    // Zeek: orig_bytes/resp_bytes as written (payload), or bounded by the IP bytes the sensor
    // counted for that end (orig_ip_bytes/resp_ip_bytes), which the payload, taken from TCP
    // sequence numbers, overshoots after packet loss or a mid-stream start.
    zeek_bytes: z.enum(['payload', 'bounded']).default('payload'),
  }),
);
