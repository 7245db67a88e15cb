// The live console's single page: alerts arrive over server-sent events, filters apply in
// the page, a click shows the evidence and the destination's recent volume. Chart.js is
// inlined, so the page loads nothing but this server's own endpoints. One row per incident
// (incident-rows.ts): later records of an incident update its row in place.
import { ALERT_TYPES, SEVERITIES } from '../engine/types.js';
import { chartLibrary } from '../io/chart-library.js';
import { foldIncidentRow } from './incident-rows.js';
import { measureText } from './measure-text.js';

export function consolePage(title: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;display:flex;flex-direction:column;height:100vh}
header{padding:10px 16px;background:#1d2330;color:#fff;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header h1{font-size:17px;margin:0 12px 0 0}header label{font-size:13px}
main{display:flex;flex:1;min-height:0}#list{flex:3;overflow:auto}#detail{flex:2;border-left:1px solid #d6dae3;padding:12px 16px;overflow:auto}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:4px 8px;border-bottom:1px solid #eceff4;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f2f4f8}tr.alert{cursor:pointer}tr.alert:hover{background:#f5f8ff}tr.selected{background:#e6eeff}
.sev{font-weight:600;padding:1px 6px;border-radius:3px;color:#fff}.LOW{background:#6b7a90}.MEDIUM{background:#c98a00}.HIGH{background:#d4580b}.CRITICAL{background:#b3121f}
.mono{font-family:ui-monospace,monospace;font-size:12px}#status{margin-left:auto;font-size:12px;opacity:.8}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{font-weight:600}
</style></head><body>
<header><h1>${esc(title)}</h1>
<label>type <select id="f-type"><option value="">all</option>${ALERT_TYPES.map((t) => `<option>${t}</option>`).join('')}</select></label>
<label>min severity <select id="f-sev">${SEVERITIES.map((s) => `<option>${s}</option>`).join('')}</select></label>
<label>destination <input id="f-dest" placeholder="contains…" size="24"></label>
<span id="status">connecting…</span></header>
<main><div id="list"><table><thead><tr><th>detected (event time)</th><th>severity</th><th>type</th><th>destination</th><th>incident</th><th>reason</th></tr></thead><tbody id="rows"></tbody></table></div>
<div id="detail"><p>Click an alert to see its evidence.</p></div></main>
<script>${chartLibrary()}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

const PAGE_SCRIPT = `
(function () {
  var SEV = ${JSON.stringify(SEVERITIES)};
  var rows = []; // one per incident, newest first (incident-rows.ts)
  var selected = null;
  var foldIncidentRow = ${foldIncidentRow.toString()};
  var measureText = ${measureText.toString()};
  var chart = null;
  var $ = function (id) { return document.getElementById(id); };
  // Escapes for text and for attribute values alike: alert fields come from a topic anyone
  // with write access could fill.
  var text = function (s) { return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); };
  var bytes = function (n) { return measureText('', n); };
  var time = function (ms) { return new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z'); };
  function visible(row) {
    var a = row.latest;
    var t = $('f-type').value, s = $('f-sev').value, d = $('f-dest').value.trim().toLowerCase();
    return (!t || a.type === t) && SEV.indexOf(a.severity) >= SEV.indexOf(s) && (!d || a.destination.toLowerCase().indexOf(d) >= 0);
  }
  function incident(row) {
    var a = row.latest;
    if (a.incident_id == null) return '-';
    return '<span class="state">' + text(a.incident_state) + '</span> ' + row.records + (row.records === 1 ? ' record, ' : ' records, ') + row.flows + ' flows';
  }
  function render() {
    var shown = rows.filter(visible);
    $('rows').innerHTML = shown.map(function (row) {
      var a = row.latest;
      return '<tr class="alert' + (selected && selected.key === row.key ? ' selected' : '') + '" data-id="' + text(row.key) + '">' +
        '<td>' + time(a.detected_at_ms) + '</td><td><span class="sev ' + a.severity + '">' + a.severity + '</span></td><td>' + a.type +
        '</td><td class="dest">' + text(a.destination) + '</td><td class="incident">' + incident(row) + '</td><td>' + text(a.reason) + '</td></tr>';
    }).join('');
    $('status').textContent = rows.length + ' incidents, ' + shown.length + ' shown';
  }
  function show(row) {
    var a = row.latest;
    selected = row;
    render();
    $('detail').innerHTML = '<h2>' + a.type + ' <span class="sev ' + a.severity + '">' + a.severity + '</span></h2>' +
      '<p id="d-reason">' + text(a.reason) + '</p><dl>' +
      '<dt>destination</dt><dd>' + text(a.destination) + ' (' + text(a.dst_country || 'unknown country') + ')</dd>' +
      '<dt>data class</dt><dd>' + text(a.data_class || '-') + '</dd><dt>principal</dt><dd>' + text(a.principal || '-') + '</dd>' +
      '<dt>gateway</dt><dd>' + text(a.gateway_id || 'none') + '</dd>' +
      '<dt>window</dt><dd>' + time(a.window_start_ms) + ' – ' + time(a.window_end_ms) + '</dd>' +
      '<dt>observed</dt><dd id="d-observed">' + measureText(a.type, a.observed) + '</dd><dt>expected</dt><dd id="d-expected">' + measureText(a.type, a.expected) + '</dd>' +
      '<dt>score</dt><dd>' + a.score.toFixed(2) + ' (threshold ' + a.threshold + ')</dd>' +
      '<dt>flows, bytes</dt><dd>' + a.flow_count + ', ' + bytes(a.bytes) + '</dd>' +
      '<dt>sample flows</dt><dd class="mono" id="d-samples">' + a.sample_flow_ids.map(text).join('<br>') + '</dd>' +
      (a.incident_id == null ? '' : '<dt>incident</dt><dd id="d-incident"><span class="mono">' + text(a.incident_id) + '</span> ' + text(a.incident_state) +
        ': ' + row.records + ' records, ' + row.flows + ' flows, ' + bytes(row.bytes) + ', ' + time(row.first_seen_ms) + ' – ' + time(row.last_seen_ms) + '</dd>') +
      '<dt>alert id</dt><dd class="mono">' + text(a.alert_id) + '</dd><dt>config</dt><dd class="mono">' + text(a.config_version) + '</dd></dl>' +
      '<h3>' + text(a.destination) + ': bytes sent per minute</h3><canvas id="volume" width="520" height="240"></canvas><p id="volume-note"></p>';
    fetch('/api/volume?destination=' + encodeURIComponent(a.destination)).then(function (r) { return r.json(); }).then(function (v) {
      if (selected !== row) return;
      if (chart) chart.destroy();
      if (v.t.length === 0) { $('volume-note').textContent = 'No flows to this destination seen since the console started.'; return; }
      chart = new Chart($('volume'), { type: 'bar', data: { labels: v.t.map(function (ms) { return time(ms).slice(11, 16); }),
        datasets: [{ label: 'bytes sent', data: v.bytes, backgroundColor: v.t.map(function (ms) {
          return ms + 60000 > a.window_start_ms && ms <= a.window_end_ms ? '#b3121f' : '#3366cc'; }) }] },
        options: { animation: false, responsive: false, plugins: { legend: { display: false } } } });
      $('volume').setAttribute('data-drawn', String(v.t.length));
    });
  }
  $('rows').addEventListener('click', function (e) {
    var tr = e.target.closest('tr.alert');
    if (!tr) return;
    var id = tr.getAttribute('data-id');
    for (var i = 0; i < rows.length; i++) if (rows[i].key === id) return show(rows[i]);
  });
  ['f-type', 'f-sev', 'f-dest'].forEach(function (id) { $(id).addEventListener('input', render); });
  var source = new EventSource('/events');
  source.onopen = function () { $('status').textContent = rows.length + ' incidents (live)'; };
  var pending = false;
  source.onmessage = function (e) {
    foldIncidentRow(rows, JSON.parse(e.data));
    if (rows.length > 1000) rows.length = 1000; // the server keeps as many records
    if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; render(); }); } // one render per frame in a storm
  };
  // A dropped stream (or a console not answering) is retried by the browser; one refused with
  // a non-200 answer (the console at its limit of open streams) is closed for good: it says so.
  source.onerror = function () { $('status').textContent = source.readyState === EventSource.CLOSED ? 'not connected: reload the page to try again' : 'reconnecting…'; };
})();
`;
