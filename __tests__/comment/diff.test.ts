import { unifiedDiff } from '../../src/comment';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toEqual({ lines: [], added: 0, removed: 0 });
  });

  it('shows a one-line change in a long script as one hunk with three lines of context', () => {
    const before = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
    const after = [...before];
    after[19] = 'line 20 changed';
    expect(unifiedDiff(before.join('\n'), after.join('\n'))).toEqual({
      lines: [
        '@@ -17,7 +17,7 @@',
        ' line 17',
        ' line 18',
        ' line 19',
        '-line 20',
        '+line 20 changed',
        ' line 21',
        ' line 22',
        ' line 23',
      ],
      added: 1,
      removed: 1,
    });
  });

  it('splits distant changes into separate hunks and joins near ones', () => {
    const before = Array.from({ length: 30 }, (_, i) => `${i + 1}`);
    const after = before.filter((line) => line !== '2' && line !== '5' && line !== '28');
    const { lines } = unifiedDiff(before.join('\n'), after.join('\n'));
    expect(lines.filter((line) => line.startsWith('@@'))).toEqual(['@@ -1,8 +1,6 @@', '@@ -25,6 +23,5 @@']);
  });

  it('diffs against a missing side as all added or all removed', () => {
    expect(unifiedDiff(undefined, 'a\nb\n').lines).toEqual(['@@ -0,0 +1,2 @@', '+a', '+b']);
    expect(unifiedDiff('a\n', undefined).lines).toEqual(['@@ -1,1 +0,0 @@', '-a']);
  });

  it('finds the shortest edit script (as GNU diff counts it) on reordered lines', () => {
    const diff = unifiedDiff('a\nb\nc\na\nb\nb\na\n', 'c\nb\na\nb\na\nc\n');
    expect(diff.added + diff.removed).toBe(5);
  });
});
