/**
 * A line diff in unified format (`@@ -a,b +c,d @@`, three lines of context), by Myers' O(ND)
 * algorithm: the shortest edit script, so a one-line change in a long boot script is one `-` and
 * one `+` line. Small on purpose: no dependency for a few dozen lines.
 */

type Edit = { kind: ' ' | '-' | '+'; line: string };

/**
 * Past this many differing lines a diff says nothing a reviewer can read (and the search costs the
 * square of it): the rest is shown as removed, then added.
 */
const MAX_EDITS = 500;

const CONTEXT = 3;

/**
 * The edits turning `a` into `b`. Each step d keeps only the 2d+1 furthest-reaching points it
 * reached, so memory grows with the square of the edit count, not with the texts' length.
 */
function shortestEdits(a: string[], b: string[]): Edit[] {
  // Common head and tail lines need no search: a release changes a few lines of a long script.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const same = (lines: string[]): Edit[] => lines.map((line) => ({ kind: ' ', line }));
  return [
    ...same(a.slice(0, head)),
    ...middleEdits(a.slice(head, a.length - tail), b.slice(head, b.length - tail)),
    ...same(a.slice(a.length - tail)),
  ];
}

function middleEdits(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))
          ? (v[offset + k + 1] ?? 0)
          : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found < 0)
    return [
      ...a.map((line) => ({ kind: '-' as const, line })),
      ...b.map((line) => ({ kind: '+' as const, line })),
    ];
  return backtrack(a, b, trace, found);
}

function backtrack(a: string[], b: string[], trace: Int32Array[], edits: number): Edit[] {
  const result: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = edits; d > 0; d--) {
    const previous = trace[d - 1] ?? new Int32Array(1);
    const at = (k: number): number => previous[k + d - 1] ?? 0;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      result.push({ kind: ' ', line: a[--x] ?? '' });
      y--;
    }
    if (down) result.push({ kind: '+', line: b[--y] ?? '' });
    else result.push({ kind: '-', line: a[--x] ?? '' });
  }
  while (x > 0 && y > 0) {
    result.push({ kind: ' ', line: a[--x] ?? '' });
    y--;
  }
  return result.reverse();
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function hunkHeader(edits: Edit[], start: number, end: number, oldLine: number, newLine: number): string {
  const slice = edits.slice(start, end);
  const oldCount = slice.filter((edit) => edit.kind !== '+').length;
  const newCount = slice.filter((edit) => edit.kind !== '-').length;
  const range = (line: number, count: number): string => `${count === 0 ? line - 1 : line},${count}`;
  return `@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`;
}

export interface UnifiedDiff {
  /** The hunks, without file headers; empty when the texts are equal. */
  lines: string[];
  added: number;
  removed: number;
}

/** `before` -> `after` as unified-diff hunks; an absent side is an empty text. */
export function unifiedDiff(before: string | undefined, after: string | undefined): UnifiedDiff {
  const edits = shortestEdits(splitLines(before ?? ''), splitLines(after ?? ''));
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const lines: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  let position = 0;
  let i = 0;
  while (i < changed.length) {
    const first = changed[i] ?? 0;
    let last = first;
    // One hunk spans changes whose context would touch or overlap.
    while (i + 1 < changed.length && (changed[i + 1] ?? 0) - last <= 2 * CONTEXT + 1)
      last = changed[++i] ?? last;
    i++;
    const start = Math.max(first - CONTEXT, position);
    const end = Math.min(last + CONTEXT + 1, edits.length);
    for (; position < start; position++) {
      const skipped = edits[position];
      if (skipped?.kind !== '+') oldLine++;
      if (skipped?.kind !== '-') newLine++;
    }
    lines.push(hunkHeader(edits, start, end, oldLine, newLine));
    for (; position < end; position++) {
      const edit = edits[position] ?? { kind: ' ', line: '' };
      lines.push(`${edit.kind}${edit.line}`);
      if (edit.kind !== '+') oldLine++;
      if (edit.kind !== '-') newLine++;
    }
  }
  return {
    lines,
    added: edits.filter((edit) => edit.kind === '+').length,
    removed: edits.filter((edit) => edit.kind === '-').length,
  };
}
