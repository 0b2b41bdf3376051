import { defineSdrProject } from '../vitest.shared.js';

// The deployment recipe (Dockerfile, compose file, dashboards) checked without a Docker engine.
export default defineSdrProject('deploy', { include: ['checks/**/*.test.ts'] });
