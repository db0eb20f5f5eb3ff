/**
 * Reading an answer's body from outside the action (a health check, a registry) without letting
 * its sender choose how much memory or time that takes: the body is streamed and reading stops at
 * a size or time limit, and the caller learns which one cut it.
 */

export interface BodyLimits {
  /** Bytes kept at most; reading stops as soon as the body proves longer. */
  maxBytes: number;
  /** Milliseconds the whole read may take, from its start. */
  timeoutMs: number;
}

export interface BoundedBody {
  /** The body as UTF-8 text, or its first maxBytes when cut. */
  text: string;
  /** Undefined for the whole body; otherwise the limit that cut it. */
  cut: 'size' | 'time' | undefined;
}

/** "larger than 64 KiB" or "not finished within 5 s": a cut body named for what it is. */
export function describeCut(cut: 'size' | 'time', limits: BodyLimits): string {
  return cut === 'size'
    ? `larger than ${formatBytes(limits.maxBytes)}`
    : `not finished within ${limits.timeoutMs / 1000} s`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`;
}

async function readChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limits: BodyLimits,
  expired: Promise<'time'>,
): Promise<{ chunks: Uint8Array[]; cut: BoundedBody['cut'] }> {
  const chunks: Uint8Array[] = [];
  let room = limits.maxBytes;
  for (;;) {
    // The request's own timeout signal (AbortSignal.timeout) may end the read first: a cut by time too.
    const next = await Promise.race([reader.read(), expired]).catch((error: unknown) => {
      if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return 'time' as const;
      throw error;
    });
    if (next === 'time') return { chunks, cut: 'time' };
    if (next.done) return { chunks, cut: undefined };
    if (next.value.byteLength > room) {
      chunks.push(next.value.subarray(0, room));
      return { chunks, cut: 'size' };
    }
    chunks.push(next.value);
    room -= next.value.byteLength;
  }
}

/** Reads the body up to the limits; whatever is left unread is cancelled, so the connection closes. */
export async function readBoundedBody(response: Response, limits: BodyLimits): Promise<BoundedBody> {
  const reader = response.body?.getReader();
  if (!reader) return { text: '', cut: undefined };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'time'>((resolve) => {
    timer = setTimeout(() => {
      resolve('time');
    }, limits.timeoutMs);
  });
  try {
    const { chunks, cut } = await readChunks(reader, limits, expired);
    if (cut) await reader.cancel().catch(() => undefined);
    return { text: Buffer.concat(chunks).toString('utf8'), cut };
  } finally {
    clearTimeout(timer);
  }
}
