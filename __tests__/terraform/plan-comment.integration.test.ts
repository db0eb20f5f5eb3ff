/**
 * The plan comment for plans the real Terraform CLI makes (`terraform_data`, `moved`, `import`,
 * `removed`, `check`, sensitive values, base64 boot scripts): each configuration is applied, then
 * changed, then planned to a saved file exactly as the action does, and the comment is rendered from
 * what the terraform stage returns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommentMarker, renderPlanComment } from '../../src/comment';
import { runCommand, type CommandRunner } from '../../src/exec';
import { systemClock } from '../../src/clock';
import { createTerraform, type TerraformPlan } from '../../src/terraform';
import { createRecorder } from '../support/recorder';

const IMAGE = `registry.test/acme/web@sha256:${'1'.repeat(64)}`;
const NEXT_IMAGE = `registry.test/acme/web@sha256:${'2'.repeat(64)}`;

const directories: string[] = [];
let cliConfig: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'tf-comment-config-'));
  directories.push(dir);
  cliConfig = join(dir, 'terraformrc');
  writeFileSync(cliConfig, '');
});

afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

const quietRun: CommandRunner = (command, args, options = {}) =>
  runCommand(command, args, { ...options, silent: true });

/** A directory whose configuration the test replaces between plans, as a pull request does. */
async function stack(config: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tf-comment-'));
  directories.push(dir);
  writeFileSync(join(dir, 'main.tf'), config);
  const recorder = createRecorder();
  const terraform = createTerraform(
    {
      run: quietRun,
      log: recorder.log,
      clock: systemClock,
      env: { TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
    },
    { workingDirectory: dir, lockTimeout: '5s' },
  );
  await terraform.init({ backendConfig: {} });
  let plans = 0;
  const plan = (variables: Record<string, string> = {}) =>
    terraform.plan({ variables, varFiles: [], overrides: {}, planFile: join(dir, `plan-${++plans}.tfplan`) });
  return {
    recorder,
    terraform,
    plan,
    dir,
    rewrite: (next: string) => {
      writeFileSync(join(dir, 'main.tf'), next);
    },
    applyAll: async (variables: Record<string, string> = {}) => {
      const first = await plan(variables);
      await terraform.apply(first.planFile);
    },
  };
}

function comment(plan: TerraformPlan, secrets: string[] = []): string {
  return renderPlanComment({
    summary: plan.summary,
    planText: plan.planText,
    image: IMAGE,
    commit: 'a'.repeat(40),
    workingDirectory: 'terraform',
    runUrl: 'https://github.com/acme/web/actions/runs/1',
    secrets,
    review: plan.review,
    warnings: plan.warnings,
  });
}

function rowFor(body: string, address: string): string | undefined {
  return body.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${address}\``));
}

function headline(body: string): string {
  return body.split('\n').find((line) => line.includes('**Plan:') || line.includes('**No changes.**')) ?? '';
}

