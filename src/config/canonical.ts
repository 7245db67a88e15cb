// Canonical JSON: JSON.stringify with object keys sorted recursively (by UTF-16 code unit,
// as RFC 8785 does), so equal values give equal text whatever order their keys were built in.
// Used for config_version and alert ids: a hash input must not depend on insertion order.

export function canonicalJson(value: unknown): string {
  const text = encode(value, '$');
  if (text === undefined) throw new TypeError('canonicalJson: the value itself cannot be written as JSON');
  return text;
}

// Returns undefined for what JSON leaves out of objects (undefined, functions, symbols).
function encode(value: unknown, where: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'number':
      // NaN and Infinity would silently become null: refuse instead, a hash must not hide them.
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${where} is ${value}`);
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError(`canonicalJson: ${where} is a bigint`);
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return encode(withToJson.toJSON(), where);
  if (Array.isArray(value)) {
    return `[${value.map((item, i) => encode(item, `${where}[${i}]`) ?? 'null').join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const encoded = encode(record[key], `${where}.${key}`);
    if (encoded !== undefined) members.push(`${JSON.stringify(key)}:${encoded}`);
  }
  return `{${members.join(',')}}`;
}
