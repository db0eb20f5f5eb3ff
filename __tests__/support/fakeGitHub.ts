import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for api.github.com on 127.0.0.1, speaking the REST endpoints the plan comment
 * uses the way GitHub does: issue comments (list with `Link` header pagination, create, update),
 * pull requests of a commit, and GET /user. Tokens decide who is calling and what they may do.
 */

export interface FakeUser {
  login: string;
  type: 'User' | 'Bot';
}

export interface TokenGrant {
  user: FakeUser;
  /** Installation tokens (the workflow's GITHUB_TOKEN) get 403 from GET /user; personal tokens do not. */
  installation: boolean;
  /** A fork's pull request gets a read-only GITHUB_TOKEN: every write answers 403. */
  readOnly?: boolean;
  /** Every call answers GitHub's 403 for an exhausted rate limit. */
  rateLimited?: boolean;
}

export interface FakeComment {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeUser;
  created_at: string;
  updated_at: string;
}

export interface FakePullRequest {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head_sha: string;
}

interface Reply {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  tokens: Record<string, TokenGrant>;
  /** GitHub caps per_page at 100; a lower cap makes a test's pages small. */
  maxPageSize?: number;
}

/** GitHub's own answer to a comment body over its limit. */
const BODY_LIMIT = 65_536;

export const WORKFLOW_BOT: FakeUser = { login: 'github-actions[bot]', type: 'Bot' };

