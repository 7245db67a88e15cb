// The fault suite's printed figures.
import { formatDuration } from '../config/units.js';
import type { FaultSuiteResult } from './driver.js';
import { FAULT_KINDS } from './schedule.js';

const n = (x: number) => x.toLocaleString('en-US');

export function formatReport(r: FaultSuiteResult): string {
  const f = r.figures;
  const injected = Object.values(r.injected).reduce((a, b) => a + (b ?? 0), 0);
  const kinds = FAULT_KINDS.filter((k) => r.injected[k]).map((k) => `${k} ${r.injected[k]}`).join(', ');
  const row = (label: string, value: string, note = '') => `${label.padEnd(38)}${value.padStart(9)}${note ? `  ${note}` : ''}`;
  const lines = [
    `fault suite, seed ${r.seed}: ${r.schedule.length} faults scheduled, wall time ${formatDuration(Math.round(r.wallMs / 1000) * 1000)}`,
    row('faults injected', n(injected), `(${kinds || 'none'})`),
    row('cycles survived', `${r.cyclesSurvived}/${r.schedule.length}`),
    row('instances that exited by themselves', n(r.unplannedExits.length), r.unplannedExits.length > 0 ? r.unplannedExits.map((u) => `${u.instance}: code ${u.exit.code} signal ${u.exit.signal}`).join('; ') : ''),
    row('records produced', n(f.produced), `(${n(f.malformedProduced)} malformed)`),
    row('  processed', n(f.processed), '(reflected by the engines\' state; forwarded once each)'),
    row('  dead-lettered', n(f.deadLettered)),
    row('  unaccounted', n(f.unaccounted), '(must be 0)'),
    row('  repartition copies after crashes', n(f.forwardCopies), '(skipped by the engines)'),
    row('  dead-letter copies after crashes', n(f.deadLetterCopies)),
    row('engine partitions with state = replay', `${f.statePartitionsEqual}/${f.partitions}`),
    row('alert records on the topic', n(f.alertRecords), `(${n(f.alertIds)} distinct alert_ids; replay ${n(f.referenceAlertIds)})`),
    row('  alerts lost', n(f.lost), '(must be 0)'),
    row('  alerts invented', n(f.invented), '(must be 0)'),
    row('  duplicate deliveries', n(f.duplicates), '(repeated alert_ids)'),
    row('  false NEW_DESTINATION after restore', n(f.falseNewDestination), '(must be 0)'),
    row('incidents with at least one alert', `${f.incidentsAlerted}/${f.incidents}`, `(replay ${f.referenceIncidentsAlerted}/${f.incidents})`),
    '',
    ...f.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`),
    ...r.diagnosis.map((d) => `      ${d}`),
    '',
    r.passed ? 'PASSED' : 'FAILED',
  ];
  return lines.join('\n');
}
