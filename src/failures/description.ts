/** What the catalogue says of each `failure-reason`. */
export interface FailureDescription {
  /** What happened, as the README's failure table says it. */
  readonly meaning: string;
  /** The next step, printed in the log when the error's own message names none. */
  readonly whatToDo: string;
  /** Whether the last app log lines of the failing instances are printed after the reason. */
  readonly showsAppLog: boolean;
}
