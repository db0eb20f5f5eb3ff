/** A table cell: pipes escaped, one line, and < > as entities so `<project>` does not render as a tag. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ').trim();
}

/** A `### heading` and its table; `rows` are already rendered cells, one array per row. */
export function tableSection(heading: string, columns: string[], rows: string[][]): string[] {
  return [
    `### ${heading}`,
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** `document` with what lies between its two marker comments replaced by `generated`. */
export function withGeneratedSection(
  document: string,
  markers: { start: string; end: string },
  generated: string,
  documentName: string,
): string {
  const start = document.indexOf(markers.start);
  const end = document.indexOf(markers.end);
  if (start < 0 || end < start)
    throw new Error(`${documentName} lacks the ${markers.start} ... ${markers.end} markers`);
  return `${document.slice(0, start + markers.start.length)}\n${generated}\n${document.slice(end)}`;
}
