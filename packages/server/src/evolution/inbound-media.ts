/**
 * Inbound WhatsApp media (SPEC §4.7): the bytes of an image, audio, video or document a lead sent
 * — inline in the delivery when the webhook was registered with `base64: true`, otherwise
 * downloaded through the tenant's Evolution API (`getBase64FromMediaMessage`) — kept in the
 * `BlobStore`, referenced on the message, and announced to the CRM in a note that links it.
 *
 * A medium that cannot be kept for good (too large, gone from WhatsApp, no API to fetch it from)
 * does not cost the message: it is recorded without it, and the reason logged. A transient
 * failure (Evolution down) is thrown, and the event retried.
 */
import { fetchEvolutionMedia, type EvolutionWebhookMessage } from '@sdr/adapter-evolution';
import {
  appendCrmNoteEntry,
  classifyError,
  type BlobStore,
  type Clock,
  type Logger,
  type MediaRef,
  type Message,
  type Store,
  type Tenant,
} from '@sdr/core';
import type { EvolutionWebhookSettingsFor } from './evolution-webhook-settings.js';

/** Options of `createInboundMedia`. */
export interface InboundMediaOptions {
  readonly blobs: BlobStore;
  /** The tenant's settings: `api` downloads media that did not come inline. */
  readonly settingsFor: EvolutionWebhookSettingsFor;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Largest medium kept, in bytes (default 16 MiB). */
  readonly maxBytes?: number;
  /** Where a stored medium can be fetched, for the CRM note (default: its reference alone). */
  readonly linkOf?: (ref: string) => string;
  readonly fetch?: typeof globalThis.fetch;
}

/** What the inbox worker calls. */
export interface InboundMedia {
  /** Keeps the medium of `message`; `null` when it cannot be kept for good. */
  store(input: { readonly tenant: Tenant; readonly message: EvolutionWebhookMessage }): Promise<MediaRef | null>;
  /** Writes the CRM note linking the media of a recorded message (the note's key makes a repeat harmless). */
  note(input: { readonly store: Store; readonly tenant: Tenant; readonly message: Message }): Promise<void>;
}

const defaultMaxBytes = 16 * 1024 * 1024;

/** Creates the media handling of the inbox worker. */
export function createInboundMedia(options: InboundMediaOptions): InboundMedia {
  const { blobs, clock, logger } = options;
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const linkOf = options.linkOf ?? ((ref: string) => ref);

  return {
    async store({ tenant, message }) {
      const log = { tenantId: tenant.id, kind: message.media?.kind, messageType: message.messageType };
      const settings = await options.settingsFor(tenant.id);
      const api = settings?.api;
      if (message.media?.inlineBase64 === undefined && api === undefined) {
        logger.warn(log, 'media not kept: it did not come inline and no Evolution API is configured to download it');
        return null;
      }
      try {
        const file = await fetchEvolutionMedia({
          baseUrl: api?.baseUrl ?? 'http://inline.invalid',
          apiKey: api?.apiKey ?? 'inline',
          instance: message.instance,
          message,
          maxBytes,
          clock,
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        });
        const stored = await blobs.put({
          tenantId: tenant.id,
          contentType: file.contentType,
          data: file.data,
          ...(file.fileName === undefined ? {} : { fileName: file.fileName }),
        });
        return {
          ref: stored.ref,
          contentType: stored.contentType,
          ...(stored.fileName === undefined ? {} : { fileName: stored.fileName }),
          ...(stored.size === undefined ? {} : { size: stored.size }),
        };
      } catch (error) {
        const classified = classifyError(error);
        if (classified.transient) throw error;
        logger.warn({ ...log, error: classified.message }, 'media not kept');
        return null;
      }
    },

    async note({ store, tenant, message }) {
      if (message.media.length === 0) return;
      const lines = message.media.map(
        (media) =>
          `${media.fileName ?? media.contentType}${media.size === undefined ? '' : ` (${Math.ceil(media.size / 1024)} KB)`}: ${linkOf(media.ref)}`,
      );
      const caption = message.body.trim() === '' ? [] : [`“${message.body}”`];
      await store.transaction((tx) =>
        appendCrmNoteEntry(tx, {
          tenantId: tenant.id,
          leadId: message.leadId,
          note: {
            key: `whatsapp-media:${message.id}`,
            text: ['WhatsApp media received from the lead', ...lines, ...caption].join('\n'),
          },
        }),
      );
    },
  };
}
