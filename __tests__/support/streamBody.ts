import type { ServerResponse } from 'node:http';

/**
 * Streams `total` bytes of filler as an answer's body with back-pressure: a chunk is written only
 * when the client has taken the last ones, so what a test counts in `onSent` is what the client
 * read (plus socket buffers). Stops when the client goes away.
 */
export function streamFiller(response: ServerResponse, total: number, onSent: (bytes: number) => void): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const more = (): void => {
    while (sent < total && !response.destroyed) {
      sent += chunk.length;
      onSent(chunk.length);
      if (!response.write(chunk)) return;
    }
    if (sent >= total) response.end();
  };
  response.on('drain', more);
  more();
}