describe('plan comment from real Terraform plans', () => {
  it('item 1: a removed block with destroy = false is a forget: shown, counted, applied, not destroyed', async () => {
    const { plan, rewrite, applyAll, terraform } = await stack(
      'resource "terraform_data" "kept" { input = "k" }\nresource "terraform_data" "gone" { input = "g" }\n',
    );
    await applyAll();
    rewrite(
      'resource "terraform_data" "kept" { input = "k" }\nremoved {\n  from = terraform_data.gone\n  lifecycle {\n    destroy = false\n  }\n}\n',
    );
    const forget = await plan();
    expect(forget.summary).toMatchObject({ forget: 1, destroy: 0, hasChanges: true });
    const body = comment(forget);
    expect(headline(body)).toContain('0 to destroy, 0 to replace, 1 to forget.');
    expect(rowFor(body, 'terraform_data.gone')).toContain('`.` forget (stays, no longer managed)');
    expect(forget.warnings.join('\n')).toContain('Some objects will no longer be managed by Terraform');
    await terraform.apply(forget.planFile);
    expect((await plan()).summary.hasChanges).toBe(false);
  });

  it('item 2: an import-only plan is a change: shown, counted, fingerprinted, and applying it records the import', async () => {
    const { plan, terraform, recorder, rewrite } = await stack('resource "terraform_data" "x" {}\n');
    const empty = await stack('');
    const nothing = await empty.plan();
    rewrite('import {\n  to = terraform_data.x\n  id = "ext-123"\n}\nresource "terraform_data" "x" {}\n');
    // The state of this stack is empty, so the import is the only change.
    const imported = await plan();
    expect(imported.summary).toMatchObject({ import: 1, add: 0, change: 0, hasChanges: true });
    expect(imported.summary.resourceChanges).toEqual([
      { address: 'terraform_data.x', type: 'terraform_data', action: 'no-op', importId: 'ext-123' },
    ]);
    expect(imported.summary.fingerprint).not.toBe(nothing.summary.fingerprint);
    // -detailed-exitcode said 2 and the JSON agrees: no "disagree" warning.
    expect(recorder.text()).not.toContain('disagree');
    const body = comment(imported);
    expect(headline(body)).toContain('**Plan: 1 to import, 0 to add, 0 to change');
    expect(rowFor(body, 'terraform_data.x')).toContain('imported from ID `ext-123`');
    expect(parseCommentMarker(body)?.changes).toEqual(['=,import terraform_data.x']);
    await terraform.apply(imported.planFile);
    rewrite('resource "terraform_data" "x" {}\n');
    expect((await plan()).summary.hasChanges).toBe(false);
  });

  it('item 2: an import with an update shows both on one row and counts both', async () => {
    const { plan } = await stack(
      'import {\n  to = terraform_data.x\n  id = "ext-9"\n}\nresource "terraform_data" "x" {\n  input = "configured"\n}\n',
    );
    const both = await plan();
    expect(both.summary).toMatchObject({ import: 1, change: 1 });
    const row = rowFor(comment(both), 'terraform_data.x') ?? '';
    expect(row).toContain('`~` update in place + import');
    expect(row).toContain('imported from ID `ext-9`');
  });

  it('item 2: explicit moved blocks and implicit count moves are shown, counted and applied', async () => {
    const { plan, rewrite, applyAll, terraform } = await stack(
      'resource "terraform_data" "a" { input = "a" }\nresource "terraform_data" "b" {\n  count = 1\n  input = "b"\n}\n',
    );
    await applyAll();
    rewrite(
      'resource "terraform_data" "renamed" { input = "a" }\nmoved {\n  from = terraform_data.a\n  to   = terraform_data.renamed\n}\nresource "terraform_data" "b" { input = "b" }\n',
    );
    const moved = await plan();
    expect(moved.summary).toMatchObject({ move: 2, add: 0, destroy: 0, hasChanges: true });
    const body = comment(moved);
    expect(headline(body)).toContain('0 to replace, 2 to move.');
    expect(rowFor(body, 'terraform_data.renamed')).toContain('moved from `terraform_data.a`');
    expect(rowFor(body, 'terraform_data.b')).toContain('moved from `terraform_data.b[0]`');
    await terraform.apply(moved.planFile);
    expect((await plan()).summary.hasChanges).toBe(false);
  });

  it('item 3: create_before_destroy is +/-, the default delete-first is -/+, in the headline as in the text', async () => {
    const { plan, applyAll } = await stack(
      [
        'variable "generation" {\n  default = "1"\n}',
        'resource "terraform_data" "first" {\n  triggers_replace = [var.generation]\n  lifecycle {\n    create_before_destroy = true\n  }\n}',
        'resource "terraform_data" "second" {\n  triggers_replace = [var.generation]\n}',
      ].join('\n'),
    );
    await applyAll();
    const replace = await plan({ generation: '2' });
    expect(replace.summary.resourceChanges.map((change) => [change.address, change.action])).toEqual([
      ['terraform_data.first', 'replace-create-first'],
      ['terraform_data.second', 'replace'],
    ]);
    expect(replace.planText).toMatch(/\+\/- resource "terraform_data" "first"/);
    expect(replace.planText).toMatch(/-\/\+ resource "terraform_data" "second"/);
    const body = comment(replace);
    expect(headline(body)).toContain(
      '2 to replace (1 `+/-` create before destroy, 1 `-/+` destroy before create)',
    );
    expect(rowFor(body, 'terraform_data.first')).toContain('`+/-` replace, create first');
    expect(rowFor(body, 'terraform_data.second')).toContain('`-/+` replace, destroy first');
    expect(parseCommentMarker(body)?.changes).toEqual([
      '+/- terraform_data.first',
      '-/+ terraform_data.second',
    ]);
  });

  it('item 4: a sensitive before-value Terraform prints in its own text is scrubbed, as are prior-state and output values', async () => {
    const OLD = 'old-secret-value-1234';
    const SHORT = 'k9x';
    const { plan, rewrite, applyAll } = await stack(
      [
        `variable "secret" {\n  sensitive = true\n  default = "${OLD}"\n}`,
        `variable "pin" {\n  sensitive = true\n  default = "${SHORT}"\n}`,
        'resource "terraform_data" "s" { input = var.secret }',
        'resource "terraform_data" "t" { input = { a = var.secret, b = "plain", pin = var.pin } }',
        'output "pin" {\n  value = var.pin\n  sensitive = true\n}',
      ].join('\n'),
    );
    await applyAll();
    rewrite(
      [
        'variable "secret" {\n  default = "new-public-value-5678"\n}',
        'resource "terraform_data" "s" { input = var.secret }',
        'resource "terraform_data" "t" { input = { a = var.secret, b = "plain", pin = "changed" } }',
      ].join('\n'),
    );
    const changed = await plan();
    // Terraform itself prints the old value of the output attribute: that is the leak.
    expect(changed.planText).toContain(OLD);
    expect(changed.planText).toContain(`"${SHORT}"`);
    const body = comment(changed);
    expect(body).not.toContain(OLD);
    expect(body).not.toContain(`"${SHORT}"`);
    expect(body).toContain('"plain"');
  });

  it('item 6: a failing check block and Terraform’s warnings are shown, collapsed', async () => {
    const { plan, applyAll } = await stack(
      'resource "terraform_data" "b" { input = "b" }\ncheck "input_is_c" {\n  assert {\n    condition     = terraform_data.b.input == "c"\n    error_message = "input must be c"\n  }\n}\n',
    );
    await applyAll();
    const checked = await plan();
    expect(checked.summary.checks).toEqual([
      { address: 'check.input_is_c', status: 'fail', problems: ['input must be c'] },
    ]);
    expect(checked.warnings.join('\n')).toContain('Warning: Check block assertion failed');
    const body = comment(checked);
    expect(body).toContain('<details><summary>:warning: 1 check did not pass</summary>');
    expect(body).toContain('check.input_is_c: fail\n  input must be c');
    expect(body).toContain('<details><summary>:warning: 1 warning from Terraform</summary>');
    expect(body).toContain('Warning: Check block assertion failed');
  });

  it('release review: a base64 boot script is decoded on both sides and diffed line by line, secrets scrubbed', async () => {
    const template = [
      '#!/bin/bash',
      'set -euo pipefail',
      "printf 'DEBUG=%s\\n' '${debug}' >> /etc/app/app.env",
      "printf 'DB_PASSWORD=%s\\n' '${password}' >> /etc/app/app.env",
      "docker pull '${image}'",
      "docker run --detach '${image}'",
      '',
    ].join('\n');
    const config = [
      'variable "image" {}',
      'variable "debug" {\n  default = "false"\n}',
      'variable "password" {\n  default = "pw-never-shown-42"\n}',
      'resource "terraform_data" "web" {',
      '  input = {',
      '    user_data = base64encode(templatefile("${path.module}/boot.sh.tftpl", { image = var.image, debug = var.debug, password = var.password }))',
      '  }',
      '}',
      'output "image" {\n  value = var.image\n}',
    ].join('\n');
    const { plan, applyAll, dir } = await stack(config);
    writeFileSync(join(dir, 'boot.sh.tftpl'), template);
    await applyAll({ image: IMAGE });
    const release = await plan({ image: NEXT_IMAGE, debug: 'true' });
    expect(release.review.image).toEqual({ before: IMAGE, after: NEXT_IMAGE });
    const [change] = release.review.textChanges;
    expect(change).toMatchObject({
      address: 'terraform_data.web',
      attribute: 'input.user_data',
      encoding: 'base64',
    });
    const body = renderPlanComment({
      summary: release.summary,
      planText: release.planText,
      image: NEXT_IMAGE,
      imageTags: ['v2'],
      commit: 'b'.repeat(40),
      workingDirectory: 'terraform',
      runUrl: 'https://github.com/acme/web/actions/runs/2',
      secrets: ['pw-never-shown-42'],
      review: release.review,
      warnings: release.warnings,
    });
    expect(body).toContain(`- Image: \`${IMAGE}\` → \`${NEXT_IMAGE}\` (tags \`v2\`)`);
    const diff = body.slice(body.indexOf('```diff\n') + 8, body.indexOf('\n```', body.indexOf('```diff\n')));
    expect(diff.split('\n')).toEqual([
      '@@ -1,6 +1,6 @@',
      ' #!/bin/bash',
      ' set -euo pipefail',
      "-printf 'DEBUG=%s\\n' 'false' >> /etc/app/app.env",
      "+printf 'DEBUG=%s\\n' 'true' >> /etc/app/app.env",
      " printf 'DB_PASSWORD=%s\\n' '***' >> /etc/app/app.env",
      `-docker pull '${IMAGE}'`,
      `-docker run --detach '${IMAGE}'`,
      `+docker pull '${NEXT_IMAGE}'`,
      `+docker run --detach '${NEXT_IMAGE}'`,
    ]);
    expect(body).not.toContain('pw-never-shown-42');
  });
});
