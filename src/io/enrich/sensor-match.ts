// Which sensor a record came from, for enrich.gateways and enrich.data_classes: a glob
// (picomatch, case-sensitive, "*" also crosses "/" and ".") on any value of the record's
// SensorFacts, or only on the fact named by sensor_field (e.g. `_system_name`, `vpc-id`).
import picomatch from 'picomatch';
import type { SensorFacts } from '../dialects/dialect.js';

/** The fact value that matched, or null. */
export type SensorMatcher = (facts: SensorFacts) => string | null;

export function sensorMatcher(sensor: string, field: string | undefined): SensorMatcher {
  const matches = picomatch.scan(sensor).isGlob ? picomatch(sensor, { dot: true, bash: true }) : (value: string) => value === sensor;
  if (field !== undefined) {
    return (facts) => {
      const value = Object.hasOwn(facts, field) ? facts[field] : undefined;
      return value !== undefined && matches(value) ? value : null;
    };
  }
  return (facts) => {
    for (const key in facts) {
      const value = facts[key];
      if (matches(value)) return value;
    }
    return null;
  };
}

/** How a matcher reads in check-config. */
export function describeSensor(sensor: string, field: string | undefined): string {
  return field === undefined ? `a sensor reporting ${JSON.stringify(sensor)}` : `a sensor whose ${field} is ${JSON.stringify(sensor)}`;
}
