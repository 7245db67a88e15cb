// Field schemas shared by the config sections: src/values/fields.ts (below the config and the
// detectors, whose settings use them too), re-exported here for the config's sections.
export * from '../../values/fields.js';
