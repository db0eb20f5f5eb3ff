/**
 * The preflight's HTTP client: plain HTTP to 127.0.0.1 only (where the container is published),
 * with the Host header set per check, no redirect following of its own, and bounded in time and in
 * how much of a body it reads.
 */
import { request } from 'node:http';
import type { HttpAnswer } from './contract';

/** Sends GET path to 127.0.0.1:port with the given Host; rejects when nothing answers. */
export type LoopbackGet = (port: number, path: string, host: string) => Promise<HttpAnswer>;

const MAX_BODY_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 5000;

export const loopbackGet: LoopbackGet = (port, path, host) =>
  new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        // Plain HTTP, as the load balancer forwards it after terminating TLS.
        headers: { Host: host, 'X-Forwarded-Proto': 'http', Connection: 'close' },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = (): void => {
          const location = response.headers.location;
          resolve({
            status: response.statusCode ?? 0,
            location: typeof location === 'string' ? location : undefined,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        };
        response.on('data', (chunk: Buffer) => {
          if (size >= MAX_BODY_BYTES) return;
          chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
          size += chunk.length;
          // Enough to judge the answer: the rest is not read.
          if (size >= MAX_BODY_BYTES) {
            finish();
            response.destroy();
          }
        });
        response.on('end', finish);
        response.on('error', reject);
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
    });
    req.on('error', reject);
    req.end();
  });
