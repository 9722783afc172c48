// Sends the `email` action's mail through the configured SMTP server (nodemailer).
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config/schema.js';
import type { MailMessage } from '../triggers/actions/action-runner.js';

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function createMailer(config: MailConfig): Mailer {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.require_tls,
    auth: config.user ? { user: config.user, pass: config.password ?? '' } : undefined,
    connectionTimeout: config.timeout,
    greetingTimeout: config.timeout,
    socketTimeout: config.timeout,
  });
  return {
    async send(message) {
      try {
        await transport.sendMail({ from: config.from, ...message });
      } catch (error) {
        // nodemailer's messages can quote the server's answer; they never hold our password.
        throw new Error(`mail to ${message.to.join(', ')} was not sent: ${(error as Error).message}`);
      }
    },
    close: () => transport.close(),
  };
}
