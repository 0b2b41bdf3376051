/** Alert e-mail through nodemailer to a real SMTP server on a loopback socket (`smtp-server`), with login. */
import type { AddressInfo } from 'node:net';
import { createDomainEvents, VirtualClock, type Logger } from '@sdr/core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChannel } from './alert-channel.js';
import { createAlertNotifier } from './alert-notifier.js';

interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

const user = 'alerts@example.test';
const password = 'correct horse battery staple';
const tenantId = '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f';
const received: Mail[] = [];
let smtp: SMTPServer;
let port = 0;

beforeAll(async () => {
  smtp = new SMTPServer({
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => smtp.close(resolve)));

function world(channel: AlertChannel) {
  const events = createDomainEvents();
  const clock = new VirtualClock(new Date('2026-03-02T13:00:00Z'));
  const warnings: Record<string, unknown>[] = [];
  const ignore = () => undefined;
  const logger: Logger = { debug: ignore, info: ignore, error: ignore, warn: (fields) => void warnings.push(fields) };
  // Only the tenant's channel: the operator has none configured.
  const notifier = createAlertNotifier({
    events,
    channels: [],
    tenantChannels: () => Promise.resolve([{ id: 'mail', events: ['raised', 'resolved'], channel }]),
    clock,
    logger,
    retryDelaysMs: [],
    allowPrivate: true,
  });
  return { events, clock, warnings, notifier };
}

const emailChannel = (login: { user: string; password: string }): AlertChannel => ({
  kind: 'email',
  host: '127.0.0.1',
  port,
  security: 'none',
  ...login,
  from: 'sdr@example.test',
  to: ['oncall@example.test', 'owner@example.test'],
});

describe('alert e-mail over SMTP', () => {
  it('delivers raised and resolved alerts, with a subject and body naming the alert, the tenant and the state', async () => {
    const w = world(emailChannel({ user, password }));
    w.events.emit('alert.raised', {
      tenantId,
      at: w.clock.now(),
      kind: 'channel_down',
      key: 'inst-1',
      severity: 'critical',
      message: 'WhatsApp instance inst-1 is down',
    });
    await w.notifier.settled();
    w.events.emit('alert.resolved', { tenantId, at: w.clock.now(), kind: 'channel_down', key: 'inst-1' });
    await w.notifier.stop();

    expect(w.warnings).toEqual([]);
    expect(received.map((mail) => [mail.from, mail.to])).toEqual([
      ['sdr@example.test', ['oncall@example.test', 'owner@example.test']],
      ['sdr@example.test', ['oncall@example.test', 'owner@example.test']],
    ]);
    // Long header lines are folded on the wire: unfold them.
    const [raised, resolved] = received.splice(0).map((mail) => mail.raw.replace(/\r\n[ \t]+/g, ' '));
    expect(raised).toContain(`Subject: [sdr] CRITICAL: channel_down (inst-1) - tenant ${tenantId}`);
    expect(raised).toContain(`Tenant: ${tenantId}`);
    expect(raised).toContain('State: raised');
    expect(raised).toContain('Message: WhatsApp instance inst-1 is down');
    expect(resolved).toContain(`Subject: [sdr] RESOLVED: channel_down (inst-1) - tenant ${tenantId}`);
    expect(resolved).toContain('State: resolved');
  });

  it('a refused login is logged as such, without the password, and the alert goes on: the emit is not held up', async () => {
    const w = world(emailChannel({ user, password: 'wrong password' }));
    const started = performance.now();
    w.events.emit('alert.raised', {
      tenantId,
      at: w.clock.now(),
      kind: 'crm_blocked',
      key: 'acct',
      severity: 'critical',
      message: 'CRM down',
    });
    expect(performance.now() - started).toBeLessThan(50);
    await w.notifier.stop();
    expect(received).toEqual([]);
    expect(w.warnings).toEqual([
      {
        tenantId,
        alertChannelId: 'mail',
        channel: 'email',
        alertKind: 'crm_blocked',
        attempts: 1,
        error: expect.stringContaining('the SMTP server 127.0.0.1 refused the user and password') as unknown,
      },
    ]);
    expect(JSON.stringify(w.warnings)).not.toContain('wrong password');
  });

  it('refuses an SMTP host on a loopback address unless private addresses are allowed', async () => {
    const events = createDomainEvents();
    const warnings: Record<string, unknown>[] = [];
    const ignore = () => undefined;
    const notifier = createAlertNotifier({
      events,
      channels: [emailChannel({ user, password })],
      clock: new VirtualClock(new Date('2026-03-02T13:00:00Z')),
      logger: { debug: ignore, info: ignore, error: ignore, warn: (fields) => void warnings.push(fields) },
      retryDelaysMs: [],
    });
    events.emit('alert.resolved', { tenantId, at: new Date(), kind: 'channel_down', key: 'x' });
    await notifier.stop();
    expect(received).toEqual([]);
    expect(warnings).toEqual([
      expect.objectContaining({ channel: 'email', error: expect.stringContaining('127.0.0.1, a private, loopback') as unknown }),
    ]);
  });
});
