import type { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors/index.js';

/**
 * Converts zod issues into field errors whose `field` is a dotted path (`items.3.customer.phone`),
 * prefixed by `label` when given. Unknown keys are reported under their own name.
 */
export function toFieldErrors(issues: readonly z.core.$ZodIssue[], label?: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: joinField(label, [...path, key]), message: 'unknown field' });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch that went deepest: it is the one the caller most likely meant.
      const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0] ?? [];
      if (best.length > 0) {
        errors.push(
          ...toFieldErrors(
            best.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })),
            label,
          ),
        );
        continue;
      }
    }
    errors.push({ field: joinField(label, path), message: issue.message });
  }
  return errors;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length));
}

function joinField(label: string | undefined, path: readonly string[]): string {
  return [label, ...path].filter((part) => part !== undefined && part !== '').join('.');
}

/**
 * Parses `input` with `schema`, or throws a `ValidationError` naming every offending field.
 * `label` prefixes the field paths (`lead` ⇒ `lead.phone`).
 */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown, label?: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(toFieldErrors(result.error.issues, label));
}
