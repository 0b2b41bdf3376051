/**
 * The agent: answers `message.received`. One turn per lead at a time — in this process by a
 * per-lead queue, across processes by the lead's lock — and messages that arrive within the
 * debounce (default 3 s) or while a turn runs are answered together by the next turn, in one
 * reply. A turn answers everything inbound since the agent's last message, so a turn that finds
 * nothing new to answer (another process answered it) does nothing.
 */
import { randomUUID } from 'node:crypto';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import {
  LockNotAcquiredError,
  SdrError,
  maskPersonalData,
  noopLogger,
  withLock,
  type Clock,
  type LockPort,
  type Logger,
  type MessagingPort,
  type Store,
} from '@sdr/core';
import { defaultAgentSettings, type AgentSettings } from './agent-settings.js';
import type { AgentServices } from './agent-tools.js';
import { runTurn, type TurnDeps } from './run-turn.js';
import type { AgentTurnRecord, AgentTurnStore } from './turn-store.js';

/** Options of `createAgent`. */
export interface AgentOptions {
  readonly store: Store;
  readonly services: AgentServices;
  /** The channel replies go out through: one port, or each tenant's own. */
  readonly messaging: MessagingPort | ((tenantId: string) => MessagingPort);
  readonly lock: LockPort;
  readonly clock: Clock;
  readonly turns: AgentTurnStore;
  /** The tenant's model: the AI SDK's `LanguageModelV3`. */
  readonly modelFor: (tenantId: string) => LanguageModelV3 | Promise<LanguageModelV3>;
  /** The tenant's persona; default: `defaultAgentSettings`. */
  readonly settingsFor?: (tenantId: string) => AgentSettings | Promise<AgentSettings>;
  readonly logger?: Logger;
  /** Wait after a message for more before answering, in ms (default 3000). */
  readonly debounceMs?: number;
  /** Model steps per attempt (default 6). */
  readonly maxSteps?: number;
  /** Time allowed to one model attempt, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Messages of the conversation given to the model (default 20). */
  readonly lastMessages?: number;
  readonly newId?: () => string;
  /** Told of every finished turn (metrics, tests). */
  readonly onTurn?: (turn: AgentTurnRecord) => void;
}

/** The running agent. */
export interface Agent {
  /** A message arrived for the lead: a turn follows after the debounce. */
  notify(target: { readonly tenantId: string; readonly leadId: string }): void;
  /**
   * Runs a turn now under the lead's lock (no debounce); `null` when another process holds the
   * lead. Refused once the agent is closed.
   */
  runNow(target: { readonly tenantId: string; readonly leadId: string }): Promise<AgentTurnRecord | null>;
  /** Resolves when no turn is waiting or running. */
  idle(): Promise<void>;
  /** Stops taking notifications, drops waiting turns and waits for running ones (`runNow`'s too). */
  close(): Promise<void>;
}

interface LeadEntry {
  timer: ReturnType<typeof setTimeout> | undefined;
  running: Promise<void> | undefined;
  again: boolean;
}

/** Creates the agent (see the module comment). */
export function createAgent(options: AgentOptions): Agent {
  const logger = options.logger ?? noopLogger;
  const debounceMs = options.debounceMs ?? 3000;
  const { messaging } = options;
  const messagingFor = typeof messaging === 'function' ? messaging : () => messaging;
  const deps: TurnDeps = {
    store: options.store,
    services: options.services,
    messagingFor,
    turns: options.turns,
    clock: options.clock,
    logger,
    newId: options.newId ?? randomUUID,
    modelFor: options.modelFor,
    settingsFor: options.settingsFor ?? (() => defaultAgentSettings),
    maxSteps: options.maxSteps ?? 6,
    timeoutMs: options.timeoutMs ?? 30_000,
    lastMessages: options.lastMessages ?? 20,
  };
  const lockTtlMs = 2 * deps.timeoutMs + 60_000;
  const entries = new Map<string, LeadEntry>();
  // Every turn under way, scheduled or asked for with `runNow`: `close` waits for all of them, so
  // that the host closes its database only once no turn uses it.
  const turnsUnderWay = new Set<Promise<unknown>>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const settleIdle = () => {
    if (entries.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const runLocked: Agent['runNow'] = async (target) => {
    try {
      const turn = await withLock(options.lock, `agent-turn:${target.tenantId}:${target.leadId}`, { ttlMs: lockTtlMs }, () =>
        runTurn(deps, target),
      );
      options.onTurn?.(turn);
      return turn;
    } catch (error) {
      if (LockNotAcquiredError.isInstance(error)) return null;
      throw error;
    }
  };

  const runNow: Agent['runNow'] = (target) => {
    if (closed) return Promise.reject(new SdrError('the agent is closed: it runs no more turns'));
    const turn = runLocked(target);
    turnsUnderWay.add(turn);
    const settled = () => turnsUnderWay.delete(turn);
    turn.then(settled, settled);
    return turn;
  };

  const schedule = (key: string, target: { readonly tenantId: string; readonly leadId: string }, entry: LeadEntry) => {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.running = runNow(target)
        .then((turn) => {
          // Held by another process: try again after the debounce; the turn skips what it answered.
          if (turn === null) entry.again = true;
        })
        .catch((error: unknown) => {
          logger.error(
            {
              tenantId: target.tenantId,
              leadId: target.leadId,
              error: maskPersonalData(error instanceof Error ? error.message : String(error)),
            },
            'agent turn failed',
          );
        })
        .finally(() => {
          entry.running = undefined;
          if (entry.again && !closed) {
            entry.again = false;
            schedule(key, target, entry);
          } else {
            entries.delete(key);
            settleIdle();
          }
        });
    }, debounceMs);
  };

  return {
    notify(target) {
      if (closed) return;
      const key = `${target.tenantId}/${target.leadId}`;
      let entry = entries.get(key);
      if (entry === undefined) {
        entry = { timer: undefined, running: undefined, again: false };
        entries.set(key, entry);
      }
      if (entry.running !== undefined) {
        entry.again = true;
        return;
      }
      schedule(key, target, entry);
    },
    runNow,
    idle() {
      if (entries.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      const running: Promise<void>[] = [];
      for (const [key, entry] of entries) {
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        if (entry.running === undefined) entries.delete(key);
        else running.push(entry.running);
      }
      await Promise.all(running);
      await Promise.allSettled(turnsUnderWay);
      settleIdle();
    },
  };
}
