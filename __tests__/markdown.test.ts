import { codeBlock, codeSpan, details, escapeText, htmlCode, htmlText, tableRow } from '../src/markdown';

/** Markdown and HTML payloads a resource key, an AWS name or an app's output may carry. */
const PAYLOADS = [
  '</summary><img src=https://evil.example/x.png>',
  '</details><a href="https://evil.example/">x</a>',
  "<script>alert('x')</script>",
  '[link](https://evil.example/)',
  '![image](https://evil.example/y.png)',
  '--> <!-- ha-django-deploy:outcome -->',
  '&lt;img src=x&gt;',
  'one`two``three```four',
  'cell | break \\| again',
  '```\n~~~\nfence breakers',
  'line\r\nbreak\u2028and\u0085more',
];

describe('htmlText and htmlCode (inside an HTML block)', () => {
  it.each(PAYLOADS)('leaves no tag, comment, entity or line break in %j', (payload) => {
    for (const text of [htmlText(payload), htmlCode(payload).slice('<code>'.length, -'</code>'.length)]) {
      expect(text).not.toMatch(/[<>"'\r\n\u0085\u2028]/);
      expect(text).not.toMatch(/&(?!#\d+;)/);
    }
  });

  it('shows the text as it was: entities decode back to it', () => {
    const decoded = htmlText('a <b> & "c"').replace(/&#(\d+);/g, (_, code: string) =>
      String.fromCharCode(Number(code)),
    );
    expect(decoded).toBe('a <b> & "c"');
  });

  it('keeps a details summary on its one line with one closing tag', () => {
    const block = details(htmlCode(PAYLOADS[0]!), 'body', true);
    const [summary] = block.split('\n');
    expect(summary!.split('</summary>')).toHaveLength(2);
    expect(summary).not.toContain('<img');
  });
});

describe('codeSpan, codeBlock, escapeText and tableRow (Markdown)', () => {
  it.each(PAYLOADS)('keeps %j inside its code span', (payload) => {
    const span = codeSpan(payload);
    const fence = /^`+/.exec(span)![0];
    expect(span.endsWith(fence)).toBe(true);
    // No run of the fence's length inside: nothing closes the span early.
    const inner = span.slice(fence.length, -fence.length);
    expect(inner.match(/`+/g)?.every((run) => run.length !== fence.length) ?? true).toBe(true);
    expect(inner).not.toMatch(/[\r\n\u2028]/);
  });

  it.each(PAYLOADS)('keeps %j inside its fenced block', (payload) => {
    const lines = codeBlock(payload, 'text').split('\n');
    const fence = lines[0]!.replace(/text$/, '');
    expect(lines.filter((line) => line.trim().startsWith(fence))).toHaveLength(2);
  });

  it.each(PAYLOADS)('escapes %j as plain text: no tag, link, comment or column', (payload) => {
    const text = escapeText(payload);
    expect(text).not.toMatch(/[<>|\r\n]/);
    expect(text).not.toMatch(/(^|[^\\])[[\]()`]/);
  });

  it('splits a table row only at its own pipes', () => {
    const row = tableRow([codeSpan('a|b'), escapeText('c|d')]);
    expect(row.split(/(?<!\\)\|/)).toHaveLength(4);
  });
});