export async function startFakeGitHub(options: FakeGitHubOptions) {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const maxPageSize = options.maxPageSize ?? 100;
  const comments: FakeComment[] = [];
  const pullsByCommit = new Map<string, FakePullRequest[]>();
  const requests: string[] = [];
  let nextCommentId = 1000;
  // A clock that ticks once per write, so updated_at orders edits without waiting.
  let tick = Date.parse('2025-01-01T00:00:00Z');
  const timestamp = (): string => new Date((tick += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

  let baseUrl = '';
  const htmlBase = `https://github.com/${owner}/${repo}`;

  const commentJson = (comment: FakeComment) => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${baseUrl}/repos/${owner}/${repo}/issues/comments/${comment.id}`,
    html_url: `${htmlBase}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${baseUrl}/repos/${owner}/${repo}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: { login: comment.user.login, id: 1, type: comment.user.type },
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: comment.user.type === 'Bot' ? 'NONE' : 'MEMBER',
  });

  const pullJson = (pull: FakePullRequest) => ({
    number: pull.number,
    html_url: `${htmlBase}/pull/${pull.number}`,
    state: pull.merged_at ? 'closed' : 'open',
    merged_at: pull.merged_at,
    merge_commit_sha: pull.merge_commit_sha,
    head: { sha: pull.head_sha, ref: `feature-${pull.number}` },
    base: { ref: 'main' },
  });

  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
    status,
    body,
    headers,
  });

  const failure = (status: number, message: string, headers: Record<string, string> = {}): Reply =>
    reply(
      status,
      { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
      headers,
    );

  /** One page of `items` with GitHub's Link header (next, last, first, prev as they apply). */
  function page(url: URL, items: unknown[]): Reply {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), maxPageSize);
    const number = Math.max(Number(url.searchParams.get('page') ?? 1), 1);
    const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
    const pageUrl = (target: number) => {
      const link = new URL(url.href);
      link.searchParams.set('per_page', String(perPage));
      link.searchParams.set('page', String(target));
      return `<${baseUrl}${link.pathname}${link.search}>`;
    };
    const links: string[] = [];
    if (number < lastPage)
      links.push(`${pageUrl(number + 1)}; rel="next"`, `${pageUrl(lastPage)}; rel="last"`);
    if (number > 1) links.push(`${pageUrl(1)}; rel="first"`, `${pageUrl(number - 1)}; rel="prev"`);
    return reply(
      200,
      items.slice((number - 1) * perPage, number * perPage),
      links.length > 0 ? { link: links.join(', ') } : {},
    );
  }

  /** The comment body of a create or update request, or GitHub's 422 for a missing or long one. */
  async function commentBody(request: IncomingMessage): Promise<string | Reply> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { body } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { body?: unknown };
    if (typeof body !== 'string') return failure(422, 'Invalid request: body is required');
    if (body.length > BODY_LIMIT) return failure(422, 'Body is too long (maximum is 65536 characters)');
    return body;
  }

  let beforeRequest: ((method: string, path: string) => void) | undefined;

  async function route(request: IncomingMessage): Promise<Reply> {
    const url = new URL(request.url ?? '/', baseUrl);
    const method = request.method ?? 'GET';
    requests.push(`${method} ${url.pathname}${url.search}`);
    beforeRequest?.(method, url.pathname);

    const token = /^(?:token|bearer) (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const grant = token === undefined ? undefined : options.tokens[token];
    if (!grant) return failure(401, 'Bad credentials');
    if (grant.rateLimited) {
      return failure(403, 'API rate limit exceeded for installation ID 4242.', {
        'x-ratelimit-remaining': '0',
      });
    }

    if (method === 'GET' && url.pathname === '/user') {
      if (grant.installation) return failure(403, 'Resource not accessible by integration');
      return reply(200, { login: grant.user.login, id: 1, type: grant.user.type });
    }

    const repoPath = `/repos/${owner}/${repo}`;
    if (!url.pathname.startsWith(`${repoPath}/`)) return failure(404, 'Not Found');
    const path = url.pathname.slice(repoPath.length);
    const isWrite = method === 'POST' || method === 'PATCH';
    if (isWrite && grant.readOnly) return failure(403, 'Resource not accessible by integration');

    const issueComments = /^\/issues\/(\d+)\/comments$/.exec(path);
    if (issueComments && method === 'GET') {
      const issueNumber = Number(issueComments[1]);
      return page(url, comments.filter((comment) => comment.issueNumber === issueNumber).map(commentJson));
    }
    if (issueComments && method === 'POST') {
      const body = await commentBody(request);
      if (typeof body !== 'string') return body;
      const now = timestamp();
      const comment: FakeComment = {
        id: nextCommentId++,
        issueNumber: Number(issueComments[1]),
        body,
        user: grant.user,
        created_at: now,
        updated_at: now,
      };
      comments.push(comment);
      return reply(201, commentJson(comment));
    }

    const singleComment = /^\/issues\/comments\/(\d+)$/.exec(path);
    if (singleComment && method === 'GET') {
      const comment = comments.find((candidate) => candidate.id === Number(singleComment[1]));
      return comment ? reply(200, commentJson(comment)) : failure(404, 'Not Found');
    }
    if (singleComment && method === 'PATCH') {
      const comment = comments.find((candidate) => candidate.id === Number(singleComment[1]));
      if (!comment) return failure(404, 'Not Found');
      const body = await commentBody(request);
      if (typeof body !== 'string') return body;
      comment.body = body;
      comment.updated_at = timestamp();
      return reply(200, commentJson(comment));
    }

    const commitPulls = /^\/commits\/([0-9a-f]{7,40})\/pulls$/.exec(path);
    if (commitPulls && method === 'GET') {
      return page(url, (pullsByCommit.get(commitPulls[1]!) ?? []).map(pullJson));
    }

    return failure(404, 'Not Found');
  }

  const server = createServer((request, response) => {
    void route(request)
      .catch((error: unknown) => failure(500, String(error)))
      .then(({ status, body, headers }) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        response.end(JSON.stringify(body));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    owner,
    repo,
    /** Every request as "METHOD /path?query", in arrival order. */
    requests,
    comments,
    /** A comment written by someone else (or by a bot earlier), as if it had been there. */
    addComment(issueNumber: number, body: string, user: FakeUser): FakeComment {
      const now = timestamp();
      const comment: FakeComment = {
        id: nextCommentId++,
        issueNumber,
        body,
        user,
        created_at: now,
        updated_at: now,
      };
      comments.push(comment);
      return comment;
    },
    deleteComment(id: number) {
      comments.splice(
        comments.findIndex((comment) => comment.id === id),
        1,
      );
    },
    setPullsForCommit(sha: string, pulls: FakePullRequest[]) {
      pullsByCommit.set(sha, pulls);
    },
    /** Runs before each request is answered: lets a test change the world mid-conversation. */
    onRequest(hook: (method: string, path: string) => void) {
      beforeRequest = hook;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        // Octokit's fetch keeps connections alive; close them or close() waits for their timeout.
        server.closeAllConnections();
      }),
  };
}

export type FakeGitHub = Awaited<ReturnType<typeof startFakeGitHub>>;
