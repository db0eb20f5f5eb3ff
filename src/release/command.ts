/**
 * What the SSM document runs on the chosen instance. Pure: it only builds text.
 *
 * The document calls the run-once script the bundled user-data writes on every host
 * (terraform/modules/web-tier/user_data.sh.tftpl): it starts a one-off container of the image with
 * exactly the options, environment file and secrets the app container gets, and stops that
 * container itself at its deadline or when the script is cancelled (the SSM agent's cancel kills
 * only the script's process group, never a container the Docker daemon runs).
 */

/** Where the user-data installs the run-once script (under /etc/app, root's, with the app's secrets). */
export const RUN_ONCE_PATH = '/etc/app/run-once';

/**
 * How long the document waits for the host's boot to have written the run-once script: on a
 * stack's first deploy the instance is InService (and reachable by SSM) while its user-data runs.
 */
export const BOOT_WAIT_SECONDS = 300;

/** The exit status the run-once script reports when it stopped the container at its deadline. */
export const RUN_ONCE_TIMED_OUT_STATUS = 124;

/**
 * SSM's own limit on the document: the boot wait and the command's budget, plus slack for the
 * container to stop and the image to start, so SSM only ends a run the script failed to bound.
 */
export function documentTimeoutSeconds(commandTimeoutSeconds: number): number {
  return BOOT_WAIT_SECONDS + commandTimeoutSeconds + 120;
}

/** One word for `sh`, quoted so nothing in it is expanded. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The lines AWS-RunShellScript runs: wait for the host's boot, then the run-once script. */
export function runOnceCommands(image: string, argv: readonly string[], timeoutSeconds: number): string[] {
  const script = shellQuote(RUN_ONCE_PATH);
  return [
    `waited=0; while [ ! -x ${script} ] && [ "$waited" -lt ${BOOT_WAIT_SECONDS} ]; do sleep 5; waited=$((waited + 5)); done`,
    ['exec', ...[RUN_ONCE_PATH, String(timeoutSeconds), image, ...argv].map(shellQuote)].join(' '),
  ];
}
