// detectors: one block per detector, every setting with its default, and overrides that
// change some settings for a destination glob and/or a data class.
import { z } from 'zod';
import type { Severity } from '../../engine/types.js';
import type { DetectorKey } from '../types.js';
import { duration, positiveNumber, section, severity, size, strict, wholeNumber } from './fields.js';

// The settings of each detector, without defaults: overrides use them as partial settings.
const base = { enabled: z.boolean(), severity };
const settingFields = {
  residency_violation: base,
  unauthorized_principal: base,
  gateway_bypass: base,
  new_destination: { ...base, learning_period: duration('zero') },
  volume_spike: { ...base, threshold: positiveNumber, min_bytes: size(), accept_after: duration('positive') },
  sustained_increase: { ...base, threshold: positiveNumber, min_windows: wholeNumber(1), accept_after: duration('positive') },
  gateway_silent: { ...base, min_silence: duration('positive'), factor: positiveNumber, learning_period: duration('zero') },
} satisfies Record<DetectorKey, z.ZodRawShape>;

const DETECTOR_KEYS = Object.keys(settingFields) as DetectorKey[];

const enabledWith = (defaultSeverity: Severity) => ({
  enabled: z.boolean().default(true),
  severity: severity.default(defaultSeverity),
});

const detectorBlocks = {
  residency_violation: section(strict(enabledWith('CRITICAL'))),
  unauthorized_principal: section(strict(enabledWith('CRITICAL'))),
  gateway_bypass: section(strict(enabledWith('HIGH'))),
  new_destination: section(strict({ ...enabledWith('MEDIUM'), learning_period: duration('zero').prefault('1d') })),
  volume_spike: section(
    strict({ ...enabledWith('HIGH'), threshold: positiveNumber.default(6.0), min_bytes: size().prefault('1MB'), accept_after: duration('positive').prefault('1h') }),
  ),
  sustained_increase: section(
    strict({ ...enabledWith('MEDIUM'), threshold: positiveNumber.default(5.0), min_windows: wholeNumber(1).default(10), accept_after: duration('positive').prefault('1h') }),
  ),
  gateway_silent: section(
    strict({
      ...enabledWith('HIGH'),
      min_silence: duration('positive').prefault('15m'),
      factor: positiveNumber.default(3),
      learning_period: duration('zero').prefault('1d'),
    }),
  ),
};

function partialSettings<S extends z.ZodRawShape>(fields: S) {
  const optional = Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, z.optional(schema)]));
  return strict(optional as { [K in keyof S]: z.ZodOptional<S[K]> }).optional();
}

// `when`: an entry that already failed (a misspelt key, say) gets that one message, not a second.
const onlyIfValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

const match = strict({ destination: z.string().min(1).optional(), data_class: z.string().min(1).optional() }).refine(
  (value) => value.destination !== undefined || value.data_class !== undefined,
  { message: 'expected destination, data_class or both', ...onlyIfValid },
);

const override = strict({
  match,
  residency_violation: partialSettings(settingFields.residency_violation),
  unauthorized_principal: partialSettings(settingFields.unauthorized_principal),
  gateway_bypass: partialSettings(settingFields.gateway_bypass),
  new_destination: partialSettings(settingFields.new_destination),
  volume_spike: partialSettings(settingFields.volume_spike),
  sustained_increase: partialSettings(settingFields.sustained_increase),
  gateway_silent: partialSettings(settingFields.gateway_silent),
})
  .refine((value) => DETECTOR_KEYS.some((key) => value[key] !== undefined), {
    message: `an override must change at least one detector (${DETECTOR_KEYS.join(', ')})`,
    ...onlyIfValid,
  })
  .transform(({ match: matchValue, ...settings }) => ({ match: matchValue, settings }));

export const detectorsSection = section(strict({ ...detectorBlocks, overrides: z.array(override).default([]) }));
