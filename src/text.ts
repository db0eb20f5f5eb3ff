/**
 * Characters no single line of text from outside may carry: C0 and C1 controls (CR, LF, NUL, ESC,
 * NEL...), DEL, and the Unicode line and paragraph separators. A line break would let a value start
 * a workflow command (`::add-mask::`) in a log line or reach AWS as two names; the others hide or
 * rewrite what a reader sees.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
