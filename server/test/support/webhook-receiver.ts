import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request received, answered or refused. */
  received: ReceivedHook[];
  /** How the next requests are answered (status, body): the default is 200 `{"errcode":0,"errmsg":"ok"}`. */
  answerNext(answers: { status: number; body: string }[]): void;
  close(): Promise<void>;
}

/** A real HTTP server on a free port that records what is POSTed to it, as an alert receiver would. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const queued: { status: number; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = queued.shift() ?? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString() };
      }
      received.push({ path: req.url ?? '', headers: req.headers, body, status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answerNext: (answers) => void queued.push(...answers),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
