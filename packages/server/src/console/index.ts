/**
 * The operators' console of `@sdr/server`: its built assets served at `/console/`, the live event
 * stream, and the read-only routes its views need.
 */
export { findConsoleAssets } from './console-assets.js';
export { consolePath, createConsoleStaticRoutes, type ConsoleStaticRoutesOptions } from './console-static-routes.js';
export { createConsoleApiRoutes, type ConsoleApiRoutesOptions } from './console-api-routes.js';
export { createDomainEventFeed, forwardedEventNames, type TenantEvent, type TenantEventFeed } from './event-feed.js';
export { createEventStreamRoutes, eventStreamContentType, type EventStreamRoutesOptions } from './event-stream-routes.js';
