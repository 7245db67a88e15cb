// The audit report as one self-contained HTML file: tables rendered here, charts drawn in
// the browser by Chart.js, whose build is inlined with the figures, so the file opens
// anywhere with no network. The page says nothing the JSON twin does not hold.
import { formatBytes, formatDuration } from '../config/units.js';
import { chartLibrary } from '../io/chart-library.js';
import { ALERT_TYPES, SEVERITIES } from '../engine/types.js';
import { POLICY_RULES, type ClassFigures, type ReportData } from './model.js';

/** Rows of the violations table shown in the page; the JSON twin holds all of them. */
export const MAX_VIOLATION_ROWS = 500;

const esc = (s: string | number | null): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
/** JSON inside a <script> element: '<' escaped so no string can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderReportHtml(d: ReportData): string {
  const t = d.totals;
  const unalerted = t.unalerted_violations;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>egress-watch audit report ${esc(d.meta.config_version)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1d2330;padding:0 16px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #d6dae3;padding-bottom:4px}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #d6dae3;padding:3px 8px;text-align:left}
th{background:#f2f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{background:#fde2e1}.ok{background:#e3f5e6}.mono{font-family:ui-monospace,monospace;font-size:12px}
.verdict{padding:8px 12px;border-radius:4px;display:inline-block;font-weight:600}
.grid{display:flex;flex-wrap:wrap;gap:16px}.grid>div{flex:1 1 520px}
</style></head><body>
<h1>egress-watch audit report</h1>
<p>Period ${esc(iso(d.meta.from_ms ?? d.gateways.buckets[0] ?? null))} to ${esc(iso(d.meta.to_ms ?? periodEnd(d)))} &middot; config_version <span class="mono">${esc(d.meta.config_version)}</span> &middot; buckets of ${esc(formatDuration(d.meta.bucket_ms))}</p>
<p class="verdict ${t.outside_policy === 0 ? 'ok' : unalerted === 0 ? 'ok' : 'bad'}">${
    t.outside_policy === 0
      ? 'Every flow in the period was within policy.'
      : `${t.outside_policy} flow-rule violation${t.outside_policy === 1 ? '' : 's'} outside policy; ${unalerted === 0 ? 'every one is tied to an alert' : `${unalerted} not covered by any alert`}.`
  }</p>
${gapVerdict(d)}
<h2>Inputs</h2>
<p>Rerun <span class="mono">egress-watch report</span> on the same inputs to get the same figures; the hashes identify them.</p>
<table><tr><th>input</th><th>name</th><th>bytes</th><th>SHA-256</th></tr>
${d.meta.inputs.map((i) => `<tr><td>${esc(i.kind)}</td><td>${esc(i.name)}</td><td class="n">${i.bytes}</td><td class="mono">${esc(i.sha256)}</td></tr>`).join('\n')}
</table>
<table><tr><th>records read</th><th>egress flows in period</th><th>bytes sent</th><th>internal (not egress)</th><th>outside the period</th><th>alerts in period</th></tr>
<tr><td class="n">${t.records}</td><td class="n">${t.flows}</td><td class="n">${esc(formatBytes(t.bytes))}</td><td class="n">${t.internal}</td><td class="n">${t.outside_range}</td><td class="n">${t.alerts}</td></tr></table>
${reconciliationHtml(d)}
<h2>Data classes</h2>
${d.classes.map(classHtml).join('\n')}
<h2>Flows outside policy</h2>
<table><tr>${POLICY_RULES.map((r) => `<th>${r}</th>`).join('')}<th>not covered by an alert</th></tr>
<tr>${POLICY_RULES.map((r) => `<td class="n">${d.violations.by_rule[r]}</td>`).join('')}<td class="n ${unalerted > 0 ? 'bad' : ''}">${unalerted}</td></tr></table>
${violationsHtml(d)}
<h2>Gateway coverage</h2>
<p>Flows per ${esc(formatDuration(d.meta.bucket_ms))} and gateway. A gateway that falls silent while others send is a gap in the evidence.</p>
<canvas id="chart-gateways" width="1100" height="300"></canvas>
${gapsHtml(d)}
<h2>Alerts</h2>
<canvas id="chart-alerts" width="1100" height="280"></canvas>
<table><tr><th>type</th>${SEVERITIES.map((s) => `<th>${s}</th>`).join('')}</tr>
${ALERT_TYPES.map((ty) => `<tr><td>${ty}</td>${SEVERITIES.map((s) => `<td class="n">${d.alerts.by_type_severity[ty][s]}</td>`).join('')}</tr>`).join('\n')}
</table>
<h2>Incidents</h2>
${incidentsHtml(d)}
<h2>Alerted destinations: volume against baseline</h2>
${d.destinations.length === 0 ? '<p>No volume alert in the period.</p>' : ''}
<div class="grid">
${d.destinations.map((s, i) => `<div><h3>${esc(s.destination)} &middot; ${s.alerts} alert${s.alerts === 1 ? '' : 's'} (${esc(s.types.join(', '))})</h3><canvas id="chart-dest-${i}" width="540" height="240"></canvas></div>`).join('\n')}
</div>
<script>${chartLibrary()}</script>
<script type="application/json" id="report-data">${scriptJson(d)}</script>
<script>${CHARTS_SCRIPT}</script>
</body></html>
`;
}

/** Without --to, the period ends with the last bucket that holds a flow. */
function periodEnd(d: ReportData): number | null {
  const b = d.gateways.buckets;
  return b.length === 0 ? null : b[b.length - 1] + d.meta.bucket_ms;
}

