import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type * as Nodemailer from 'nodemailer';
import type { Mail } from 'nodemailer';
import { lazyModule } from '../common/lazy-module';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** Stable per notification, so a mail sent again after a crash can be recognised as the same one. */
  messageId: string;
}

/**
 * Sends mail through the SMTP server in SMTP_URL (nodemailer, one connection per message, short
 * timeouts so a dead server fails an attempt instead of holding it). Disabled without SMTP_URL.
 * nodemailer's own logging stays off: it would print addresses.
 */
@Injectable()
export class SmtpMailer implements OnModuleDestroy {
  private readonly transport: Mail | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transport = config.smtpUrl
      ? lazyModule<typeof Nodemailer>('nodemailer')().createTransport({
          url: config.smtpUrl,
          connectionTimeout: 15_000,
          greetingTimeout: 15_000,
          socketTimeout: 60_000,
          logger: false,
          debug: false,
        })
      : null;
  }

  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Resolves once the server has accepted the message for the recipient; throws otherwise. */
  async send(mail: OutgoingEmail): Promise<void> {
    if (!this.transport) throw new Error('SMTP is not configured (SMTP_URL)');
    const info = await this.transport.sendMail({
      from: this.config.smtpFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
    });
    const accepted = (info as { accepted?: unknown[] }).accepted ?? [];
    if (accepted.length !== 1)
      throw new Error(
        `the server did not accept the recipient: ${String((info as { response?: string }).response ?? '')}`,
      );
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
