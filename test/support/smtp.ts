// A real SMTP server in the test process (the `smtp-server` package) on a free loopback port: it
// captures every accepted message and can be told to reject the next attempts with a temporary error.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  /** Envelope sender and recipients, as the client sent them. */
  from: string;
  to: string[];
  /** The user the client authenticated as, if any. */
  user: string | null;
  subject: string;
  messageId: string;
  /** The whole message as received (headers and body). */
  raw: string;
}

export interface TestSmtpServer {
  /** `smtp://[user:password@]127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  /** Accepted messages, in order of acceptance. */
  messages: CapturedMail[];
  /** Attempts refused so far. */
  rejected: number;
  /** Refuse the next `n` messages at RCPT TO with `451 4.3.0 Try again later`. */
  rejectNext(n: number): void;
  close(): Promise<void>;
}

/** Unfolds header lines and returns one header's value (ASCII subjects are not encoded). */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : '';
}

/**
 * Starts the server. With `auth`, clients must log in with that user and password (over plain text,
 * which is fine on loopback). `acceptDelayMs` holds each message before accepting it, so concurrent
 * senders overlap.
 */
export async function startSmtpServer(
  options: { auth?: { user: string; password: string }; acceptDelayMs?: number } = {},
): Promise<TestSmtpServer> {
  let toReject = 0;
  const state: Pick<TestSmtpServer, 'messages' | 'rejected'> = { messages: [], rejected: 0 };
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    hideSTARTTLS: true,
    disabledCommands: ['STARTTLS'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.password)
        return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (toReject > 0) {
        toReject--;
        state.rejected++;
        return callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const accept = () => {
          state.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: (session.user as string | undefined) ?? null,
            subject: header(raw, 'Subject'),
            messageId: header(raw, 'Message-ID'),
            raw,
          });
          callback(null, 'Queued');
        };
        if (options.acceptDelayMs) setTimeout(accept, options.acceptDelayMs);
        else accept();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const credentials = options.auth
    ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@`
    : '';
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    get messages() {
      return state.messages;
    },
    get rejected() {
      return state.rejected;
    },
    rejectNext(n: number) {
      toReject = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