function gapVerdict(d: ReportData): string {
  const n = d.gateways.gaps.length;
  if (n === 0) return '<p class="verdict ok">No gateway fell silent while others sent.</p>';
  return `<p class="verdict bad">${n} gap${n === 1 ? '' : 's'} in gateway coverage: see Gateway coverage.</p>`;
}

function reconciliationHtml(d: ReportData): string {
  const r = d.reconciliation;
  if (r === null) return '<p>Alerts: computed by the engine from these flows and this config (no --alerts given).</p>';
  const clean = r.missing_from_file.length === 0 && r.not_reproduced.length === 0;
  const list = (ids: string[]) => (ids.length === 0 ? 'none' : `<span class="mono">${ids.slice(0, 50).map(esc).join(' ')}${ids.length > 50 ? ` &hellip; (${ids.length})` : ''}</span>`);
  return `<h3>Published alerts against the engine's</h3>
<table class="${clean ? 'ok' : 'bad'}"><tr><th>alerts in the file</th><th>reproduced by the engine</th><th>engine alerts missing from the file</th><th>file alerts not reproduced</th></tr>
<tr><td class="n">${r.provided}</td><td class="n">${r.reproduced}</td><td>${list(r.missing_from_file)}</td><td>${list(r.not_reproduced)}</td></tr></table>`;
}

function classHtml(c: ClassFigures): string {
  const rows = (tallies: ClassFigures['by_country']) =>
    tallies
      .slice(0, 25)
      .map((x) => `<tr><td>${esc(x.key)}</td><td class="n">${x.flows}</td><td class="n">${esc(formatBytes(x.bytes))}</td></tr>`)
      .join('');
  return `<h3>${esc(c.data_class)}${c.in_policy ? '' : ' (no policy rule)'}</h3>
<p>${c.flows} flows, ${esc(formatBytes(c.bytes))} sent; ${pct(c.gateway_share)} of the bytes passed a gateway.</p>
<div class="grid"><div><table><tr><th>destination country</th><th>flows</th><th>bytes</th></tr>${rows(c.by_country)}</table></div>
<div><table><tr><th>principal</th><th>flows</th><th>bytes</th></tr>${rows(c.by_principal)}</table></div></div>`;
}

/** Every incident in the period: its destination, type, state, first and last seen, totals. */
function incidentsHtml(d: ReportData): string {
  if (d.incidents.length === 0) return '<p>No incident in the period.</p>';
  const head = '<tr><th>incident</th><th>type</th><th>destination</th><th>data class</th><th>principal</th><th>state</th><th>severity</th><th>first seen</th><th>last seen</th><th>records</th><th>flows</th><th>bytes</th></tr>';
  const rows = d.incidents.map(
    (i) =>
      `<tr><td class="mono">${esc(i.incident_id)}</td><td>${i.type}</td><td>${esc(i.destination)}</td><td>${esc(i.data_class ?? '-')}</td><td>${esc(i.principal ?? '-')}</td>` +
      `<td>${esc(i.state ?? '-')}</td><td>${i.severity}</td><td>${esc(iso(i.first_seen_ms))}</td><td>${esc(iso(i.last_seen_ms))}</td>` +
      `<td class="n">${i.records}</td><td class="n">${i.flows}</td><td class="n">${esc(formatBytes(i.bytes))}</td></tr>`,
  );
  return `<p>${d.incidents.length} incident${d.incidents.length === 1 ? '' : 's'}; totals are the sums over each incident's alert records (state - : an alert of no incident).</p>
<table>${head}
${rows.join('\n')}</table>`;
}

