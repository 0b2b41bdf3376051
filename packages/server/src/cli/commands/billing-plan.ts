/**
 * `sdr billing plan <batch.json> [--tenant tenant.json] [--now ISO]`: the dry run of a billing
 * batch, printed as JSON — every item's status and errors, every message with its step, send
 * time, template, variation and text — and the plan hash. It runs the real import in dry-run
 * mode on an in-memory store, so it shows exactly what an import would write for an empty store.
 */
import {
  createBillingService,
  instantSchema,
  nameSchema,
  parseBillingBatch,
  parseOrThrow,
  systemClock,
  tenantConfigSchema,
  tenantSchema,
  toZonedIso,
  ValidationError,
  VirtualClock,
  createInMemoryLock,
  type BillingImportResult,
  type Tenant,
} from '@sdr/core';
import { createInMemoryStore } from '@sdr/core/memory';
import { exitCodes, type CliCommand, type CliIo } from '../command.js';

const usage = `usage: sdr billing plan <batch.json> [--tenant tenant.json] [--now ISO]

Prints the dry-run plan of a billing batch as JSON, writing nothing.
  <batch.json>        { "items": [ { "externalBillingId", "customer": { "name", "phone", "email"? },
                        "amount" (minor units), "currency", "dueDate" ("YYYY-MM-DD"), "metadata"? } ] }
  --tenant <file>     the tenant, as in an \`sdr simulate\` scenario (default: America/Sao_Paulo,
                      pt-BR, BRL, always open); a scenario file with a "tenant" member works too
  --now <instant>     "now", ISO-8601 with an offset (default: the system clock)
`;

// The tenant of a plan made from files has no stored id; a fixed one keeps plan hashes stable.
const fileTenantId = '5d2b0c4e-8f1a-4b6d-9e3c-7a1f2b4d6e80';

const tenantFileSchema = tenantConfigSchema.extend({ id: tenantSchema.shape.id.optional(), name: nameSchema.default('Tenant') });

interface Arguments {
  readonly batchPath: string;
  readonly tenantPath: string | undefined;
  readonly now: Date | undefined;
}

/** The `billing plan` command. */
export const billingPlanCommand: CliCommand = {
  path: ['billing', 'plan'],
  summary: 'print the dry-run plan of a billing batch as JSON',
  usage,
  async run(args, io) {
    const options = parseArguments(args);
    const now = options.now ?? systemClock.now();
    const clock = new VirtualClock(now);
    const tenant = await readTenant(io, options.tenantPath, now);
    const raw = await readJson(io, options.batchPath, 'batch');
    const batch = labelled('batch', () => parseBillingBatch(raw));
    const store = createInMemoryStore({ clock });
    await store.tenants.create(tenant);
    const billing = createBillingService({ store, clock, lock: createInMemoryLock({ clock }) });
    const result = await billing.importBatch({ tenantId: tenant.id, items: batch.items, dryRun: true });
    io.stdout(`${JSON.stringify(toOutput(result, tenant.timeZone), null, 2)}\n`);
    return exitCodes.ok;
  },
};

function parseArguments(args: readonly string[]): Arguments {
  const positional: string[] = [];
  let tenantPath: string | undefined;
  let now: Date | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--tenant' || arg === '--now') {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) throw ValidationError.forField(arg, 'needs a value');
      index += 1;
      if (arg === '--tenant') tenantPath = value;
      else now = parseOrThrow(instantSchema, value, '--now');
    } else if (arg.startsWith('--')) {
      throw ValidationError.forField(arg, 'is not an option of sdr billing plan (see --help)');
    } else {
      positional.push(arg);
    }
  }
  const [batchPath, ...extra] = positional;
  if (batchPath === undefined) throw ValidationError.forField('batch', 'give the batch file: sdr billing plan <batch.json>');
  if (extra.length > 0) throw ValidationError.forField('arguments', `unexpected ${extra.join(' ')}`);
  return { batchPath, tenantPath, now };
}

async function readTenant(io: CliIo, path: string | undefined, now: Date): Promise<Tenant> {
  const content = path === undefined ? { timeZone: 'America/Sao_Paulo' } : await readJson(io, path, 'tenant');
  // A whole `sdr simulate` scenario is accepted: its tenant is under `tenant`.
  const candidate = typeof content === 'object' && content !== null && 'tenant' in content ? content.tenant : content;
  const { id, name, ...config } = parseOrThrow(tenantFileSchema, candidate, 'tenant');
  return parseOrThrow(tenantSchema, { ...config, id: id ?? fileTenantId, name, createdAt: now, updatedAt: now, version: 0 }, 'tenant');
}

async function readJson(io: CliIo, path: string, field: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw ValidationError.forField(field, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw ValidationError.forField(field, `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Runs `fn`, prefixing the fields of a `ValidationError` it throws with `label` (`items` ⇒ `batch.items`). */
function labelled<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    throw new ValidationError(
      error.fieldErrors.map((problem) => ({
        field:
          problem.field === label || problem.field.startsWith(`${label}.`)
            ? problem.field
            : [label, problem.field].filter(Boolean).join('.'),
        message: problem.message,
      })),
    );
  }
}

/** The documented output shape, and nothing else. */
function toOutput(result: BillingImportResult, timeZone: string) {
  return {
    planHash: result.planHash,
    summary: {
      created: result.summary.created,
      duplicate: result.summary.duplicate,
      invalid: result.summary.invalid,
      messages: result.summary.messages,
      skipped: result.summary.skipped,
    },
    items: result.items.map((item) => ({
      index: item.index,
      externalBillingId: item.externalBillingId,
      status: item.status,
      errors: item.errors.map((error) => ({ field: error.field, message: error.message })),
      messages: item.messages.map((message) => ({
        step: message.step,
        sendAt: toZonedIso(message.sendAt, timeZone),
        template: message.templateKey,
        variation: message.variationId,
        text: message.text,
        status: message.status,
        skipReason: message.skipReason,
      })),
    })),
  };
}
