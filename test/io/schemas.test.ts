import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { alertType, flowRecordType, packageRoot, schemaJson } from '../../src/io/schemas.js';
import { ALERT_TYPES, SEVERITIES } from '../../src/engine/types.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Field = { name: string; type: unknown; default?: unknown };
const fieldsOf = (schema: object): Field[] => (schema as { fields: Field[] }).fields;
const TS_MILLIS = { type: 'long', logicalType: 'timestamp-millis' };
const NULLABLE_STRING = ['null', 'string'];

describe('schemas', () => {
  it('finds the package root', () => {
    expect(existsSync(join(packageRoot(), 'schemas', 'flow-record.avsc'))).toBe(true);
  });

  it('flow-record.avsc has the fields of the DESIGN.md table, in order, with the right types', () => {
    const schema = schemaJson('flow-record') as { name: string; namespace: string };
    expect(schema.name).toBe('FlowRecord');
    expect(schema.namespace).toBe('egress_watch');
    expect(fieldsOf(schema).map((f) => [f.name, f.type, f.default])).toEqual([
      ['flow_id', 'string', undefined],
      ['gateway_id', NULLABLE_STRING, null],
      ['start_ms', TS_MILLIS, undefined],
      ['end_ms', TS_MILLIS, undefined],
      ['src_ip', 'string', undefined],
      ['dst_ip', 'string', undefined],
      ['src_port', 'int', undefined],
      ['dst_port', 'int', undefined],
      ['protocol', 'int', undefined],
      ['dst_host', NULLABLE_STRING, null],
      ['dst_country', NULLABLE_STRING, null],
      ['bytes_out', 'long', undefined],
      ['bytes_in', 'long', undefined],
      ['packets_out', 'long', undefined],
      ['packets_in', 'long', undefined],
      ['data_class', NULLABLE_STRING, null],
      ['principal', NULLABLE_STRING, null],
    ]);
  });

  it('alert.avsc has every alert field of DESIGN.md with the right types', () => {
    const schema = schemaJson('alert') as { name: string; namespace: string };
    expect(schema.name).toBe('Alert');
    expect(schema.namespace).toBe('egress_watch');
    expect(fieldsOf(schema).map((f) => [f.name, f.type, f.default])).toEqual([
      ['alert_id', 'string', undefined],
      ['type', {
        type: 'enum',
        name: 'AlertType',
        symbols: [...ALERT_TYPES],
        default: 'NEW_DESTINATION',
        doc: 'A reader that does not know a newer symbol reads it as the default.',
      }, undefined],
      ['severity', { type: 'enum', name: 'Severity', symbols: [...SEVERITIES] }, undefined],
      ['destination', 'string', undefined],
      ['dst_country', NULLABLE_STRING, null],
      ['data_class', NULLABLE_STRING, null],
      ['principal', NULLABLE_STRING, null],
      ['gateway_id', NULLABLE_STRING, null],
      ['window_start_ms', TS_MILLIS, undefined],
      ['window_end_ms', TS_MILLIS, undefined],
      ['flow_count', 'long', undefined],
      ['bytes', 'long', undefined],
      ['observed', 'double', undefined],
      ['expected', 'double', undefined],
      ['score', 'double', undefined],
      ['threshold', 'double', undefined],
      ['reason', 'string', undefined],
      ['sample_flow_ids', { type: 'array', items: 'string' }, undefined],
      ['config_version', 'string', undefined],
      ['detected_at_ms', TS_MILLIS, undefined],
      // the tamper-evident log's link (src/audit/chain.ts): nullable with defaults, so older readers and writers keep working
      ['chain_id', NULLABLE_STRING, null],
      ['chain_seq', ['null', 'long'], null],
      ['chain_prev', NULLABLE_STRING, null],
      ['chain_hash', NULLABLE_STRING, null],
      // the suppression that covered an alert on the suppressed topic (src/suppress/): nullable, default null, last
      ['suppressed_by', ['null', expect.objectContaining({ type: 'record', name: 'Suppression' })], null],
      // the incident a record belongs to (docs/incidents.md): nullable, default null, so old records and readers keep working
      ['incident_id', NULLABLE_STRING, null],
      ['incident_state', ['null', { type: 'enum', name: 'IncidentState', symbols: ['OPEN', 'ESCALATED', 'CLOSED'] }], null],
    ]);
    const suppression = (fieldsOf(schema).find((f) => f.name === 'suppressed_by')!.type as unknown[])[1] as { fields: Array<{ name: string }> };
    expect(suppression.fields.map((f) => f.name)).toEqual(['id', 'scope', 'reason', 'owner', 'created_at_ms', 'expires_at_ms']);
  });

  it('parses the types once, with timestamps as plain numbers', () => {
    expect(flowRecordType()).toBe(flowRecordType());
    expect(alertType()).toBe(alertType());
    expect(flowRecordType().name).toBe('egress_watch.FlowRecord');
    const start = (flowRecordType() as avro.types.RecordType).field('start_ms').type;
    expect(start.typeName).toBe('long');
  });

  // A new alert type is appended to the enum (an Avro enum's symbols are written by position):
  // the six of the first schema, then GATEWAY_SILENT, then any later one.
  it('keeps the alert types in the order they were added, GATEWAY_SILENT after the first six, in the schema as in the engine', () => {
    const symbols = (fieldsOf(schemaJson('alert'))[1].type as { symbols: string[] }).symbols;
    expect(symbols.slice(0, 7)).toEqual([
      'RESIDENCY_VIOLATION', 'UNAUTHORIZED_PRINCIPAL', 'GATEWAY_BYPASS', 'NEW_DESTINATION', 'VOLUME_SPIKE', 'SUSTAINED_INCREASE', 'GATEWAY_SILENT',
    ]);
    expect(symbols).toEqual([...ALERT_TYPES]);
  });

  it('a reader of the six-type schema reads a GATEWAY_SILENT alert, as the default type, every other field intact', () => {
    const older = structuredClone(schemaJson('alert')) as { fields: { name: string; type: { symbols?: string[] } }[] };
    // The schema as it was before GATEWAY_SILENT: its first six symbols.
    older.fields[1].type.symbols = older.fields[1].type.symbols!.slice(0, 6);
    expect(older.fields[1].type.symbols).not.toContain('GATEWAY_SILENT');
    const oldReader = avro.Type.forSchema(older as avro.Schema);
    const alert = {
      alert_id: 'a2', type: 'GATEWAY_SILENT', severity: 'HIGH', destination: 'gateway:gw-2',
      dst_country: null, data_class: null, principal: null, gateway_id: 'gw-2',
      window_start_ms: 0, window_end_ms: 960_000, flow_count: 0, bytes: 0,
      observed: 960_000, expected: 60_000, score: 16, threshold: 3, reason: 'r', sample_flow_ids: ['f9'],
      config_version: 'c', detected_at_ms: 960_000,
      chain_id: null, chain_seq: null, chain_prev: null, chain_hash: null,
    };
    const read = oldReader.fromBuffer(alertType().toBuffer(alert), oldReader.createResolver(alertType())) as Record<string, unknown>;
    // toMatchObject: later optional fields (null by default) may follow.
    expect({ ...read }).toMatchObject({ ...alert, type: 'NEW_DESTINATION' });
  });

  it('an alert reader maps a symbol it does not know to the enum default', () => {
    const newer = structuredClone(schemaJson('alert')) as { fields: { name: string; type: { symbols?: string[] } }[] };
    newer.fields[1].type.symbols!.push('SOMETHING_NEW');
    const writer = avro.Type.forSchema(newer as avro.Schema);
    const alert = {
      alert_id: 'a1', type: 'SOMETHING_NEW', severity: 'HIGH', destination: 'x.example.com',
      dst_country: null, data_class: null, principal: null, gateway_id: null,
      window_start_ms: 0, window_end_ms: 60000, flow_count: 1, bytes: 10,
      observed: 10, expected: 1, score: 9, threshold: 6, reason: 'r', sample_flow_ids: ['f1'],
      config_version: 'c', detected_at_ms: 60000,
      chain_id: null, chain_seq: null, chain_prev: null, chain_hash: null, suppressed_by: null,
      incident_id: null, incident_state: null,
    };
    const read = alertType().fromBuffer(writer.toBuffer(alert), alertType().createResolver(writer));
    expect({ ...read }).toEqual({ ...alert, type: 'NEW_DESTINATION' });
  });

  describe('incident fields, old and new schema both ways', () => {
    /** alert.avsc as it was before incidents: the same schema without its last two fields. */
    function schemaBeforeIncidents(): avro.Type {
      const before = structuredClone(schemaJson('alert')) as { fields: { name: string }[] };
      before.fields = before.fields.filter((f) => f.name !== 'incident_id' && f.name !== 'incident_state');
      expect(before.fields.at(-1)!.name).toBe('suppressed_by');
      return avro.Type.forSchema(before as avro.Schema);
    }
    const base = {
      alert_id: 'a3', type: 'VOLUME_SPIKE', severity: 'HIGH', destination: 'x.example.com',
      dst_country: null, data_class: null, principal: null, gateway_id: null,
      window_start_ms: 0, window_end_ms: 60000, flow_count: 4, bytes: 4000,
      observed: 4000, expected: 100, score: 9, threshold: 6, reason: 'r', sample_flow_ids: ['f1', 'f2'],
      config_version: 'c', detected_at_ms: 60000,
      chain_id: null, chain_seq: null, chain_prev: null, chain_hash: null, suppressed_by: null,
    };

    it('an alert written with the old schema reads with the new one, incident fields null', () => {
      const old = schemaBeforeIncidents();
      const read = alertType().fromBuffer(old.toBuffer(base), alertType().createResolver(old));
      expect({ ...read }).toEqual({ ...base, incident_id: null, incident_state: null });
    });

    it('an alert written with the new schema reads with the old one, every old field intact', () => {
      const old = schemaBeforeIncidents();
      const written = { ...base, incident_id: 'a0', incident_state: 'ESCALATED' };
      const read = old.fromBuffer(alertType().toBuffer(written), old.createResolver(alertType()));
      expect({ ...read }).toEqual(base);
    });

    it('the new schema writes and reads each incident state', () => {
      for (const state of ['OPEN', 'ESCALATED', 'CLOSED']) {
        const written = { ...base, incident_id: 'a0', incident_state: state };
        expect({ ...alertType().fromBuffer(alertType().toBuffer(written)) }).toEqual(written);
      }
    });
  });
});
