// A progress bar on a terminal only: pipes and CI logs get none (and no escape codes).
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number, records: number): void;
  stop(): void;
}

export function progressBar(enabled: boolean, label: string): Progress {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {records} records | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, records) {
      if (!started) {
        bar.start(total, 0, { records: 0 });
        started = true;
      }
      bar.update(done, { records });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
