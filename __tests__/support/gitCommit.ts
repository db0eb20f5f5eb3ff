import { execFileSync } from 'node:child_process';

/**
 * Makes `dir` a git repository with everything in it committed once, as a checkout the action
 * builds from; returns the commit. `committerDate` fixes the commit time the image is dated by.
 */
export function commitDirectory(dir: string, committerDate?: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
        ...(committerDate ? { GIT_COMMITTER_DATE: committerDate } : {}),
      },
    }).trim();
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '--message', 'one commit');
  return git('rev-parse', 'HEAD');
}
