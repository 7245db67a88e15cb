// Alerts from findings: the contract's fields filled from a flow or a closed window, and the
// alert id. The id hashes the evidence only (not the config), so a reload keeps ids, and the
// same input gives the same ids on every run and after every restart.
import { createHash } from 'node:crypto';
import type { WindowObservation } from '../detectors/baseline/seasonal-baseline.js';
import type { Finding } from '../detectors/detector.js';
import type { Alert, AlertType, FlowRecord, Severity } from './types.js';
import type { OpenWindow } from './window.js';

/** Deterministic id: a hash of the evidence (not of the config, so a reload keeps ids). */
export function alertId(a: Alert): string {
  const evidence = JSON.stringify([
    a.type,
    a.destination,
    a.data_class,
    a.principal,
    a.window_start_ms,
    a.window_end_ms,
    a.detected_at_ms,
    a.flow_count,
    a.bytes,
    a.sample_flow_ids,
  ]);
  return createHash('sha256').update(evidence).digest('hex').slice(0, 32);
}

/** What every alert of one detector shares. */
export interface AlertHead {
  type: AlertType;
  severity: Severity;
  destination: string;
  config_version: string;
}

/** A flow detector's finding on one flow. */
export function flowAlert(head: AlertHead, flow: FlowRecord, f: Finding): Alert {
  const alert: Alert = {
    alert_id: '',
    type: head.type,
    severity: head.severity,
    destination: head.destination,
    dst_country: flow.dst_country,
    data_class: flow.data_class,
    principal: flow.principal,
    gateway_id: flow.gateway_id,
    window_start_ms: flow.start_ms,
    window_end_ms: flow.end_ms,
    flow_count: 1,
    bytes: flow.bytes_out,
    observed: f.observed,
    expected: f.expected,
    score: f.score,
    threshold: f.threshold,
    reason: f.reason,
    sample_flow_ids: [flow.flow_id],
    config_version: head.config_version,
    detected_at_ms: flow.end_ms,
  };
  alert.alert_id = alertId(alert);
  return alert;
}

/** A window detector's finding on a closed window (its largest flow names class, principal, gateway). */
export function windowAlert(head: AlertHead, w: OpenWindow, obs: WindowObservation, f: Finding): Alert {
  const alert: Alert = {
    alert_id: '',
    type: head.type,
    severity: head.severity,
    destination: head.destination,
    dst_country: w.top?.dst_country ?? null,
    data_class: w.top?.data_class ?? null,
    principal: w.top?.principal ?? null,
    gateway_id: w.top?.gateway_id ?? null,
    window_start_ms: f.span?.start_ms ?? obs.start_ms,
    window_end_ms: obs.end_ms,
    flow_count: f.span?.flow_count ?? obs.flows,
    bytes: f.span?.bytes ?? obs.bytes,
    observed: f.observed,
    expected: f.expected,
    score: f.score,
    threshold: f.threshold,
    reason: f.reason,
    sample_flow_ids: [...w.samples],
    config_version: head.config_version,
    detected_at_ms: obs.end_ms,
  };
  alert.alert_id = alertId(alert);
  return alert;
}

/** The engine's output order: event time, then destination, then id (the same with or without a restart). */
export function byEventTimeThenKey(a: Alert, b: Alert): number {
  return (
    a.detected_at_ms - b.detected_at_ms ||
    (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0) ||
    (a.alert_id < b.alert_id ? -1 : a.alert_id > b.alert_id ? 1 : 0)
  );
}
