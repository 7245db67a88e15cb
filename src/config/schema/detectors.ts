// detectors: one block per registered detector (src/detectors/registry.ts), every setting with
// the default its detector declares, and overrides that change some settings for a destination
// glob and/or a data class. Built from the registry, so a new detector's block, defaults and
// override settings need no line here.
import { z } from 'zod';
import type { Detector } from '../../detectors/detector.js';
import { DETECTORS, registryVersion } from '../../detectors/registry.js';
import { section, severity, strict } from './fields.js';

/** A detector's own fields without their defaults: an override sets only what it names. */
function withoutDefaults(fields: z.ZodRawShape): z.ZodRawShape {
  return Object.fromEntries(
    Object.entries(fields).map(([key, schema]) => [key, schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault ? schema.unwrap() : schema]),
  );
}

function block(d: Detector) {
  return section(strict({ enabled: z.boolean().default(true), severity: severity.default(d.settings.severity), ...d.settings.fields }));
}

function partialSettings(d: Detector) {
  const fields: z.ZodRawShape = { enabled: z.boolean(), severity, ...withoutDefaults(d.settings.fields) };
  const optional = Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, z.optional(schema)]));
  return strict(optional).optional();
}

// `when`: an entry that already failed (a misspelt key, say) gets that one message, not a second.
const onlyIfValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

const match = strict({ destination: z.string().min(1).optional(), data_class: z.string().min(1).optional() }).refine(
  (value) => value.destination !== undefined || value.data_class !== undefined,
  { message: 'expected destination, data_class or both', ...onlyIfValid },
);

function build(detectors: readonly Detector[]) {
  const keys = detectors.map((d) => d.key as string);
  const override = strict({ match, ...Object.fromEntries(detectors.map((d) => [d.key, partialSettings(d)])) })
    .refine((value) => keys.some((key) => (value as Record<string, unknown>)[key] !== undefined), {
      message: `an override must change at least one detector (${keys.join(', ')})`,
      ...onlyIfValid,
    })
    .transform(({ match: matchValue, ...settings }) => ({ match: matchValue, settings }));
  return section(strict({ ...Object.fromEntries(detectors.map((d) => [d.key, block(d)])), overrides: z.array(override).default([]) }));
}

let built: { version: number; schema: ReturnType<typeof build> } | undefined;

/** The detectors section of the registered detectors (rebuilt when the registry changed). */
export function detectorsSection(): ReturnType<typeof build> {
  if (built === undefined || built.version !== registryVersion()) built = { version: registryVersion(), schema: build(DETECTORS) };
  return built.schema;
}
