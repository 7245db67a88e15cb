// When an engine partition writes state and commits (kafka.commit_interval): a pure object with
// the wall clock injected. No broker; service-commit-interval.test.ts runs it against one.
import { describe, expect, it } from 'vitest';
import { CommitCadence } from '../../src/kafka/commit-cadence.js';

function clock(start = 1_000_000) {
  const c = { now: start, read: () => c.now };
  return c;
}

describe('CommitCadence', () => {
  it('writes every batch while nothing is behind', () => {
    const t = clock();
    const cadence = new CommitCadence(1000, t.read);
    expect(cadence.due(0)).toBe(true);
    cadence.noteLag('flows', 0, 0);
    expect(cadence.behind).toBe(false);
    expect(cadence.due(0)).toBe(true);
  });

  it('defers while any input partition is behind, until the interval has passed since the last write', () => {
    const t = clock();
    const cadence = new CommitCadence(1000, t.read);
    cadence.noteLag('flows', 2, 500); // another topic's partition: the instance is behind
    expect(cadence.behind).toBe(true);
    expect(cadence.due(0)).toBe(false); // the interval starts with the first deferred batch
    cadence.defer(0, 40); // a batch from offset 40: the last commit stands there
    expect(cadence.committedOffset(0)).toBe(40);
    cadence.defer(0, 75); // a later batch: the commit has not moved
    expect(cadence.committedOffset(0)).toBe(40);
    t.now += 999;
    expect(cadence.due(0)).toBe(false);
    expect(cadence.overdue(0)).toBe(false);
    t.now += 1;
    expect(cadence.due(0)).toBe(true);
    expect(cadence.overdue(0)).toBe(true);
    cadence.written(0, 120);
    expect(cadence.pending).toEqual([]);
    expect(cadence.committedOffset(0)).toBeUndefined(); // nothing deferred: nothing to re-read
    cadence.defer(0, 130);
    expect(cadence.committedOffset(0)).toBe(120); // from the write, not the batch
    cadence.written(0, 140);
    expect(cadence.due(0)).toBe(false); // a new interval from the write
    cadence.noteLag('flows', 2, 0); // caught up everywhere: every batch writes again
    expect(cadence.due(0)).toBe(true);
  });

  it('forgets lags on a new assignment, and a partition with its deferred state', () => {
    const t = clock();
    const cadence = new CommitCadence(1000, t.read);
    cadence.noteLag('repartition', 1, 10);
    cadence.defer(1, 0);
    cadence.defer(3, 9);
    expect(cadence.pending).toEqual([1, 3]);
    expect(cadence.isDeferred(3)).toBe(true);
    cadence.resetLags();
    expect(cadence.behind).toBe(false);
    cadence.forget(3);
    expect(cadence.pending).toEqual([1]);
    expect(cadence.isDeferred(3)).toBe(false);
    cadence.defer(3, 50); // after forget, the commit is learnt afresh from the next batch
    expect(cadence.committedOffset(3)).toBe(50);
  });

  it('writes every batch with an interval of 0 or once stopping', () => {
    const t = clock();
    const never = new CommitCadence(0, t.read);
    never.noteLag('flows', 0, 1);
    expect(never.due(0)).toBe(true);
    const cadence = new CommitCadence(60_000, t.read);
    cadence.noteLag('flows', 0, 1);
    expect(cadence.due(0)).toBe(false);
    cadence.stop();
    expect(cadence.due(0)).toBe(true);
  });

  it('runs the work of one partition one at a time, in order, even after a failure; other partitions run alongside', async () => {
    const cadence = new CommitCadence(1000);
    const log: string[] = [];
    const gate: Array<() => void> = [];
    const step = (name: string, fail = false) => async () => {
      log.push(`${name} start`);
      await new Promise<void>((resolve) => gate.push(resolve));
      log.push(`${name} end`);
      if (fail) throw new Error(name);
      return name;
    };
    const a = cadence.exclusive(0, step('a', true));
    const b = cadence.exclusive(0, step('b'));
    const other = cadence.exclusive(1, step('other'));
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['a start', 'other start']); // b waits for a; partition 1 does not
    gate.shift()!(); // a ends (and fails)
    await expect(a).rejects.toThrow('a');
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['a start', 'other start', 'a end', 'b start']);
    gate.shift()!(); // other ends
    gate.shift()!(); // b ends
    await expect(other).resolves.toBe('other');
    await expect(b).resolves.toBe('b');
    expect(log).toEqual(['a start', 'other start', 'a end', 'b start', 'other end', 'b end']);
  });

  it('runs work only for an idle partition with ifIdle', async () => {
    const cadence = new CommitCadence(1000);
    const ran: string[] = [];
    let release!: () => void;
    const busy = cadence.exclusive(0, () => new Promise<void>((r) => (release = r)));
    await cadence.ifIdle(0, async () => void ran.push('while busy'));
    await cadence.ifIdle(1, async () => void ran.push('other partition'));
    release();
    await busy;
    await new Promise((r) => setTimeout(r, 0));
    await cadence.ifIdle(0, async () => void ran.push('after'));
    expect(ran).toEqual(['other partition', 'after']);
  });
});
