// What the OCSF and ECS mappings share: the alert's field list (from schemas/alert.avsc, so a
// field added to the contract is carried without touching the mappings), the product that
// writes the documents, the severity scale, and a small path reader that names what is
// missing or wrong when a document is read back into an alert.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type avro from 'avsc';
import type { Alert, AlertType, Severity } from '../../engine/types.js';
import type { SiemKind } from '../../detectors/detector.js';
import { DETECTORS } from '../../detectors/registry.js';
import { alertType, packageRoot } from '../schemas.js';

export const PRODUCT_NAME = 'egress-watch';

/** Who wrote a document: OCSF metadata.product, ECS event.provider. */
export interface ProductInfo {
  name: string;
  vendor_name: string;
  version: string;
}

let product: ProductInfo | undefined;

/** egress-watch at the version of its package.json (read once). */
export function defaultProduct(): ProductInfo {
  if (product === undefined) {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    product = { name: PRODUCT_NAME, vendor_name: PRODUCT_NAME, version: pkg.version };
  }
  return product;
}

/**
 * One scale for both formats: OCSF severity_id (2 Low, 3 Medium, 4 High, 5 Critical; 1
 * Informational, 6 Fatal and 0/99 are never written), reused for ECS event.severity so an
 * analyst sees the same number in either tool.
 */
export const SEVERITY_IDS: Record<Severity, number> = { LOW: 2, MEDIUM: 3, HIGH: 4, CRITICAL: 5 };
export const SEVERITY_CAPTIONS: Record<Severity, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', CRITICAL: 'Critical' };

export function severityOfId(id: unknown): Severity | undefined {
  return (Object.keys(SEVERITY_IDS) as Severity[]).find((s) => SEVERITY_IDS[s] === id);
}

/** How each detector decides: names the rule family in both formats (each detector's `siem`, detectors/*.ts). */
export interface DetectorKind extends SiemKind {
  /** Config key of the detector (detectors.<key>). */
  key: string;
}

/** Every registered detector's kind by its alert type. */
export const DETECTOR_KINDS = Object.fromEntries(DETECTORS.map((d) => [d.type, { key: d.key, ...d.siem }])) as Record<AlertType, DetectorKind>;

/** Every field of the alert schema, in its order (contract fields and later optional ones). */
export function alertFieldNames(): string[] {
  return (alertType() as avro.types.RecordType).fields.map((f) => f.name);
}

/**
 * The alert's fields that a mapping has no native place for, in schema order, for OCSF
 * `unmapped` and ECS `egress_watch`. A null value is written (the auditor sees "no
 * gateway", not a missing key); a field the alert does not carry at all is left out.
 */
export function restFields(alert: Alert, native: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source = alert as unknown as Record<string, unknown>;
  for (const name of alertFieldNames()) {
    if (native.has(name) || source[name] === undefined) continue;
    out[name] = source[name];
  }
  return out;
}

/** Values read from a document by dotted path; the first problem is kept, naming the path. */
export class PathReader {
  problem: string | null = null;

  constructor(
    private readonly doc: Record<string, unknown>,
    private readonly label: string,
  ) {}

  /** The value at `path` (a number selects an array element: `evidences.0.uid`), or undefined (no problem recorded). */
  optional(path: string): unknown {
    let value: unknown = this.doc;
    for (const part of path.split('.')) {
      if (Array.isArray(value) && /^\d+$/.test(part)) value = value[Number(part)];
      else if (isObject(value)) value = value[part];
      else return undefined;
    }
    return value;
  }

  /** The value at `path`; when absent, records "missing <path> (<alert field>)". */
  required(path: string, field: string): unknown {
    const value = this.optional(path);
    if (value === undefined) this.fail(`missing ${path} (${field})`);
    return value;
  }

  /** An optional value that is null when absent. */
  nullable(path: string): unknown {
    return this.optional(path) ?? null;
  }

  /** Epoch milliseconds of an ISO 8601 text at `path`. */
  isoTime(path: string, field: string): unknown {
    const value = this.required(path, field);
    if (value === undefined) return undefined;
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) this.fail(`${path} (${field}): expected an ISO 8601 time, got ${JSON.stringify(value)}`);
    return ms;
  }

  /** The fields of the object at `path` (the mapping's rest fields); records a problem when it is not an object. */
  object(path: string): Record<string, unknown> {
    const value = this.optional(path);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.fail(value === undefined ? `missing ${path}` : `${path}: expected an object`);
    return {};
  }

  fail(problem: string): void {
    this.problem ??= `${this.label}: ${problem}`;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
