import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, EEA_COUNTRIES, isCountryCode } from '../../src/config/countries.js';

describe('country codes', () => {
  it('holds the 249 officially assigned ISO 3166-1 alpha-2 codes, each once', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(new Set(COUNTRY_CODES).size).toBe(249);
    expect(COUNTRY_CODES.every((code) => /^[A-Z]{2}$/.test(code))).toBe(true);
  });

  it('knows assigned codes and refuses reserved or user-assigned ones', () => {
    for (const code of ['DE', 'GB', 'CH', 'US', 'AX', 'SS', 'BQ', 'CW']) expect(isCountryCode(code)).toBe(true);
    for (const code of ['EU', 'UK', 'XK', 'ZZ', 'EL', 'de']) expect(isCountryCode(code)).toBe(false);
  });

  it('EEA is the 27 EU states plus Iceland, Liechtenstein and Norway', () => {
    expect(EEA_COUNTRIES).toHaveLength(30);
    expect([...EEA_COUNTRIES].sort().join(' ')).toBe(
      'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK',
    );
    expect(EEA_COUNTRIES.every(isCountryCode)).toBe(true);
  });
});
