// The names of the input dialects (config input.format, --input-format): in the model layer so
// the config schema and types can name them without importing the dialects (src/io/dialects,
// which re-exports these).

/** The dialects by name (`--input-format`, config `input.format`). */
export const DIALECT_NAMES = ['zeek', 'vpc', 'goflow2', 'suricata', 'ocsf', 'flow'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];
/** What a user may ask for: a dialect, or `auto` (picked from the first non-comment line). */
export const INPUT_FORMATS = [...DIALECT_NAMES, 'auto'] as const;
export type InputFormatName = (typeof INPUT_FORMATS)[number];