function violationsHtml(d: ReportData): string {
  const rows = d.violations.rows;
  if (rows.length === 0) return '';
  const shown = rows.slice(0, MAX_VIOLATION_ROWS);
  return `<table><tr><th>time</th><th>rule</th><th>data class</th><th>principal</th><th>destination</th><th>country</th><th>gateway</th><th>bytes</th><th>flow</th><th>alert</th></tr>
${shown
  .map(
    (v) =>
      `<tr class="${v.alert_id === null ? 'bad' : ''}"><td>${esc(iso(v.end_ms))}</td><td>${v.rule}</td><td>${esc(v.data_class)}</td><td>${esc(v.principal ?? '-')}</td><td>${esc(v.destination)}</td><td>${esc(v.dst_country ?? '?')}</td><td>${esc(v.gateway_id ?? 'none')}</td><td class="n">${v.bytes}</td><td class="mono">${esc(v.flow_id)}</td><td class="mono">${esc(v.alert_id ?? 'NO ALERT')}</td></tr>`,
  )
  .join('\n')}
</table>${rows.length > shown.length ? `<p>${rows.length - shown.length} more in the JSON twin.</p>` : ''}`;
}

function gapsHtml(d: ReportData): string {
  if (d.gateways.gaps.length === 0) return '';
  return `<table><tr><th>gateway</th><th>silent from</th><th>to</th><th>for</th></tr>
${d.gateways.gaps.map((g) => `<tr class="bad"><td>${esc(g.gateway)}</td><td>${esc(iso(g.from_ms))}</td><td>${esc(iso(g.to_ms))}</td><td>${esc(formatDuration(g.to_ms - g.from_ms))}</td></tr>`).join('\n')}
</table>`;
}

/** Runs in the page: draws the charts from the embedded figures. No animation, fixed sizes. */
const CHARTS_SCRIPT = `
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#3366cc','#dc3912','#ff9900','#109618','#990099','#0099c6','#dd4477','#66aa00','#b82e2e','#316395'];
  var label = function (ms) { return new Date(ms).toISOString().slice(0, d.meta.bucket_ms >= 86400000 ? 10 : 16).replace('T', ' '); };
  var common = { animation: false, responsive: false, plugins: { legend: { position: 'bottom' } } };
  var gw = d.gateways.series.map(function (s, i) { return { label: s.gateway, data: s.flows, backgroundColor: palette[i % palette.length], stack: 'f' }; });
  gw.push({ label: 'no gateway', data: d.gateways.no_gateway, backgroundColor: '#222', stack: 'f' });
  new Chart(document.getElementById('chart-gateways'), { type: 'bar', data: { labels: d.gateways.buckets.map(label), datasets: gw },
    options: Object.assign({}, common, { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'flows' } } } }) });
  var types = Object.keys(d.alerts.by_type);
  new Chart(document.getElementById('chart-alerts'), { type: 'bar', data: { labels: d.alerts.buckets.map(label),
    datasets: types.map(function (t, i) { return { label: t, data: d.alerts.by_type[t], backgroundColor: palette[i % palette.length], stack: 'a' }; }) },
    options: Object.assign({}, common, { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'alerts' } } } }) });
  d.destinations.forEach(function (s, i) {
    new Chart(document.getElementById('chart-dest-' + i), { type: 'line', data: { labels: s.t.map(function (ms) { return new Date(ms).toISOString().slice(5, 16).replace('T', ' '); }),
      datasets: [
        { label: 'bytes sent', data: s.observed, borderColor: '#3366cc', pointRadius: s.alerted.map(function (a) { return a ? 4 : 0; }),
          pointBackgroundColor: '#dc3912', borderWidth: 1 },
        { label: 'baseline expectation', data: s.expected, borderColor: '#109618', pointRadius: 0, borderWidth: 2, order: -1 },
        { label: 'baseline band (threshold)', data: s.high, borderColor: 'rgba(16,150,24,0.25)', backgroundColor: 'rgba(16,150,24,0.12)', pointRadius: 0, borderWidth: 1, fill: '+1' },
        { label: '', data: s.low.map(function (v) { return Math.max(v, 1); }), borderColor: 'rgba(16,150,24,0.25)', pointRadius: 0, borderWidth: 1, fill: false } ] },
      options: Object.assign({}, common, { plugins: { legend: { position: 'bottom', labels: { filter: function (item) { return item.text !== ''; } } } },
        scales: { y: { type: 'logarithmic', title: { display: true, text: 'bytes per window' } } } }) });
  });
  document.body.setAttribute('data-charts', String(Chart.instances ? Object.keys(Chart.instances).length : 0));
})();
`;
