// ISO 3166-1 alpha-2: the 249 officially assigned codes (reserved and user-assigned codes
// such as EU, UK, XK or ZZ are not countries a gateway resolves, so they are rejected).

const OFFICIALLY_ASSIGNED =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
  'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
  'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
  'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
  'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
  'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW';

export const COUNTRY_CODES: readonly string[] = OFFICIALLY_ASSIGNED.split(' ');

const COUNTRY_SET: ReadonlySet<string> = new Set(COUNTRY_CODES);

/** True for an officially assigned code, upper case ("de" is not; normalise first). */
export function isCountryCode(code: string): boolean {
  return COUNTRY_SET.has(code);
}

/** The built-in region EEA: the 27 EU member states plus Iceland, Liechtenstein and Norway. */
export const EEA_COUNTRIES: readonly string[] = [
  // EU 27 (Greece is GR in ISO 3166-1, although the EU itself writes EL)
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU',
  'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
  // EFTA members in the EEA
  'IS', 'LI', 'NO',
];
