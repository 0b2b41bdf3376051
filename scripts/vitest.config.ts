import { defineSdrProject } from '../vitest.shared.js';

// The release and CI tooling under scripts/, tested like a package.
export default defineSdrProject('scripts', { include: ['**/*.test.ts'] });
