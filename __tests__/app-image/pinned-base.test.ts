/**
 * app/Dockerfile pulls its base by digest, not by a tag someone can move, and Dependabot keeps that
 * digest current. Dependabot reads literal FROM lines only (not an ARG's default), so the pinned
 * reference must be written out in one; the offline build (scripts/check-app.sh, the e2e suites)
 * passes PYTHON_IMAGE and never pulls it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');
const PINNED = /^[a-z0-9][a-z0-9._/-]*:[\w][\w.-]*@sha256:[0-9a-f]{64}$/;

interface Stage {
  from: string;
  name: string | undefined;
}

/** The FROM lines, with the global ARGs' defaults substituted as a build without --build-arg does. */
function stagesOf(dockerfile: string): { stages: Stage[]; literal: string[] } {
  const globals: Record<string, string> = {};
  const stages: Stage[] = [];
  const literal: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const arg = /^ARG\s+(\w+)=(\S+)/.exec(line);
    if (arg && stages.length === 0) globals[arg[1]!] = arg[2]!;
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    if (!from[1]!.includes('$')) literal.push(from[1]!);
    const image = from[1]!.replace(/\$\{?(\w+)\}?/g, (_, name: string) => globals[name] ?? '');
    stages.push({ from: image, name: from[2] });
  }
  return { stages, literal };
}

/** What a stage's FROM finally pulls: another stage's base, or the image it names. */
function baseImage(stages: Stage[], from: string): string {
  const stage = stages.find((candidate) => candidate.name === from);
  return stage ? baseImage(stages, stage.from) : from;
}

describe("app/Dockerfile's base image", () => {
  const { stages, literal } = stagesOf(readFileSync(join(ROOT, 'app/Dockerfile'), 'utf8'));

  it('is pinned by tag and digest in every stage a default build pulls', () => {
    expect(stages.length).toBeGreaterThan(1);
    for (const stage of stages) expect(baseImage(stages, stage.from)).toMatch(PINNED);
  });

  it('is written out in a literal FROM line, which is what Dependabot updates', () => {
    expect(literal.length).toBeGreaterThan(0);
    for (const image of literal) expect(image).toMatch(PINNED);
  });

  it('is kept current by a Dependabot docker entry for /app', () => {
    const config = parse(readFileSync(join(ROOT, '.github/dependabot.yml'), 'utf8')) as {
      updates: { 'package-ecosystem': string; directory?: string; directories?: string[] }[];
    };
    const docker = config.updates.filter((update) => update['package-ecosystem'] === 'docker');
    const directories = docker.flatMap((update) => [
      ...(update.directory ? [update.directory] : []),
      ...(update.directories ?? []),
    ]);
    expect(directories).toContain('/app');
  });
});
