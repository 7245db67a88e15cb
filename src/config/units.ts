// Durations and sizes: the parsers and formatters live in src/values/units.ts, below the
// config and the detectors that both use them; re-exported here for the config's readers.
export * from '../values/units.js';
