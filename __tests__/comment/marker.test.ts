import { parseCommentMarker, redact } from '../../src/comment';
import {
  buildMarker,
  MARKER_CHANGES_BUDGET,
  MARKER_VALUES_BUDGET,
  serializeMarker,
  type PlanMarker,
} from '../../src/comment/marker';
import { generatePlan } from '../../emulation/generatedPlan';

const marker: PlanMarker = {
  tool: 'ha-django-deploy',
  version: 1,
  workingDirectory: 'terraform',
  commit: '9b2e4c1d0a7f6e5d4c3b2a190817263544536271',
  fingerprint: `sha256:${'ab'.repeat(32)}`,
  image: `docker.io/acme/shop@sha256:${'4f'.repeat(32)}`,
  counts: { add: 1, change: 0, destroy: 0, replace: 0 },
  changes: ['+ aws_instance.web'],
  unrecorded: 0,
};

describe('parseCommentMarker', () => {
  it('reads back what serializeMarker wrote at the start of the body', () => {
    const body = `${serializeMarker(marker)}\r\n### Terraform plan\r\nedited by hand`;
    expect(parseCommentMarker(body)).toEqual(marker);
  });

  it('refuses a marker anywhere but at the start of the body (quoted in a reply, pasted)', () => {
    expect(parseCommentMarker(`Reviewed, looks fine\n\n${serializeMarker(marker)}`)).toBeUndefined();
    expect(parseCommentMarker(` ${serializeMarker(marker)}`)).toBeUndefined();
    expect(parseCommentMarker(`> ${serializeMarker(marker)}`)).toBeUndefined();
  });

  it.each([
    ['a fingerprint without its sha256: prefix', { fingerprint: 'ab'.repeat(32) }],
    ['a short fingerprint', { fingerprint: `sha256:${'ab'.repeat(31)}` }],
    ['an upper-case fingerprint', { fingerprint: `sha256:${'AB'.repeat(32)}` }],
    ['an image pinned by tag only', { image: 'docker.io/acme/shop:latest' }],
    ['an image with a short digest', { image: `docker.io/acme/shop@sha256:${'4f'.repeat(31)}` }],
    [
      'an image with a second reference after it',
      { image: `docker.io/acme/shop@sha256:${'4f'.repeat(32)} evil` },
    ],
    ['an abbreviated commit', { commit: '9b2e4c1' }],
    ['a directory label with a line break', { workingDirectory: 'terraform\n::warning::x' }],
    ['a change entry with an unknown symbol', { changes: ['! aws_instance.web'] }],
    ['a negative count', { counts: { add: -1, change: 0, destroy: 0, replace: 0 } }],
    ['a value entry without its digest', { values: ['aws_instance.web'] }],
    ['a value entry with a short digest', { values: ['abc123 aws_instance.web'] }],
    ['a negative count of unrecorded values', { values: [], unrecordedValues: -1 }],
  ])('refuses a marker with %s', (_label, field) => {
    expect(parseCommentMarker(serializeMarker({ ...marker, ...field }))).toBeUndefined();
  });

  it('ignores bodies without a marker, other tools’ markers and empty bodies', () => {
    expect(parseCommentMarker('LGTM')).toBeUndefined();
    expect(parseCommentMarker(null)).toBeUndefined();
    expect(parseCommentMarker(undefined)).toBeUndefined();
    expect(
      parseCommentMarker(
        '<!-- dflook/terraform-github-actions {"workspace":"default","path":"terraform"} -->',
      ),
    ).toBeUndefined();
    expect(
      parseCommentMarker('<!-- ha-django-deploy:plan {"tool":"someone-else","version":1} -->'),
    ).toBeUndefined();
  });

  it('refuses a damaged marker, and does not look for another one after it', () => {
    const damaged = '<!-- ha-django-deploy:plan {"tool":"ha-django-deploy", oops -->';
    expect(parseCommentMarker(damaged)).toBeUndefined();
    expect(parseCommentMarker(`${damaged}\n${serializeMarker(marker)}`)).toBeUndefined();
  });

  it('refuses markers of an unknown format version or with fields of the wrong type', () => {
    expect(parseCommentMarker(serializeMarker({ ...marker, version: 2 }))).toBeUndefined();
    const wrongCounts = serializeMarker(marker).replace('"add":1', '"add":"1"');
    expect(parseCommentMarker(wrongCounts)).toBeUndefined();
    const unterminated = serializeMarker(marker).replace(' -->', '');
    expect(parseCommentMarker(unterminated)).toBeUndefined();
  });
});

