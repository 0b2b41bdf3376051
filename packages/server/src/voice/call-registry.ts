/**
 * The calls this process answered, by `CallSid`: who called, remembered between the `voice`
 * webhook and the Media Streams socket. The caller also travels in the `<Stream>`'s `from`
 * parameter (any process can serve the socket); this is the fallback when a `start` message
 * carries none. Bounded (oldest forgotten first) and dropped when the call's status says it is over.
 */

/** A call answered by the `voice` webhook. */
export interface AnsweredCall {
  readonly tenantId: string;
  readonly from: string;
}

/** The registry. */
export interface CallRegistry {
  remember(callSid: string, call: AnsweredCall): void;
  get(callSid: string): AnsweredCall | null;
  forget(callSid: string): void;
}

/** A registry holding at most `capacity` calls (default 10 000). */
export function createCallRegistry(capacity = 10_000): CallRegistry {
  const calls = new Map<string, AnsweredCall>();
  return {
    remember(callSid, call) {
      calls.delete(callSid);
      calls.set(callSid, call);
      if (calls.size > capacity) {
        const oldest = calls.keys().next();
        if (oldest.done !== true) calls.delete(oldest.value);
      }
    },
    get: (callSid) => calls.get(callSid) ?? null,
    forget(callSid) {
      calls.delete(callSid);
    },
  };
}
