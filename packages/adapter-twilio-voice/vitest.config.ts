import { defineSdrProject } from '../../vitest.shared.js';

export default defineSdrProject('adapter-twilio-voice');
