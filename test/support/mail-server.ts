/**
 * A real SMTP server (npm smtp-server) on a free loopback port, for tests that
 * send mail through nodemailer: each accepted message is parsed (mailparser)
 * and kept with its envelope. `hold()` makes the server keep the next
 * message's final reply back until released, to kill a sender mid-send;
 * `refuseNext(code)` answers the next message with an SMTP error.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { holdGate } from './workers.js';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  mail: ParsedMail;
  raw: string;
}

export interface MailServer {
  url: string;
  received: ReceivedMail[];
  /** Messages whose DATA arrived, accepted or not. */
  attempts: number;
  to(address: string): ReceivedMail[];
  /** Refuse the next message (to `to`, when given) with this SMTP reply. */
  refuseNext(code: number, message?: string, to?: string): void;
  hold(): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const received: ReceivedMail[] = [];
  let refusal: { code: number; message: string; to?: string } | null = null;
  let holding: { arrived: () => void; gate: Promise<void> } | null = null;
  const state = { attempts: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        state.attempts++;
        const raw = Buffer.concat(chunks).toString('utf8');
        if (refusal && (!refusal.to || session.envelope.rcptTo.some((r) => r.address === refusal!.to))) {
          const r = refusal;
          refusal = null;
          const err = Object.assign(new Error(r.message), { responseCode: r.code });
          return callback(err);
        }
        if (holding) {
          const h = holding;
          holding = null;
          h.arrived();
          await h.gate;
        }
        const mail = await simpleParser(raw);
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), mail, raw });
        callback(null, 'Message accepted');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get attempts() {
      return state.attempts;
    },
    to: (address) => received.filter((r) => r.to.includes(address)),
    refuseNext(code, message = 'Refused by the test server', to) {
      refusal = { code, message, to };
    },
    hold() {
      const h = holdGate();
      holding = h.server;
      return h.test;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
