/** Where inbound media are kept: the filesystem `BlobStore`, and the route that serves a tenant its media. */
export {
  createFilesystemBlobStore,
  defaultBlobMaxBytes,
  filesystemBlobProvider,
  type FilesystemBlobStore,
  type FilesystemBlobStoreOptions,
} from './filesystem-blob-store.js';
export { createMediaRoutes, mediaLink } from './media-routes.js';
