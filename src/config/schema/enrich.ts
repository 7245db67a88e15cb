// enrich: how records that lack dst_country, data_class, principal, gateway_id or dst_host (what
// real sensors write) get them filled in (src/io/enrich/). Only the shape is checked here; the
// cross-checks (a data_class the policy declares, files that can be read) are in enrich-checks.ts.
import { z } from 'zod';
import { isCountryCode } from '../countries.js';
import { describeValue } from '../describe.js';
import { nonEmptyString, section, strict, wholeNumber } from './fields.js';
import { cidr } from './policy.js';

/** The country database an npm package ships (DB-IP IP to Country Lite, CC BY 4.0). */
export const BUILTIN_GEOIP = 'builtin';

const port = wholeNumber(0).max(65535);
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item).min(1)]).transform((value) => (Array.isArray(value) ? value : [value]) as z.output<T>[]);

/** A sensor: a glob on any SensorFacts value, or only on the fact named by sensor_field. */
const sensorKeys = {
  sensor: nonEmptyString.optional(),
  sensor_field: nonEmptyString.optional(),
};

const countryCode = z.string().transform((text, ctx): string => {
  const upper = text.toUpperCase();
  if (!isCountryCode(upper)) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO 3166-1 alpha-2 country code such as DE, got ${describeValue(text)}` });
    return z.NEVER;
  }
  return upper;
});

const countryRule = strict({ dst: cidr, country: countryCode });

const dataClassRule = strict({
  src: oneOrMany(cidr).optional(),
  dst_port: oneOrMany(port).optional(),
  ...sensorKeys,
  data_class: nonEmptyString,
});

const principalRule = strict({ src: cidr, principal: nonEmptyString });

const gatewayRule = strict({
  sensor: nonEmptyString,
  sensor_field: nonEmptyString.optional(),
  gateway_id: nonEmptyString.optional(),
});

const dstHostSection = section(
  strict({
    zeek_ssl: z.array(nonEmptyString).default([]),
    zeek_dns: z.array(nonEmptyString).default([]),
    suricata_eve: z.array(nonEmptyString).default([]),
    max_entries: wholeNumber(1).default(1_000_000),
  }),
);

export const enrichSection = section(
  strict({
    geoip: z.string().min(1).nullable().default(null),
    countries: z.array(countryRule).default([]),
    data_classes: z.array(dataClassRule).default([]),
    principals: z.array(principalRule).default([]),
    principals_file: nonEmptyString.nullable().default(null),
    gateways: z.array(gatewayRule).default([]),
    dst_host: dstHostSection,
  }),
).superRefine((enrich, ctx) => {
  enrich.data_classes.forEach((rule, index) => {
    if (rule.src === undefined && rule.dst_port === undefined && rule.sensor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data_classes', index], message: 'a rule needs at least one of src, dst_port or sensor' });
    }
    if (rule.sensor_field !== undefined && rule.sensor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['data_classes', index, 'sensor_field'], message: 'sensor_field needs sensor' });
    }
  });
});
