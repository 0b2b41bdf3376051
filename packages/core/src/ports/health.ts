/** Health as every port reports it (`/readyz`, channel gating in the dispatcher). */
export interface PortHealth {
  /** `up`: working. `degraded`: working with problems. `down`: do not use. */
  readonly status: 'up' | 'degraded' | 'down';
  /** Short reason, safe to show an operator (no secrets, no personal data). */
  readonly detail?: string;
  readonly checkedAt: Date;
}

/** Vendor-specific options, namespaced by provider (`{ kommo: {...}, googleCalendar: {...} }`). */
export type ProviderOptions = Readonly<Record<string, Readonly<Record<string, unknown>>>>;
