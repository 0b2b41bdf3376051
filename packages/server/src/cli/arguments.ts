/** The words of a command line after its action: `--flag value` pairs and the positional words. */
import { ValidationError } from '@sdr/core';

/** Splits `words` into flags (each `--name` followed by its value) and positional words. */
export function splitArguments(words: readonly string[]): { readonly flags: Map<string, string>; readonly positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] ?? '';
    if (word.startsWith('--')) {
      const value = words[index + 1];
      if (value === undefined) throw ValidationError.forField(word, 'needs a value');
      flags.set(word, value);
      index += 1;
    } else positional.push(word);
  }
  return { flags, positional };
}

/** The JSON of `--config` (default `{}`) or of the file `--config-file` names. */
export async function readJsonConfig(
  flags: ReadonlyMap<string, string>,
  readFile: (path: string) => Promise<string>,
  fallback = '{}',
): Promise<unknown> {
  const file = flags.get('--config-file');
  const text = file === undefined ? (flags.get('--config') ?? fallback) : await readFile(file);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw ValidationError.forField(file === undefined ? '--config' : '--config-file', 'must be JSON');
  }
}
