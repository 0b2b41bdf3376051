/**
 * The phone as the running server wires it: the routes on the composition's tenants, store,
 * services and models, and the demo tenant's offline phone line.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultAgentSettings, type AgentSettings } from '@sdr/agent';
import type { FastifyPluginAsync } from 'fastify';
import type { Composition } from '../runtime/compose.js';
import { createCallRegistry } from './call-registry.js';
import { createTwilioVoiceRoutes } from './twilio-voice-routes.js';
import { openVoiceCall } from './voice-call.js';

/** The voice routes of a composed server. */
export function createVoiceRoutes(input: {
  readonly composition: Composition;
  /** The tenant's persona (default: `defaultAgentSettings`). */
  readonly settingsFor?: (tenantId: string) => AgentSettings | Promise<AgentSettings>;
  readonly onSessionEnd?: (tenantId: string) => void;
}): FastifyPluginAsync {
  const { composition } = input;
  const { context } = composition;
  const settingsFor = input.settingsFor ?? (() => defaultAgentSettings);
  return createTwilioVoiceRoutes({
    voiceFor: composition.voiceFor,
    store: context.store,
    clock: context.clock,
    logger: context.logger,
    calls: createCallRegistry(),
    languageOf: async (tenant) => (await settingsFor(tenant.id)).language ?? tenant.locale,
    openCall: (call) =>
      openVoiceCall(
        {
          store: context.store,
          services: context.services,
          clock: context.clock,
          logger: context.logger,
          modelFor: composition.modelFor,
          settingsFor,
        },
        call,
      ),
    ...(input.onSessionEnd === undefined ? {} : { onSessionEnd: input.onSessionEnd }),
  });
}

/** The account SID of the demo tenant's offline phone line (no Twilio account behind it). */
export const demoAccountSid = `AC${'0'.repeat(32)}`;

/** The demo line's settings as `sdr call` reads them from the data directory. */
export interface DemoPhoneLine {
  readonly tenantId: string;
  readonly publicBaseUrl: string;
  readonly authToken: string;
}

/** Where the demo line's settings are written, in the server's data directory (owner-only). */
export function demoPhoneLinePath(dataDir: string): string {
  return join(dataDir, 'demo-phone-line.json');
}

/** The demo line written by the server in `dataDir`, or `null`. */
export async function readDemoPhoneLine(dataDir: string): Promise<DemoPhoneLine | null> {
  try {
    return JSON.parse(await readFile(demoPhoneLinePath(dataDir), 'utf8')) as DemoPhoneLine;
  } catch {
    return null;
  }
}

/**
 * Gives the demo tenant a phone line of its own so that `sdr call` works offline: a voice
 * integration with a random Auth Token and this server's public base URL, also written to
 * `demo-phone-line.json` in the data directory (the embedded database cannot be opened by a
 * second process while the server runs). A tenant with a real voice integration is left alone;
 * the demo line follows the server's public base URL.
 */
export async function ensureDemoVoice(input: {
  readonly composition: Composition;
  readonly tenantId: string;
  readonly publicBaseUrl: string;
  readonly dataDir: string;
}): Promise<void> {
  const { composition, tenantId, publicBaseUrl } = input;
  const current = composition.voiceFor(tenantId);
  if (current !== null && current.config.accountSid !== demoAccountSid) return;
  if (current?.config.publicBaseUrl !== publicBaseUrl) {
    await composition.integrations.set({
      tenantId,
      kind: 'voice',
      provider: 'twilio',
      config: {
        accountSid: demoAccountSid,
        authToken: current?.config.authToken ?? randomBytes(24).toString('base64url'),
        publicBaseUrl,
        mode: 'conversation_relay',
        humanNumber: '+5511900000000',
      },
    });
  }
  const line = composition.voiceFor(tenantId);
  if (line === null) return;
  const written: DemoPhoneLine = { tenantId, publicBaseUrl: line.config.publicBaseUrl, authToken: line.config.authToken };
  try {
    await mkdir(input.dataDir, { recursive: true });
    await writeFile(demoPhoneLinePath(input.dataDir), `${JSON.stringify(written, null, 2)}\n`, { mode: 0o600 });
  } catch (error) {
    // The line works without the file; only `sdr call` without flags needs it.
    composition.context.logger.warn(
      { error: error instanceof Error ? error.message.slice(0, 300) : 'unwritable' },
      'the demo phone line could not be written to the data directory',
    );
  }
}
