import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpReceiver {
  port: number;
  /** Every message accepted, parsed. */
  messages: ParsedMail[];
  /** Every RCPT TO, accepted or refused. */
  recipients: string[];
  close(): Promise<void>;
}

/**
 * A real SMTP server in this process (smtp-server), as a mail relay would be: it accepts any
 * sender, refuses recipients whose local part starts with "refuse" with 550 (no such mailbox), and
 * parses what it accepts. `port` 0 picks a free one; a given port lets a test bring the server
 * "back" where the server under test expects it.
 */
export async function startSmtpReceiver(port = 0): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  const recipients: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      recipients.push(address.address);
      if (/^refuse/i.test(address.address)) {
        const err = new Error('5.1.1 mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    recipients,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
