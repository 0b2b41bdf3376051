/**
 * What the HTTP layer and the workers are given: every port and service, composed once by the
 * composition root (`runtime/`). The server writes no business rule: routes and workers only
 * translate between HTTP / timers and these services.
 */
import type {
  BillingService,
  BookingService,
  Clock,
  ConversationService,
  CrmInboundService,
  DomainEvents,
  FollowUpService,
  HandoffService,
  LockPort,
  Logger,
  RateLimiter,
  Store,
  TemplateService,
} from '@sdr/core';

/** The domain services the routes call. */
export interface ServerServices {
  readonly conversation: ConversationService;
  readonly followUp: FollowUpService;
  readonly booking: BookingService;
  readonly billing: BillingService;
  readonly handoff: HandoffService;
  readonly templates: TemplateService;
  readonly crmInbound: CrmInboundService;
}

/** HTTP-facing settings (a slice of the validated environment). */
export interface HttpSettings {
  /** Largest accepted request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Requests per minute allowed per API key (token bucket through the RateLimiter port). */
  readonly rateLimitPerMinute: number;
  /**
   * SHA-256 (hex) of the operator key, which manages tenants (`/v1/tenants`). `null`: tenant
   * management is disabled.
   */
  readonly operatorKeyHash: string | null;
  /** Public base URL of the server, as clients and webhooks see it (OpenAPI `servers`). */
  readonly publicBaseUrl: string;
}

export interface ServerContext {
  readonly clock: Clock;
  /** A pino logger (structured JSON; personal data masked by the callers and redact paths). */
  readonly logger: Logger;
  readonly store: Store;
  readonly lock: LockPort;
  readonly rateLimiter: RateLimiter;
  readonly events: DomainEvents;
  readonly services: ServerServices;
  readonly http: HttpSettings;
}
