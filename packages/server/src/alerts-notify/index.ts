export {
  alertText,
  createAlertNotifier,
  notifyChannel,
  type AlertChannel,
  type AlertNotifier,
  type AlertNotifierOptions,
} from './alert-notifier.js';
