import { defineSdrProject } from '../../vitest.shared.js';

export default defineSdrProject('example-webhook-bot');
