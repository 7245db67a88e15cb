// egress-watch's side of the real-file check of docs/input-formats.md: reads FILE in an input
// dialect exactly as `replay --input-format` does and prints what the decoder counted, the
// errors by reason and the bytes_out per destination, as JSON (compare the sums with
// scripts/count-egress.py). Run after `npm run build`:
//   node scripts/dialect-sums.mjs zeek|vpc|goflow2|suricata|ocsf|auto FILE CIDR[,CIDR...]
// ZEEK_BYTES=bounded in the environment reads Zeek as input.zeek_bytes: bounded does.
import { createDecoder } from '../dist/src/io/dialects/index.js';
import { readDialectBatches } from '../dist/src/io/dialects/read-file.js';

const [, , format, path, nets] = process.argv;
if (!nets) {
  console.error('usage: node scripts/dialect-sums.mjs FORMAT FILE CIDR[,CIDR...]');
  process.exit(2);
}
const decoder = createDecoder(format, { internalNetworks: nets.split(','), zeekBytes: process.env.ZEEK_BYTES === 'bounded' ? 'bounded' : 'payload' });
const sums = {};
const errors = {};
let flows = 0;
for await (const batch of readDialectBatches(path, { decoder, enrich: (r) => r.flow })) {
  for (const item of batch) {
    if (item.ok) {
      flows++;
      sums[item.flow.dst_ip] = (sums[item.flow.dst_ip] ?? 0) + item.flow.bytes_out;
    } else {
      const reason = item.reason.replace(/\d+/g, 'N');
      errors[reason] = (errors[reason] ?? 0) + 1;
    }
  }
}
console.log(JSON.stringify({ dialect: decoder.dialect, counts: decoder.counts, flows, errors, sums }));
