import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The commit the stand-in app reports unless a test says otherwise. */
export const DEPLOYED_COMMIT = 'e83c5163316f89bfbde7d9ab23ca2e25604af290';

/** The page a same-site redirect from / can lead to: it answers like / does. */
export const PAGE_BEHIND_REDIRECT = '/catalog/';

/**
 * Stands in for the load balancer's public URL in the smoke check: the emulated ALB's DNS name
 * does not resolve here. GET <health path> answers like the app's /health/ ({status, version,
 * commit}), the commits taken in turn from a list (so a test can put an old instance "in
 * rotation"); GET / is a page of the app, or a redirect the test sets. Statuses are what the test sets; every request's path
 * and Host header is recorded.
 */
export async function startHealthServer(path = '/health/') {
  let status = 200;
  let pageStatus = 200;
  let pageRedirect: string | undefined;
  let commits: (string | undefined)[] = [DEPLOYED_COMMIT];
  let answered = 0;
  const requests: string[] = [];
  const hosts: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    hosts.push(request.headers.host ?? '');
    if (request.url === path) {
      const commit = commits[answered++ % commits.length];
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          status: status === 200 ? 'ok' : 'failing',
          version: '1.0.0',
          ...(commit ? { commit } : {}),
        }),
      );
      return;
    }
    if (request.url === '/' && pageRedirect !== undefined) {
      response.writeHead(301, { location: pageRedirect });
      response.end();
      return;
    }
    const isPage =
      request.url === '/' || (pageRedirect !== undefined && request.url === PAGE_BEHIND_REDIRECT);
    response.writeHead(isPage ? pageStatus : 404, { 'content-type': 'text/html' });
    response.end('<h1>hadjango</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hosts,
    setStatus: (value: number) => {
      status = value;
    },
    setPageStatus: (value: number) => {
      pageStatus = value;
    },
    /** GET / answers 301 to `location` (a redirect to PAGE_BEHIND_REDIRECT stays on the site). */
    setPageRedirect: (location: string) => {
      pageRedirect = location;
    },
    /** The commits /health/ reports, one per answer in turn; undefined leaves the field out. */
    setCommits: (values: (string | undefined)[]) => {
      commits = values;
      answered = 0;
    },
    reset: () => {
      status = 200;
      pageStatus = 200;
      pageRedirect = undefined;
      commits = [DEPLOYED_COMMIT];
      answered = 0;
      requests.length = 0;
      hosts.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