describe('buildMarker', () => {
  it('records a digest per bound change, bounded, and counts what it left out', () => {
    const { summary } = generatePlan(5000);
    const bound = summary.resourceChanges.map((change, i) => ({
      address: change.address,
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    }));
    const built = buildMarker(
      { ...summary, bound },
      { workingDirectory: 'terraform', commit: marker.commit, image: marker.image },
    );
    expect(built.values?.[0]).toBe(`000000000000 ${bound[0]!.address}`);
    expect(JSON.stringify(built.values).length).toBeLessThanOrEqual(MARKER_VALUES_BUDGET + 1);
    expect((built.values?.length ?? 0) + (built.unrecordedValues ?? 0)).toBe(5000);
    expect(parseCommentMarker(serializeMarker(built))).toEqual(built);
  });

  it('leaves changes that are the image alone out of the recorded changes and totals', () => {
    const { summary } = generatePlan(3);
    const [first] = summary.resourceChanges;
    const update = { ...first!, action: 'update' as const };
    const built = buildMarker(
      {
        ...summary,
        resourceChanges: [update, ...summary.resourceChanges.slice(1)],
        change: summary.change + 1,
        imageOnly: [update.address],
      },
      { workingDirectory: 'terraform', commit: marker.commit, image: marker.image },
    );
    expect(built.changes).toHaveLength(2);
    expect(built.changes.join('\n')).not.toContain(update.address);
    expect(built.counts.change).toBe(summary.change);
  });

  it('records every change of an ordinary plan in address order', () => {
    const { summary } = generatePlan(30);
    const built = buildMarker(
      { ...summary, resourceChanges: [...summary.resourceChanges].reverse() },
      { workingDirectory: 'terraform', commit: marker.commit, image: marker.image },
    );
    expect(built.unrecorded).toBe(0);
    expect(built.changes).toHaveLength(30);
    expect([...built.changes].sort((a, b) => (a.split(' ')[1]! < b.split(' ')[1]! ? -1 : 1))).toEqual(
      built.changes,
    );
  });

  it('bounds the change list of a huge plan and counts what it left out', () => {
    const { summary } = generatePlan(5000);
    const built = buildMarker(summary, {
      workingDirectory: 'terraform',
      commit: marker.commit,
      image: marker.image,
    });
    expect(JSON.stringify(built.changes).length).toBeLessThanOrEqual(MARKER_CHANGES_BUDGET + 1);
    expect(built.changes.length).toBeGreaterThan(100);
    expect(built.changes.length + built.unrecorded).toBe(5000);
    expect(serializeMarker(built).length).toBeLessThan(MARKER_CHANGES_BUDGET + 1000);
  });
});

describe('redact', () => {
  it('masks every occurrence, longest secret first, with regex characters taken literally', () => {
    expect(redact('a+b.c a+b.c-extra', ['a+b.c', 'a+b.c-extra'])).toBe('*** ***');
    expect(redact('axbyc', ['a.b'])).toBe('axbyc');
  });

  it('masks the quoted form a plan shows for a secret with quotes or backslashes', () => {
    expect(redact('password = "p\\"w\\\\d"', ['p"w\\d'])).toBe('password = "***"');
  });

  it('masks each substantial line of a multi-line secret, but not short lines such as braces', () => {
    const key = '-----BEGIN KEY-----\nMIIBVwIBADANBgkqhkiG9w0B\n}\n-----END KEY-----';
    const text = 'line: MIIBVwIBADANBgkqhkiG9w0B\nobject {\n}';
    expect(redact(text, [key])).toBe('line: ***\nobject {\n}');
  });

  it('ignores empty and blank secrets', () => {
    expect(redact('keep me', ['', '  '])).toBe('keep me');
  });
});
