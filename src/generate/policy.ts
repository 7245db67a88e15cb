// The policy that generated normal traffic respects: the one of config/example.yaml.
// Normal traffic is built only from the allowed choices below; incidents use the
// forbidden ones on purpose.

export type DataClass = 'eu_user_data' | 'payment_data' | 'telemetry' | null;
export type RestrictedClass = 'eu_user_data' | 'payment_data';
export const RESTRICTED_CLASSES: readonly RestrictedClass[] = ['eu_user_data', 'payment_data'];

/** EU27 + Iceland, Liechtenstein, Norway. */
export const EEA: readonly string[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT',
  'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO',
];

const EEA_SET = new Set(EEA);
const EU_USER_DATA_COUNTRIES = new Set([...EEA, 'GB', 'CH']);

export const GATEWAYS = ['gw-fra-1', 'gw-ams-1', 'gw-dub-1'] as const;

/** Whether the policy lets `dataClass` go to `country` (null: country unknown). */
export function countryAllowed(dataClass: DataClass, country: string | null): boolean {
  if (dataClass === 'eu_user_data') return country !== null && EU_USER_DATA_COUNTRIES.has(country);
  if (dataClass === 'payment_data') return country !== null && EEA_SET.has(country);
  return true;
}

export function requiresGateway(dataClass: DataClass): boolean {
  return dataClass === 'eu_user_data' || dataClass === 'payment_data';
}

/**
 * Principals of normal traffic per class, with weights. Restricted classes use only
 * principals their policy allows (eu_user_data: svc-eu-*, alice, bob; payment_data:
 * svc-billing-*, carol); null and telemetry are unrestricted and use a broader set.
 */
export const NORMAL_PRINCIPALS: Record<'eu_user_data' | 'payment_data' | 'telemetry' | 'none', [string | null, number][]> = {
  eu_user_data: [
    ['svc-eu-export', 0.4],
    ['svc-eu-crm', 0.4],
    ['alice', 0.1],
    ['bob', 0.1],
  ],
  payment_data: [
    ['svc-billing-core', 0.85],
    ['carol', 0.15],
  ],
  telemetry: [
    ['svc-monitoring', 0.45],
    ['svc-analytics', 0.25],
    [null, 0.15],
    ['dave', 0.05],
    ['erin', 0.05],
    ['svc-eu-crm', 0.05],
  ],
  none: [
    [null, 0.25],
    ['svc-analytics', 0.12],
    ['svc-monitoring', 0.12],
    ['dave', 0.1],
    ['svc-backup', 0.08],
    ['erin', 0.08],
    ['alice', 0.05],
    ['bob', 0.05],
    ['carol', 0.05],
    ['svc-eu-crm', 0.05],
    ['svc-billing-core', 0.05],
  ],
};

/** Principals the policy does not allow for each restricted class (UNAUTHORIZED_PRINCIPAL incidents). */
export const UNAUTHORIZED_PRINCIPALS: Record<RestrictedClass, (string | null)[]> = {
  eu_user_data: ['mallory', 'svc-marketing', 'dave', 'svc-analytics', 'carol', null],
  payment_data: ['mallory', 'svc-marketing', 'dave', 'alice', 'svc-eu-export', null],
};

/** Principals that appear only in incidents. */
export const INCIDENT_ONLY_PRINCIPALS = ['mallory', 'svc-marketing'];

export function principalKey(dataClass: DataClass): keyof typeof NORMAL_PRINCIPALS {
  return dataClass === null ? 'none' : dataClass;
}

/** Countries outside the allowed set of each restricted class (RESIDENCY_VIOLATION incidents); null: unresolved. */
export const RESIDENCY_TARGETS: Record<RestrictedClass, (string | null)[]> = {
  eu_user_data: ['US', 'CN', 'IN', 'BR', 'RU', 'SG', null],
  payment_data: ['US', 'CN', 'IN', 'BR', 'GB', 'CH', null],
};
