/** Notification settings from the environment, shared by the worker process and the tools that send notices. */
import type { NotifySettings } from '../activities/notify';
import { unsubscribeUrl } from '../api/links';
import type { Channel } from '../domain/notify/channels';
import type { Config } from './config';

export function notifySettings(cfg: Config): NotifySettings {
  return {
    taskQueue: `${cfg.TASK_QUEUE}-notify`,
    workflowTaskQueue: cfg.TASK_QUEUE,
    programName: cfg.PROGRAM_NAME,
    publicBaseUrl: cfg.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    defaultSender: {
      emailFrom: cfg.EMAIL_FROM,
      smsNumbers: cfg.SMS_NUMBERS.split(',').map((n) => n.trim()).filter(Boolean),
      voiceCallerId: cfg.VOICE_CALLER_ID,
    },
    smsPerNumberPerSecond: cfg.SMS_PER_NUMBER_PER_SECOND,
    codeDigits: 6,
    codeTtlMinutes: 15,
  };
}

/** The signed link in each notice that stops it (email footer and List-Unsubscribe; RFC 8058 one-click). */
export function manageUrlFor(_cfg: Config): (subscriptionId: string, channel: Channel) => string {
  return (subscriptionId, channel) => unsubscribeUrl(subscriptionId, channel);
}
