// Each destination's recent bytes per minute, for the console's volume chart: bounded in
// destinations and minutes, whatever the traffic. Event time from the flows; no clock.
export interface VolumeSeries {
  /** Minute starts (epoch ms), oldest first, without holes. */
  t: number[];
  bytes: number[];
}

export class RecentVolume {
  /** destination -> minute start -> bytes; Map order is least recently updated first. */
  private readonly byDestination = new Map<string, Map<number, number>>();

  constructor(
    private readonly bucketMs = 60_000,
    private readonly keepBuckets = 180,
    private readonly maxDestinations = 20_000,
  ) {}

  add(destination: string, endMs: number, bytes: number): void {
    let buckets = this.byDestination.get(destination);
    if (buckets) this.byDestination.delete(destination); // re-inserted last: most recently updated
    else buckets = new Map();
    this.byDestination.set(destination, buckets);
    if (this.byDestination.size > this.maxDestinations) {
      this.byDestination.delete(this.byDestination.keys().next().value!);
    }
    const b = Math.floor(endMs / this.bucketMs) * this.bucketMs;
    buckets.set(b, (buckets.get(b) ?? 0) + bytes);
    if (buckets.size > this.keepBuckets) {
      const oldest = Math.min(...buckets.keys());
      buckets.delete(oldest);
    }
  }

  get destinations(): number {
    return this.byDestination.size;
  }

  /** The kept minutes up to the destination's latest, zeros where nothing was sent. */
  series(destination: string): VolumeSeries {
    const buckets = this.byDestination.get(destination);
    if (!buckets || buckets.size === 0) return { t: [], bytes: [] };
    const keys = [...buckets.keys()];
    const last = Math.max(...keys);
    const first = Math.max(Math.min(...keys), last - (this.keepBuckets - 1) * this.bucketMs);
    const out: VolumeSeries = { t: [], bytes: [] };
    for (let b = first; b <= last; b += this.bucketMs) {
      out.t.push(b);
      out.bytes.push(buckets.get(b) ?? 0);
    }
    return out;
  }
}
