/**
 * The template engine shared by follow-ups, reminders and billing messages: `{{variable}}`
 * placeholders, weighted variations picked deterministically, and checks that make a raw
 * placeholder in an outgoing message impossible.
 */
import { ValidationError, type FieldError } from '../../errors/index.js';
import type { TemplateVariation } from '../model/template.js';

const placeholder = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
const anyBraces = /\{\{|\}\}/;

/** The variables a body references, in order of first appearance. */
export function extractVariables(body: string): string[] {
  const found: string[] = [];
  for (const match of body.matchAll(placeholder)) {
    const name = match[1];
    if (name && !found.includes(name)) found.push(name);
  }
  return found;
}

/**
 * Checks a template before it is saved: every variation's placeholders are well-formed, declared
 * in `declared`, and among `allowed` (what the message kind can fill). Throws a
 * `ValidationError` naming each offending variation.
 */
export function validateTemplateBodies(input: {
  readonly variations: readonly Pick<TemplateVariation, 'body'>[];
  readonly declared: readonly string[];
  readonly allowed: readonly string[];
  readonly field?: string;
}): void {
  const errors: FieldError[] = [];
  const field = input.field ?? 'variations';
  for (const name of input.declared) {
    if (!input.allowed.includes(name))
      errors.push({ field: 'variables', message: `unknown variable "${name}"; known: ${input.allowed.join(', ')}` });
  }
  input.variations.forEach((variation, index) => {
    const stripped = variation.body.replace(placeholder, '');
    if (anyBraces.test(stripped)) errors.push({ field: `${field}.${index}.body`, message: 'has a malformed placeholder (use {{name}})' });
    for (const name of extractVariables(variation.body)) {
      if (!input.allowed.includes(name)) {
        errors.push({ field: `${field}.${index}.body`, message: `uses unknown variable "${name}"; known: ${input.allowed.join(', ')}` });
      } else if (!input.declared.includes(name)) {
        errors.push({ field: `${field}.${index}.body`, message: `uses variable "${name}" that the template does not declare` });
      }
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

/**
 * Renders a body. Every placeholder must have a value: a missing one is a `ValidationError`,
 * never a raw `{{name}}` in the output.
 */
export function renderTemplate(body: string, variables: Readonly<Record<string, string>>): string {
  const missing = extractVariables(body).filter((name) => variables[name] === undefined);
  if (missing.length > 0) {
    throw ValidationError.forField('variables', `no value for ${missing.map((name) => `{{${name}}}`).join(', ')}`);
  }
  return body.replace(placeholder, (_match, name: string) => variables[name] ?? '');
}

/**
 * 32-bit FNV-1a: a small, stable, well-spread hash. Stable across processes and versions,
 * which is what makes variation choice reproducible (same cycle + step ⇒ same variation).
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Picks one active variation, weighted, deterministically from `seed` (e.g. `cycleId:D-3`).
 * Returns `undefined` when no variation is active.
 */
export function chooseVariation<V extends Pick<TemplateVariation, 'weight' | 'active'>>(
  variations: readonly V[],
  seed: string,
): V | undefined {
  const active = variations.filter((variation) => variation.active && variation.weight > 0);
  const total = active.reduce((sum, variation) => sum + variation.weight, 0);
  if (total === 0) return undefined;
  let ticket = stableHash(seed) % total;
  for (const variation of active) {
    if (ticket < variation.weight) return variation;
    ticket -= variation.weight;
  }
  return active[active.length - 1];
}
