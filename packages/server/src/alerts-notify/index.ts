export {
  alertEmailText,
  alertPayload,
  alertSubject,
  alertText,
  notifyChannel,
  type AlertChannel,
  type AlertNotice,
  type AlertTransition,
  type EmailChannelSettings,
  type SendOptions,
  type SmtpSecurity,
} from './alert-channel.js';
export {
  createAlertNotifier,
  notificationRetryDelaysMs,
  type AlertNotifier,
  type AlertNotifierOptions,
  type TenantAlertChannel,
} from './alert-notifier.js';
