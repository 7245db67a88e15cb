// The SIEM formats on the alert topic: what encodeAlert writes for alerts.format ocsf and
// ecs, and that decodeAlert (the `alerts` console, the service tests) reads them back.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAlert, encodeAlert } from '../../../src/io/wire.js';
import { toEcs } from '../../../src/io/siem/ecs.js';
import { defaultProduct } from '../../../src/io/siem/fields.js';
import { toOcsf } from '../../../src/io/siem/ocsf.js';
import { ALL, CRITICAL, MEDIUM } from './alerts.js';

describe('encodeAlert in a SIEM format', () => {
  it('writes the mapping as JSON, stamped with the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(defaultProduct()).toStrictEqual({ name: 'egress-watch', vendor_name: 'egress-watch', version: pkg.version });
    expect(encodeAlert(CRITICAL, 'ocsf').toString('utf8')).toBe(JSON.stringify(toOcsf(CRITICAL, defaultProduct())));
    expect(encodeAlert(CRITICAL, 'ecs').toString('utf8')).toBe(JSON.stringify(toEcs(CRITICAL, defaultProduct())));
  });

  it('refuses values JSON cannot carry, as for json', () => {
    expect(() => encodeAlert({ ...MEDIUM, expected: Number.NaN }, 'ocsf')).toThrow('alert alert-medium: field expected is NaN, which JSON cannot carry');
    expect(() => encodeAlert({ ...MEDIUM, score: Number.POSITIVE_INFINITY }, 'ecs')).toThrow('alert alert-medium: field score is Infinity, which JSON cannot carry');
  });
});

describe('decodeAlert reads every format back into the same alert', () => {
  it.each(ALL.map((a) => [a.severity, a] as const))('%s alert', (_s, alert) => {
    const asJson = decodeAlert(encodeAlert(alert, 'json'));
    expect(asJson.ok).toBe(true);
    for (const format of ['avro', 'ocsf', 'ecs'] as const) {
      expect(decodeAlert(encodeAlert(alert, format)), format).toStrictEqual(asJson);
      expect(decodeAlert(encodeAlert(alert, format), format === 'avro' ? 'avro' : 'json'), format).toStrictEqual(asJson);
    }
  });

  it('carries fields later added to the alert schema (the audit chain) under unmapped / egress_watch', () => {
    const chained = { ...CRITICAL, chain_id: 'gateway.flows/0', chain_seq: 3, chain_prev: '0'.repeat(64), chain_hash: 'ab'.repeat(32) };
    const link = { chain_id: 'gateway.flows/0', chain_seq: 3, chain_prev: '0'.repeat(64), chain_hash: 'ab'.repeat(32) };
    expect(toOcsf(chained).unmapped).toMatchObject(link);
    expect(toEcs(chained).egress_watch).toMatchObject(link);
    const asJson = decodeAlert(encodeAlert(chained, 'json'));
    expect(asJson).toMatchObject({ ok: true, alert: link });
    expect(decodeAlert(encodeAlert(chained, 'ocsf'))).toStrictEqual(asJson);
    expect(decodeAlert(encodeAlert(chained, 'ecs'))).toStrictEqual(asJson);
  });

  it('names the document path of a bad field', () => {
    const ocsf = toOcsf(CRITICAL);
    const badCount = { ...ocsf, count: 1.5 };
    expect(decodeAlert(Buffer.from(JSON.stringify(badCount)))).toStrictEqual({ ok: false, reason: 'OCSF finding: count (flow_count): invalid value 1.5' });
    const noBytes = { ...ocsf, unmapped: { ...(ocsf.unmapped as object), bytes: undefined } };
    expect(decodeAlert(Buffer.from(JSON.stringify(noBytes)))).toStrictEqual({ ok: false, reason: 'OCSF finding: missing unmapped.bytes (bytes)' });
    const ecs = toEcs(MEDIUM);
    const badIds = { ...ecs, egress_watch: { ...(ecs.egress_watch as object), sample_flow_ids: ['f-3', 2] } };
    expect(decodeAlert(Buffer.from(JSON.stringify(badIds)))).toStrictEqual({
      ok: false,
      reason: 'ECS document: egress_watch.sample_flow_ids.1 (sample_flow_ids): invalid value 2',
    });
    const badType = { ...ecs, rule: { ...(ecs.rule as object), name: 'EXFIL' } };
    expect(decodeAlert(Buffer.from(JSON.stringify(badType)))).toStrictEqual({
      ok: false,
      reason:
        'ECS document: rule.name (type): invalid value "EXFIL" (expected one of RESIDENCY_VIOLATION, UNAUTHORIZED_PRINCIPAL, GATEWAY_BYPASS, NEW_DESTINATION, VOLUME_SPIKE, SUSTAINED_INCREASE, GATEWAY_SILENT)',
    });
  });

  it('says so when a finding is not one of egress-watch', () => {
    const foreign = { class_uid: 2004, metadata: { version: '1.5.0', product: { name: 'SomeEDR' } }, finding_info: { uid: 'x' } };
    expect(decodeAlert(Buffer.from(JSON.stringify(foreign)))).toStrictEqual({
      ok: false,
      reason: 'OCSF finding: metadata.product.name "SomeEDR" is not egress-watch: not an egress-watch alert',
    });
  });
});
