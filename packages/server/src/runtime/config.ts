/**
 * The server's configuration: the environment, validated with zod once at start. A wrong value
 * stops the server before it touches anything, with a message naming the variable and the
 * problem (`sdr serve` exits with code 2). Every variable is listed, with a comment, in
 * `.env.example` at the repository root; `configVariables` below is the same list, and a test
 * keeps the two in step.
 */
import { isIP } from 'node:net';
import type { AlertChannel } from '../alerts-notify/index.js';
import { ValidationError } from '@sdr/core';
import { z } from 'zod';
import { decodeKey } from '../integrations/secret-box.js';

/** What a process runs: the HTTP API, the workers, or both. */
export const roles = ['api', 'worker', 'all'] as const;
export type Role = (typeof roles)[number];

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const connectionUrl = (protocols: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL like ${example}` },
    );

const hostLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** An IPv4 or IPv6 address, or a host name of valid labels; all-digit names must be IPv4 addresses. */
function isHost(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (/^[\d.]+$/.test(value) || value.length > 253) return false;
  return value.split('.').every((label) => hostLabel.test(label));
}

const hour = 3_600_000;

/** The environment variables, each with its default. */
const environmentSchema = z.object({
  SDR_ROLE: z.enum(roles, { message: `must be one of ${roles.join(', ')}` }).default('all'),
  HOST: z
    .string()
    .trim()
    .refine(isHost, { message: 'must be an IP address or a host name, such as 127.0.0.1, :: or localhost' })
    .default('127.0.0.1'),
  PORT: integer(0, 65_535).default(3000),
  SDR_WORKER_PORT: integer(0, 65_535).default(9464),
  DATABASE_URL: connectionUrl(['postgres:', 'postgresql:'], 'postgres://user@host:5432/db').optional(),
  DATABASE_POOL_MAX: integer(1, 200).default(10),
  SDR_DATA_DIR: z.string().trim().min(1, { message: 'must not be empty' }).default('.sdr-data'),
  REDIS_URL: connectionUrl(['redis:', 'rediss:'], 'redis://host:6379').optional(),
  SDR_OPERATOR_KEY: z.string().trim().min(32, { message: 'must be at least 32 characters' }).max(200).optional(),
  SDR_ENCRYPTION_KEY: z.string().trim().optional(),
  SDR_ENCRYPTION_KEYS_PREVIOUS: z.string().trim().optional(),
  SDR_PUBLIC_BASE_URL: connectionUrl(['http:', 'https:'], 'https://sdr.example.com').optional(),
  SDR_BODY_LIMIT_BYTES: integer(1024, 16 * 1024 * 1024).default(256 * 1024),
  SDR_RATE_LIMIT_PER_MINUTE: integer(1, 1_000_000).default(600),
  SDR_LOG_LEVEL: z.enum(logLevels, { message: `must be one of ${logLevels.join(', ')}` }).default('info'),
  SDR_SHUTDOWN_DEADLINE_MS: integer(0, 10 * 60_000).default(30_000),
  SDR_SEED_DEMO: flag.default(true),
  SDR_DEMO_ALWAYS_OPEN: flag.default(false),
  SDR_DISPATCH_POLL_MS: integer(50, 60_000).default(1000),
  SDR_DISPATCH_PACING_MS: integer(0, 60_000).default(1000),
  SDR_ALERT_INTERVAL_MS: integer(1000, hour).default(60_000),
  SDR_RECONCILE_INTERVAL_MS: integer(10_000, 24 * hour).default(hour),
  SDR_HEARTBEAT_MISSING_AFTER_MS: integer(60_000, 30 * 24 * hour).default(24 * hour),
  SDR_CRM_SYNC_LAG_ALERT_MS: integer(60_000, 7 * 24 * hour).default(15 * 60_000),
  SDR_EVOLUTION_WEBHOOK_SECRET: z.string().trim().min(16, { message: 'must be at least 16 characters' }).max(500).optional(),
  SDR_EVOLUTION_WEBHOOK_JWT_KEY: z.string().trim().min(16, { message: 'must be at least 16 characters' }).max(500).optional(),
  SDR_EVOLUTION_PAUSE_ON_HUMAN_MESSAGE: flag.default(true),
  SDR_AGENT_BASE_URL: connectionUrl(['http:', 'https:'], 'https://api.openai.com/v1').optional(),
  SDR_AGENT_API_KEY: z.string().trim().min(1).max(500).optional(),
  SDR_AGENT_MODEL: z.string().trim().min(1).max(200).optional(),
  SDR_AGENT_DEBOUNCE_MS: integer(0, 60_000).default(3000),
  SDR_WEBHOOKS_POLL_MS: integer(50, 60_000).default(1000),
  SDR_WEBHOOKS_ALLOW_PRIVATE: flag.default(false),
  SDR_OAUTH_STATE_TTL_MS: integer(60_000, hour).default(10 * 60_000),
  SDR_INTEGRATION_HEALTH_INTERVAL_MS: integer(10_000, 24 * hour).default(5 * 60_000),
  SDR_INTEGRATION_HEALTH_CONCURRENCY: integer(1, 64).default(4),
  SDR_CALENDAR_SYNC_INTERVAL_MS: integer(1000, 24 * hour).default(60_000),
  SDR_GOOGLE_WATCH_RENEW_BEFORE_MS: integer(60_000, 7 * 24 * hour).default(hour),
  SDR_HOLD_GRACE_MS: integer(30_000, 24 * hour).default(5 * 60_000),
  SDR_ALERT_SLACK_WEBHOOK_URL: connectionUrl(['https:'], 'https://hooks.slack.com/services/…').optional(),
  SDR_ALERT_TELEGRAM_BOT_TOKEN: z
    .string()
    .trim()
    .regex(/^\d+:[\w-]+$/, { message: 'must be a bot token like 123456:ABC-def' })
    .optional(),
  SDR_ALERT_TELEGRAM_CHAT_ID: z
    .string()
    .trim()
    .regex(/^-?\d+$|^@\w+$/, { message: 'must be a chat id like -1001234 or @channel' })
    .optional(),
  SDR_ALERT_NOTIFY_COOLDOWN_MS: integer(0, 24 * hour).default(15 * 60_000),
});

/** The environment variables the server reads (the keys of `.env.example`). */
export const configVariables: readonly string[] = Object.keys(environmentSchema.shape);

/** The validated configuration. */
export interface ServerConfig {
  readonly role: Role;
  readonly host: string;
  readonly port: number;
  /**
   * The port a `worker` process serves `/healthz`, `/readyz` and `/metrics` on, at `host` (`0`: a
   * free one). Roles `api` and `all` serve them with the API on `port` instead.
   */
  readonly workerPort: number;
  /** `postgres`: the server at `url`; `pglite`: the embedded database in `dataDir`. */
  readonly database:
    | { readonly kind: 'postgres'; readonly url: string; readonly poolMax: number }
    | { readonly kind: 'pglite'; readonly dataDir: string };
  /** Where the server keeps files: the embedded database (without `DATABASE_URL`) and the media leads sent (`blobs/`). */
  readonly dataDir: string;
  /** Redis for locks and rate limits shared across hosts; `null`: the database lock and per-process limits. */
  readonly redisUrl: string | null;
  readonly operatorKey: string | null;
  /**
   * The key sealing secrets at rest and the previous ones still opening old values (checked as
   * 32 bytes of base64); `key` `null`: the key kept in `dataDir`, generated on first use.
   */
  readonly encryption: { readonly key: Buffer | null; readonly previous: readonly Buffer[]; readonly dataDir: string };
  readonly publicBaseUrl: string;
  readonly bodyLimitBytes: number;
  readonly rateLimitPerMinute: number;
  readonly logLevel: (typeof logLevels)[number];
  readonly shutdownDeadlineMs: number;
  /** Create the demo tenant (and print its key) when the database has none. */
  readonly seedDemo: boolean;
  /**
   * The demo tenant is created with no business hours (open at any hour, so follow-ups and slots
   * at night show too) instead of Monday to Friday, 09:00–18:00 in São Paulo.
   */
  readonly demoAlwaysOpen: boolean;
  readonly dispatch: { readonly pollIntervalMs: number; readonly pacingMs: number };
  readonly alerts: {
    readonly intervalMs: number;
    readonly heartbeatMissingAfterMs: number;
    readonly crmSyncLagMs: number;
  };
  readonly reconcileIntervalMs: number;
  /**
   * Evolution webhooks (`POST /webhooks/evolution/{tenantId}`), the same for every tenant until
   * tenants configure their own: `webhookSecret` `null` refuses every delivery.
   */
  readonly evolution: {
    readonly webhookSecret: string | null;
    readonly jwtKey: string | null;
    readonly pauseAutomationOnHumanMessage: boolean;
  };
  /** The built-in agent: an OpenAI-compatible model for every tenant (`null`: the offline demo model). */
  readonly agent: {
    readonly model: { readonly baseUrl: string; readonly apiKey?: string; readonly model: string } | null;
    readonly debounceMs: number;
  };
  /** Outgoing webhooks: how often the delivery worker looks for due deliveries; whether internal addresses may be called. */
  readonly webhooks: { readonly pollIntervalMs: number; readonly allowPrivate: boolean };
  /**
   * Tenant integrations: OAuth connections (`redirectBaseUrl` is `SDR_PUBLIC_BASE_URL`, `null`
   * when unset — a provider must redirect a browser there, so no default is guessed) and the
   * periodic health checks (every `healthIntervalMs`, jittered, at most `healthConcurrency` at once).
   */
  readonly integrations: {
    readonly redirectBaseUrl: string | null;
    readonly oauthStateTtlMs: number;
    readonly healthIntervalMs: number;
    readonly healthConcurrency: number;
  };
  /**
   * Changes people make in the tenants' Google Calendars: how often a calendar without a push
   * channel is synced (and the pass that renews channels runs), and how long before its expiry a
   * push channel is reopened.
   */
  readonly calendarSync: { readonly intervalMs: number; readonly renewBeforeMs: number };
  /**
   * How long a booking hold may stay without its calendar event before the hold pass (every
   * `calendarSync.intervalMs`) adopts the event or releases the hold: a process killed mid-booking.
   */
  readonly holdGraceMs: number;
  /** Operator alert notifications: the channels configured, and the quiet time per alert. */
  readonly alertNotifications: { readonly channels: readonly AlertChannel[]; readonly cooldownMs: number };
}

/**
 * Reads the configuration from `env` (default `process.env`). Empty variables count as unset.
 * Throws a `ValidationError` whose fields are the variables' names.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const present = Object.fromEntries(
    configVariables.flatMap((name) => {
      const value = env[name];
      return value === undefined || value.trim() === '' ? [] : [[name, value]];
    }),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
    const summary = fieldErrors.map((error) => `${error.field} ${error.message}`).join('; ');
    throw new ValidationError(fieldErrors, { message: `invalid configuration: ${summary}` });
  }
  const e = parsed.data;
  if (e.SDR_ROLE !== 'all' && e.DATABASE_URL === undefined) {
    throw ValidationError.forField(
      'SDR_ROLE',
      `${e.SDR_ROLE} needs DATABASE_URL: the embedded database serves a single process, so split roles share a PostgreSQL server`,
    );
  }
  if (e.SDR_ROLE !== 'all' && e.SDR_ENCRYPTION_KEY === undefined) {
    throw ValidationError.forField(
      'SDR_ENCRYPTION_KEY',
      `must be set when SDR_ROLE is ${e.SDR_ROLE}: every api and worker process must seal and open integration secrets with the same key, and a key generated per process would not open the others' secrets`,
    );
  }
  if ((e.SDR_AGENT_BASE_URL === undefined) !== (e.SDR_AGENT_MODEL === undefined)) {
    throw ValidationError.forField(
      e.SDR_AGENT_MODEL === undefined ? 'SDR_AGENT_MODEL' : 'SDR_AGENT_BASE_URL',
      'SDR_AGENT_BASE_URL and SDR_AGENT_MODEL go together: set both to use a model endpoint, or neither for the demo model',
    );
  }
  return {
    role: e.SDR_ROLE,
    host: e.HOST,
    port: e.PORT,
    workerPort: e.SDR_WORKER_PORT,
    database:
      e.DATABASE_URL === undefined
        ? { kind: 'pglite', dataDir: e.SDR_DATA_DIR }
        : { kind: 'postgres', url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    dataDir: e.SDR_DATA_DIR,
    redisUrl: e.REDIS_URL ?? null,
    operatorKey: e.SDR_OPERATOR_KEY ?? null,
    encryption: {
      key: e.SDR_ENCRYPTION_KEY === undefined ? null : decodeKey('SDR_ENCRYPTION_KEY', e.SDR_ENCRYPTION_KEY),
      previous: (e.SDR_ENCRYPTION_KEYS_PREVIOUS ?? '')
        .split(',')
        .map((text) => text.trim())
        .filter((text) => text !== '')
        .map((text) => decodeKey('SDR_ENCRYPTION_KEYS_PREVIOUS', text)),
      dataDir: e.SDR_DATA_DIR,
    },
    publicBaseUrl: e.SDR_PUBLIC_BASE_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`,
    bodyLimitBytes: e.SDR_BODY_LIMIT_BYTES,
    rateLimitPerMinute: e.SDR_RATE_LIMIT_PER_MINUTE,
    logLevel: e.SDR_LOG_LEVEL,
    shutdownDeadlineMs: e.SDR_SHUTDOWN_DEADLINE_MS,
    seedDemo: e.SDR_SEED_DEMO,
    demoAlwaysOpen: e.SDR_DEMO_ALWAYS_OPEN,
    dispatch: { pollIntervalMs: e.SDR_DISPATCH_POLL_MS, pacingMs: e.SDR_DISPATCH_PACING_MS },
    alerts: {
      intervalMs: e.SDR_ALERT_INTERVAL_MS,
      heartbeatMissingAfterMs: e.SDR_HEARTBEAT_MISSING_AFTER_MS,
      crmSyncLagMs: e.SDR_CRM_SYNC_LAG_ALERT_MS,
    },
    reconcileIntervalMs: e.SDR_RECONCILE_INTERVAL_MS,
    evolution: {
      webhookSecret: e.SDR_EVOLUTION_WEBHOOK_SECRET ?? null,
      jwtKey: e.SDR_EVOLUTION_WEBHOOK_JWT_KEY ?? null,
      pauseAutomationOnHumanMessage: e.SDR_EVOLUTION_PAUSE_ON_HUMAN_MESSAGE,
    },
    agent: {
      model:
        e.SDR_AGENT_BASE_URL === undefined || e.SDR_AGENT_MODEL === undefined
          ? null
          : {
              baseUrl: e.SDR_AGENT_BASE_URL,
              model: e.SDR_AGENT_MODEL,
              ...(e.SDR_AGENT_API_KEY === undefined ? {} : { apiKey: e.SDR_AGENT_API_KEY }),
            },
      debounceMs: e.SDR_AGENT_DEBOUNCE_MS,
    },
    webhooks: { pollIntervalMs: e.SDR_WEBHOOKS_POLL_MS, allowPrivate: e.SDR_WEBHOOKS_ALLOW_PRIVATE },
    integrations: {
      redirectBaseUrl: e.SDR_PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
      oauthStateTtlMs: e.SDR_OAUTH_STATE_TTL_MS,
      healthIntervalMs: e.SDR_INTEGRATION_HEALTH_INTERVAL_MS,
      healthConcurrency: e.SDR_INTEGRATION_HEALTH_CONCURRENCY,
    },
    calendarSync: { intervalMs: e.SDR_CALENDAR_SYNC_INTERVAL_MS, renewBeforeMs: e.SDR_GOOGLE_WATCH_RENEW_BEFORE_MS },
    holdGraceMs: e.SDR_HOLD_GRACE_MS,
    alertNotifications: {
      channels: [
        ...(e.SDR_ALERT_SLACK_WEBHOOK_URL === undefined ? [] : [{ kind: 'slack' as const, webhookUrl: e.SDR_ALERT_SLACK_WEBHOOK_URL }]),
        ...(e.SDR_ALERT_TELEGRAM_BOT_TOKEN === undefined || e.SDR_ALERT_TELEGRAM_CHAT_ID === undefined
          ? []
          : [{ kind: 'telegram' as const, botToken: e.SDR_ALERT_TELEGRAM_BOT_TOKEN, chatId: e.SDR_ALERT_TELEGRAM_CHAT_ID }]),
      ],
      cooldownMs: e.SDR_ALERT_NOTIFY_COOLDOWN_MS,
    },
  };
}
