import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on 127.0.0.1 with a random port; `close()` drops open connections too. */
export async function listenOnLoopback(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Base of the fake services: start() listens on loopback, stop() closes. */
export abstract class LoopbackService {
  url = '';
  private closer?: () => Promise<void>;

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void;

  async start(): Promise<this> {
    const { url, close } = await listenOnLoopback((req, res) => this.handle(req, res));
    this.url = url;
    this.closer = close;
    return this;
  }

  async stop(): Promise<void> {
    await this.closer?.();
  }
}
