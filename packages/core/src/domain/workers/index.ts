export {
  createPassLoop,
  type IdleBackoff,
  type PassHeartbeat,
  type PassLoop,
  type PassLoopOptions,
  type PassLoopStopOptions,
  type PassSignals,
} from './pass-loop.js';
