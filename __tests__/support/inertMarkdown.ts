/**
 * Reads a comment or job summary the way GitHub renders it, for tests that put hostile values in
 * it: outside fenced blocks and code spans nothing may be a tag, an image, a link or an HTML
 * comment, and an HTML `<summary>` line may hold only `<code>` tags.
 */

/** The body without its fenced code blocks: what is left is rendered as Markdown or HTML. */
function outsideFences(markdown: string): string[] {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opening = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && opening) fence = opening;
    else if (fence !== undefined && line.startsWith(fence) && line.trim() === fence) fence = undefined;
    else if (fence === undefined) kept.push(line);
  }
  return kept;
}

/** A Markdown line without its code spans (a run of n backticks closes only at a run of n). */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
}

/**
 * The plan comment opens with its hidden marker, an HTML comment whose JSON escapes `<`, `>` and
 * `&`: it must end where its line ends, and is not rendered.
 */
function withoutMarker(markdown: string): string {
  if (!markdown.startsWith('<!-- ha-django-deploy:plan ')) return markdown;
  const firstLine = markdown.slice(0, markdown.indexOf('\n'));
  expect(firstLine.indexOf('-->')).toBe(firstLine.length - '-->'.length);
  return markdown.slice(firstLine.length + 1);
}

/** Nothing in the Markdown renders as a tag, an image, a link or an HTML comment of its text. */
export function expectInertMarkdown(markdown: string): void {
  for (const line of outsideFences(withoutMarker(markdown))) {
    if (/^<details/.test(line)) {
      // An HTML block: only <details>, <summary> and <code> tags, each summary closed once.
      const tags = line.match(/<\/?[a-z][^>]*>/gi) ?? [];
      expect(tags.filter((tag) => !/^<\/?(details|summary|code)( open)?>$/.test(tag))).toEqual([]);
      expect(line.split('</summary>')).toHaveLength(2);
      expect(line).not.toContain('<!--');
      continue;
    }
    // The action's own line closing a collapsed block.
    if (line === '</details>') continue;
    const rendered = withoutCodeSpans(line);
    expect(rendered).not.toMatch(/<(img|a|\/?details|\/?summary)\b/i);
    expect(rendered).not.toMatch(/\]\(https:\/\/evil/);
    expect(rendered).not.toContain('<!--');
  }
}
