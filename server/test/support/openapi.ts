/**
 * /openapi.json with every `$ref` to `components.schemas` replaced by the schema it names, for
 * tests that walk a route's request or answer schema by property. The server's named schemas do
 * not refer to themselves, so the copy is finite.
 */
export function dereferenced<T>(doc: T): T {
  const schemas = (doc as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ?? {};
  const resolve = (value: unknown, trail: string[]): unknown => {
    if (Array.isArray(value)) return value.map((item) => resolve(item, trail));
    if (!value || typeof value !== 'object') return value;
    const { $ref, ...rest } = value as Record<string, unknown>;
    if (typeof $ref === 'string' && $ref.startsWith('#/components/schemas/')) {
      const name = $ref.slice('#/components/schemas/'.length);
      if (trail.includes(name)) throw new Error(`${name} refers to itself: ${trail.join(' → ')}`);
      if (!(name in schemas)) throw new Error(`${$ref} names no schema`);
      return { ...(resolve(schemas[name], [...trail, name]) as object), ...(resolve(rest, trail) as object) };
    }
    return Object.fromEntries(Object.entries(rest).map(([key, item]) => [key, resolve(item, trail)]));
  };
  return resolve(doc, []) as T;
}
