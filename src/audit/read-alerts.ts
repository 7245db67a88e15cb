// Alerts read back for verification, each with where it was found. An unreadable line or
// message is reported through onBad with its place, never skipped in silence.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { decodeAlert } from '../io/wire.js';
import type { LocatedAlert } from './verify.js';

export type OnBad = (where: string, reason: string) => void;

/** JSON Lines of alerts, as `replay --output` and `alerts --json` write them. */
export async function readAlertFile(path: string, onBad: OnBad): Promise<LocatedAlert[]> {
  if (!existsSync(path)) throw Object.assign(new Error(`${path}: no such file`), { code: 'ENOENT' });
  const out: LocatedAlert[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    const decoded = decodeAlert(Buffer.from(line, 'utf8'), 'json');
    if (decoded.ok) out.push({ alert: decoded.alert, where: `${path}:${n}` });
    else onBad(`${path}:${n}`, decoded.reason);
  }
  return out;
}
