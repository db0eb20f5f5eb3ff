import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeCut, readBoundedBody } from '../src/boundedBody';
import { streamFiller } from './support/streamBody';

/**
 * A real HTTP server on 127.0.0.1: /big streams far more than any limit (with back-pressure, so
 * only what the reader takes is sent), /slow sends a little and then nothing, /small a short body.
 */
let server: Server;
let base: string;
let bigBytesSent = 0;
const BIG_BYTES = 64 * 1024 * 1024;

beforeAll(async () => {
  server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    if (request.url === '/small') {
      response.end('{"commit":"abc"}');
    } else if (request.url === '/slow') {
      response.write('{"commit":');
    } else {
      streamFiller(response, BIG_BYTES, (bytes) => (bigBytesSent += bytes));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('readBoundedBody', () => {
  it('reads a body within the limits whole', async () => {
    const body = await readBoundedBody(await fetch(`${base}/small`), { maxBytes: 1024, timeoutMs: 5000 });
    expect(body).toEqual({ text: '{"commit":"abc"}', cut: undefined });
  });

  it('stops at the size limit and says so, having taken only a little of a huge body', async () => {
    const limits = { maxBytes: 64 * 1024, timeoutMs: 10_000 };
    const body = await readBoundedBody(await fetch(`${base}/big`), limits);
    expect(body.cut).toBe('size');
    expect(Buffer.byteLength(body.text)).toBe(limits.maxBytes);
    expect(describeCut('size', limits)).toBe('larger than 64 KiB');
    expect(bigBytesSent).toBeLessThan(BIG_BYTES / 4);
  });

  it('stops at the time limit when the sender stalls, keeping what came', async () => {
    const limits = { maxBytes: 64 * 1024, timeoutMs: 300 };
    const body = await readBoundedBody(await fetch(`${base}/slow`), limits);
    expect(body).toEqual({ text: '{"commit":', cut: 'time' });
    expect(describeCut('time', limits)).toBe('not finished within 0.3 s');
  });

  it('counts a request timeout that fires during the read as a cut by time', async () => {
    const response = await fetch(`${base}/slow`, { signal: AbortSignal.timeout(300) });
    const body = await readBoundedBody(response, { maxBytes: 1024, timeoutMs: 60_000 });
    expect(body.cut).toBe('time');
  });
});
