/**
 * A repair of the OpenAPI document's references to recursive schemas (core's JSON value).
 * fastify-type-provider-zod puts the definitions of recursive schemas under `$defs` of its
 * `__shared` / `__sharedInput` components, but refers to them as `#/components/schemas/__shared#/$defs/…`
 * (two fragments, which no resolver accepts), and sometimes as `#/components/schemas/<def>`, a
 * component that does not exist. Client generators stop on both. This rewrites them into JSON
 * pointers that resolve: `#/components/schemas/__shared/$defs/<def>`.
 */

const nestedReference = /^#\/components\/schemas\/([^#/]+)#\/\$defs\/(.+)$/;
const componentReference = /^#\/components\/schemas\/([^#/]+)$/;

interface DocumentWithSchemas {
  readonly components?: { readonly schemas?: Readonly<Record<string, unknown>> | undefined } | undefined;
}

/** The definitions kept under a shared component's `$defs`. */
function definitionsOf(schemas: Readonly<Record<string, unknown>>, component: string): Readonly<Record<string, unknown>> {
  const shared = schemas[component];
  if (typeof shared !== 'object' || shared === null || !('$defs' in shared)) return {};
  const definitions = shared.$defs;
  return typeof definitions === 'object' && definitions !== null ? (definitions as Record<string, unknown>) : {};
}

/** The document with every reference to a recursive schema resolvable; other references are kept. */
export function repairSchemaReferences<Document extends object>(document: Document): Document {
  const schemas = (document as DocumentWithSchemas).components?.schemas ?? {};
  const sharedComponent = ['__shared', '__sharedInput'];
  const repair = (reference: string): string => {
    const nested = nestedReference.exec(reference);
    const [, nestedOwner, definition] = nested ?? [];
    if (nestedOwner !== undefined && definition !== undefined) return `#/components/schemas/${nestedOwner}/$defs/${definition}`;
    const component = componentReference.exec(reference)?.[1];
    if (component === undefined || component in schemas) return reference;
    const owner = sharedComponent.find((name) => component in definitionsOf(schemas, name));
    return owner === undefined ? reference : `#/components/schemas/${owner}/$defs/${component}`;
  };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, key === '$ref' && typeof item === 'string' ? repair(item) : walk(item)]),
    );
  };
  return walk(document) as Document;
}
