import * as http from 'node:http';
import { listenOnLoopback } from './loopback-server';

/** A pass-through HTTP proxy that records each request's method, path and headers (to see what went on the wire). */
export async function recordingProxy(target: string): Promise<{ url: string; requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[]; stop: () => Promise<void> }> {
  const requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[] = [];
  const upstream = new URL(target);
  const { url, close } = await listenOnLoopback((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return { url, requests, stop: close };
}
