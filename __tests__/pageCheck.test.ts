import { MAX_PAGE_REDIRECTS, checkPage, pageStep, type PageAnswer } from '../src/pageCheck';

const SITE = new URL('http://www.example.test/');
const answer = (status: number, location?: string): PageAnswer => ({ status, location });
/** A site whose answers `answerFor` gives. */
const site =
  (answerFor: (url: URL) => PageAnswer) =>
  (url: URL): Promise<PageAnswer> =>
    Promise.resolve(answerFor(url));

describe('one answer of the page check', () => {
  it('passes a 2xx', () => {
    expect(pageStep(SITE, answer(200))).toEqual({ pass: true });
    expect(pageStep(SITE, answer(204))).toEqual({ pass: true });
  });

  it.each([
    ['/catalog/', 'http://www.example.test/catalog/'],
    ['catalog/?page=2', 'http://www.example.test/catalog/?page=2'],
    ['http://www.example.test/catalog/', 'http://www.example.test/catalog/'],
    ['//www.example.test/x', 'http://www.example.test/x'],
  ])('follows a same-site redirect to %s', (location, follow) => {
    const step = pageStep(SITE, answer(301, location));
    expect('follow' in step && step.follow.href).toBe(follow);
  });

  it('resolves a relative Location against the page that answered, not the site root', () => {
    const step = pageStep(new URL('http://www.example.test/a/b'), answer(302, 'c'));
    expect('follow' in step && step.follow.href).toBe('http://www.example.test/a/c');
  });

  it.each([
    ['http://elsewhere.example/', 'off-site'],
    ['http://www.example.test:8080/', 'off-site'],
    ['https://elsewhere.example/', 'off-site'],
    ['https://www.example.test/', 'to-https'],
  ])('does not follow a redirect to %s (%s)', (location, cause) => {
    const step = pageStep(SITE, answer(302, location));
    expect('fail' in step && step.fail.cause).toBe(cause);
  });

  it('tells HTTPS to HTTP on one host apart from the upgrade: it is off the site, not a TLS hint', () => {
    const step = pageStep(new URL('https://www.example.test/'), answer(301, 'http://www.example.test/'));
    expect('fail' in step && step.fail.cause).toBe('off-site');
  });

  it('gives each cause its own hint: no HTTPS advice for a redirect to a path or another site', () => {
    const offSite = pageStep(SITE, answer(301, 'http://elsewhere.example/'));
    expect('fail' in offSite && offSite.fail.hint).toMatch(/only on http:\/\/www\.example\.test/);
    expect('fail' in offSite && offSite.fail.hint).not.toMatch(/HTTPS/);
    const upgrade = pageStep(SITE, answer(301, 'https://www.example.test/'));
    expect('fail' in upgrade && upgrade.fail.hint).toMatch(/SECURE_PROXY_SSL_HEADER/);
    const rejected = pageStep(SITE, answer(400));
    expect('fail' in rejected && rejected.fail.hint).toMatch(/DJANGO_ALLOWED_HOSTS.*www\.example\.test/);
    const missing = pageStep(SITE, answer(404));
    expect('fail' in missing && missing.fail.cause).toBe('status');
  });

  it.each([undefined, '', 'http://[bad'])('fails a redirect whose Location is %p', (location) => {
    const step = pageStep(SITE, answer(301, location));
    expect('fail' in step && step.fail.cause).toBe('redirect-without-location');
  });
});

describe('the page check across redirects', () => {
  it('follows a same-site chain to its 2xx and names the chain', async () => {
    const answers: Record<string, PageAnswer> = {
      'http://www.example.test/': answer(301, '/catalog/'),
      'http://www.example.test/catalog/': answer(302, 'books/'),
      'http://www.example.test/catalog/books/': answer(200),
    };
    const seen: string[] = [];
    const result = await checkPage(
      SITE,
      site((url) => answers[url.href]!),
      (url) => seen.push(url.href),
    );
    expect(result).toEqual({
      passed: { url: 'http://www.example.test/catalog/books/', status: 200, chain: Object.keys(answers) },
    });
    expect(seen).toEqual(Object.keys(answers));
  });

  it(`gives up after ${MAX_PAGE_REDIRECTS} redirects (a loop), having asked ${MAX_PAGE_REDIRECTS + 1} times`, async () => {
    let asked = 0;
    const result = await checkPage(
      SITE,
      site(() => {
        asked++;
        return answer(302, '/');
      }),
    );
    expect(asked).toBe(MAX_PAGE_REDIRECTS + 1);
    expect('failed' in result && result.failed.cause).toBe('too-many-redirects');
    expect('failed' in result && result.failed.seen).toMatch(/\(more than 5 redirects\)$/);
  });

  it('passes a chain of exactly the maximum', async () => {
    let asked = 0;
    const result = await checkPage(
      SITE,
      site(() => (++asked <= MAX_PAGE_REDIRECTS ? answer(302, `/${asked}`) : answer(200))),
    );
    expect('passed' in result && result.passed.chain).toHaveLength(MAX_PAGE_REDIRECTS + 1);
  });

  it('fails an off-site hop after same-site ones, with the whole chain', async () => {
    const result = await checkPage(
      SITE,
      site((url) =>
        url.pathname === '/' ? answer(301, '/login/') : answer(302, 'https://sso.example.org/?next=/'),
      ),
    );
    expect('failed' in result && result.failed).toMatchObject({
      cause: 'off-site',
      seen: 'http://www.example.test/ -> http://www.example.test/login/ answered 302 -> https://sso.example.org/?next=/',
    });
  });

  it('bounds a huge Location in what it quotes', async () => {
    const result = await checkPage(
      SITE,
      site(() => answer(302, `http://x.example/${'a'.repeat(5000)}`)),
    );
    expect('failed' in result && result.failed.seen.length).toBeLessThan(500);
  });

  it('reports a request nothing answered as such', async () => {
    const result = await checkPage(SITE, () => Promise.reject(new Error('ECONNRESET')));
    expect('failed' in result && result.failed).toMatchObject({ cause: 'no-answer' });
    expect('failed' in result && result.failed.seen).toContain('ECONNRESET');
  });
});
