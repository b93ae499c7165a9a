import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A pass-through HTTP proxy that records each request's method, path and headers (to see what went on the wire). */
export async function recordingProxy(target: string): Promise<{ url: string; requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[]; stop: () => Promise<void> }> {
  const requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
