import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { formatSummary, replay } from '../../../src/cli/replay.js';
import { fixture } from './helpers.js';

const config = (format: string) => parseConfig(`input: {format: ${format}}\npolicy: {internal_networks: [10.0.0.0/8, fd00::/8]}\n`, 'test.yaml');

describe('replay in a dialect', () => {
  it('reads --input-format zeek and reports what the decoder counted', async () => {
    const lines: string[] = [];
    const s = await replay({ config: config('flow'), input: fixture('conn-two-headers.log'), inputFormat: 'zeek', output: null, progress: false, log: (l) => lines.push(l) });
    // 4 flows (CZ3 internal: the engine counts it) and 2 bad lines.
    expect([s.processed, s.malformed, s.internal]).toEqual([4, 2, 1]);
    expect(s.dialect).toEqual({ name: 'zeek', picked: false, counts: { records_read: 7, flows_out: 4, internal: 1, transit: 1, inbound: 0, nodata: 0, skipdata: 0, skipped: {}, errors: 2, payload_above_ip: 0 } });
    expect(lines).toContain('conn-two-headers.log:24: 12 columns where the #fields header names 13');
    expect(formatSummary(s, 'x')).toContain('  input zeek: records read 7, flows out 4, internal 1, transit 1, inbound one-way 0, NODATA 0, SKIPDATA 0, skipped none, errors 2');
  });

  it('takes the dialect from config input.format, and auto says what it picked', async () => {
    const lines: string[] = [];
    const s = await replay({ config: config('auto'), input: fixture('vpc-custom.log'), output: null, progress: false, log: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/^--input-format auto: .*vpc-custom\.log is vpc \(/);
    expect(s.dialect?.counts).toMatchObject({ records_read: 8, flows_out: 3, inbound: 1, nodata: 1, skipdata: 1, errors: 1 });
    // Lines 2 and 8 are the same record (two collectors): the engine folds the second.
    expect([s.processed, s.duplicates]).toEqual([3, 1]);
  });
});
