// The bookkeeping of the per-partition state producers (state-producers.ts), without a broker:
// claims and releases of one partition run one after another, a claim given up mid-way never
// installs its producer, and nothing is left connected. The fencing itself is shown against the
// real broker in state-fencing.test.ts.
import type { Producer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { StateProducers } from '../../src/kafka/state-producers.js';

/** Producers that record what happens to them; `connect` of each waits until `open()` lets it. */
function fleet() {
  const made: Array<{ id: string; connected: boolean; initialised: boolean; open: () => void }> = [];
  const create = (id: string): Producer => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const entry = { id, connected: false, initialised: false, open };
    made.push(entry);
    return {
      connect: async () => {
        await gate;
        entry.connected = true;
      },
      transaction: async () => {
        entry.initialised = true;
        return { abort: async () => {} };
      },
      disconnect: async () => {
        entry.connected = false;
      },
    } as unknown as Producer;
  };
  return { made, create };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StateProducers', () => {
  it('names one transactional id per partition of the group and hands out only claimed producers', async () => {
    const { made, create } = fleet();
    const producers = new StateProducers('ew', create);
    expect(() => producers.get(0)).toThrow('no state producer for engine partition 0');
    const claimed = producers.claim([0, 2]);
    await tick();
    made.forEach((m) => m.open());
    await claimed;
    expect(made.map((m) => [m.id, m.connected, m.initialised])).toEqual([
      ['ew.state.0', true, true],
      ['ew.state.2', true, true],
    ]);
    expect(producers.get(2)).toBeDefined();
    await producers.retain([2]);
    expect(made.map((m) => m.connected)).toEqual([false, true]);
    expect(() => producers.get(0)).toThrow();
  });

  it('runs overlapping claims of a partition one after the other: the later one ends up holding it, the earlier one is closed', async () => {
    const { made, create } = fleet();
    const producers = new StateProducers('ew', create);
    const first = producers.claim([1]);
    const second = producers.claim([1]);
    await tick();
    expect(made).toHaveLength(1); // the second waits for the first
    made[0].open();
    await first;
    await tick();
    expect(made).toHaveLength(2);
    expect(made[0].connected).toBe(false); // closed by the second claim before it opens its own
    made[1].open();
    await second;
    expect(made.map((m) => m.connected)).toEqual([false, true]);
  });

  it('does not install a producer for a partition given up while it was being claimed', async () => {
    const { made, create } = fleet();
    const producers = new StateProducers('ew', create);
    let assigned = true;
    const claim = producers.claim([3], () => assigned);
    await tick();
    assigned = false; // a newer assignment while InitProducerId was on its way
    made[0].open();
    await expect(claim).rejects.toThrow('claim given up (partition no longer assigned)');
    expect(made[0].connected).toBe(false);
    expect(() => producers.get(3)).toThrow();
  });

  it('leaves nothing connected when closed during a claim', async () => {
    const { made, create } = fleet();
    const producers = new StateProducers('ew', create);
    const claim = producers.claim([0]);
    claim.catch(() => {});
    await tick();
    const closed = producers.closeAll();
    made[0].open();
    await closed;
    expect(made[0].connected).toBe(false);
    await expect(claim).rejects.toThrow('claim given up');
    await expect(producers.claim([0])).rejects.toThrow('claim given up');
  });

  it('closes a producer a newer claim replaced without touching the current one', async () => {
    const { made, create } = fleet();
    const producers = new StateProducers('ew', create);
    const first = producers.claim([0]);
    await tick();
    made[0].open();
    await first;
    const stale = producers.get(0);
    const second = producers.claim([0]);
    await tick();
    made[1].open();
    await second;
    // A write of an earlier consumer session, on the replaced producer, failed late; kafkajs had reconnected it meanwhile.
    made[0].connected = true;
    await producers.release(0, stale);
    expect(made.map((m) => m.connected)).toEqual([false, true]);
    expect(producers.get(0)).not.toBe(stale);
    await producers.release(0, producers.get(0));
    expect(made.map((m) => m.connected)).toEqual([false, false]);
    expect(() => producers.get(0)).toThrow();
  });
});
