// The short fault run inside `npm test`: the generated short workload (all seven incident types,
// 8 malformed records) streamed through two `egress-watch run` child processes in one group on
// a real broker of the driver's own, while one SIGKILL, one SIGTERM, one rebalance (a third
// instance joining and leaving) and one pause past the session timeout (SIGSTOP, then SIGCONT:
// a zombie whose state writes the new owner's transactional id fences) hit them. Nothing may be
// lost or invented against the unbroken per-partition replay, and every record must be
// accounted for exactly. `npm run faults` runs the full schedule (broker restarts included).
import { describe, expect, it } from 'vitest';
import { runFaultSuite } from '../../src/faults/driver.js';
import { formatReport } from '../../src/faults/report.js';
import { ensureBuilt } from '../kafka/helpers/service-process.js';

describe('fault suite, short run', () => {
  it('survives a SIGKILL, a SIGTERM, a rebalance and a pause without losing or inventing an alert', async () => {
    ensureBuilt();
    const lines: string[] = [];
    const result = await runFaultSuite({
      seed: 1,
      faults: 4,
      kinds: ['sigkill', 'sigterm', 'rebalance', 'pause'],
      size: 'short',
      say: (line) => lines.push(line),
    });
    const report = formatReport(result);
    expect(result.figures.checks.filter((c) => !c.ok), `${report}\n${lines.join('\n')}`).toEqual([]);
    const f = result.figures;
    expect(result.injected).toEqual({ sigkill: 1, sigterm: 1, rebalance: 1, pause: 1 });
    expect(result.cyclesSurvived).toBe(4);
    expect(result.unplannedExits).toEqual([]);
    expect({ lost: f.lost, invented: f.invented, falseNewDestination: f.falseNewDestination }).toEqual({ lost: 0, invented: 0, falseNewDestination: 0 });
    // Seven types (GATEWAY_SILENT included), one incident each (workloadOptions 'short'), each with at least one alert.
    expect([f.incidents, f.incidentsAlerted]).toEqual([7, 7]);
    // Exact accounting: 8 malformed records dead-lettered, every other produced record processed once.
    expect(f.deadLettered).toBe(8);
    expect(f.processed + f.deadLettered).toBe(f.produced);
    expect(f.unaccounted).toBe(0);
    expect(f.statePartitionsEqual).toBe(4);
    expect(result.passed).toBe(true);
  }, 900_000);
});
