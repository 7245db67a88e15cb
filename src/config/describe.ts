// How a config value is quoted in an error message: src/values/describe.ts, re-exported here.
export * from '../values/describe.js';
