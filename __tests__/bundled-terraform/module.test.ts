/**
 * The web tier as a module: callable (no provider or backend of its own), its README tables
 * generated from its code, and the action's bundled root a faithful pass-through of it.
 * Read with the real HCL parser (@cdktf/hcl2json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUNDLED_ROOT_DIR,
  MODULE_DIR,
  expression,
  moduleReadmeWithTables,
  readTerraformConfig,
  renderModuleTables,
  type TerraformConfig,
} from '../../scripts/lib/terraformDocs';
import { readDeployedImage, readStackOutputs } from '../../src/terraform/outputs';

let webTier: TerraformConfig;
let root: TerraformConfig;
let example: TerraformConfig;

beforeAll(async () => {
  [webTier, root, example] = await Promise.all([
    readTerraformConfig(MODULE_DIR),
    readTerraformConfig(BUNDLED_ROOT_DIR),
    readTerraformConfig(join(__dirname, '../../examples/terraform-module')),
  ]);
});

function requiredVersion(config: TerraformConfig): string | undefined {
  return config.settings.map((block) => block.required_version as string | undefined).find(Boolean);
}

function awsConstraint(config: TerraformConfig): string | undefined {
  const providers = config.settings.flatMap(
    (block) => (block.required_providers as Record<string, { version?: string }>[] | undefined) ?? [],
  );
  return providers.map((entry) => entry.aws?.version).find(Boolean);
}

describe('terraform/modules/web-tier', () => {
  it('has no provider or backend block, so callers can for_each it on their own provider', () => {
    expect(webTier.providers).toEqual([]);
    expect(webTier.settings.filter((block) => 'backend' in block)).toEqual([]);
    expect(webTier.variables).not.toHaveProperty('aws_region');
  });

  it('requires Terraform 1.11 and the provider range the suite tests', () => {
    for (const config of [webTier, root, example]) {
      expect(requiredVersion(config)).toBe('>= 1.11');
      expect(awsConstraint(config)).toBe('>= 5.100, < 6.0');
    }
  });

  it('gives every variable a description, and every defaulted one nullable = false', () => {
    for (const [name, variable] of Object.entries(webTier.variables)) {
      expect({ name, described: (variable.description ?? '').length > 10 }).toEqual({
        name,
        described: true,
      });
      // A null from a pass-through caller must fall back to the default, not override it.
      const defaultsToValue = 'default' in variable && variable.default !== null;
      if (defaultsToValue || !('default' in variable))
        expect({ name, nullable: variable.nullable }).toEqual({ name, nullable: false });
    }
    for (const [name, output] of Object.entries(webTier.outputs))
      expect({ name, described: (output.description ?? '').length > 10 }).toEqual({ name, described: true });
  });

  it('matches the README tables', () => {
    const readme = readFileSync(join(MODULE_DIR, 'README.md'), 'utf8');
    expect(readme).toBe(moduleReadmeWithTables(readme, renderModuleTables(webTier)));
  });

  it.each(['single_nat_gateway', 'certificate_arn', 'app_domain'])(
    'documents %s beyond its table row',
    (name) => {
      const prose =
        readFileSync(join(MODULE_DIR, 'README.md'), 'utf8').split('<!-- module-tables:start')[0] ?? '';
      expect(prose).toContain(`\`${name}`);
    },
  );
});

describe('terraform/ (the action bundled root)', () => {
  it('keeps the provider and the S3 backend, and calls the module', () => {
    expect(root.providers).toEqual(['aws']);
    expect(root.settings.some((block) => JSON.stringify(block.backend ?? '').includes('"s3"'))).toBe(true);
    expect(root.modules.web_tier?.source).toBe('./modules/web-tier');
  });

  it('declares every module variable with the same type, defaulting to null, and passes it through', () => {
    const call = root.modules.web_tier ?? {};
    for (const [name, variable] of Object.entries(webTier.variables)) {
      const rootVariable = root.variables[name];
      expect({ name, type: expression(rootVariable?.type) }).toEqual({
        name,
        type: expression(variable.type),
      });
      if ('default' in variable)
        expect({ name, default: rootVariable?.default }).toEqual({ name, default: null });
      expect({ name, passed: call[name] }).toEqual({ name, passed: `\${var.${name}}` });
    }
    expect(Object.keys(root.variables).sort()).toEqual(
      [...Object.keys(webTier.variables), 'aws_region'].sort(),
    );
  });

  it('passes every module output through, including the ones the action reads', () => {
    // The outputs the action's readers check by form: a version number, and a usable base URL.
    const OUTPUT_VALUES: Record<string, unknown> = {
      launch_template_version: 3,
      app_url: 'http://app-url.example',
    };
    expect(Object.keys(root.outputs).sort()).toEqual(Object.keys(webTier.outputs).sort());
    for (const name of Object.keys(webTier.outputs))
      expect({ name, value: root.outputs[name]?.value }).toEqual({
        name,
        value: `\${module.web_tier.${name}}`,
      });
    // What the action's own readers accept, given outputs with exactly the root's names.
    const outputs = Object.fromEntries(
      Object.keys(root.outputs).map((name) => [
        name,
        { value: OUTPUT_VALUES[name] ?? `${name}-value`, sensitive: false },
      ]),
    );
    expect(readStackOutputs(outputs)).toMatchObject({ asgName: 'asg_name-value', launchTemplateVersion: 3 });
    expect(readDeployedImage(outputs)).toBe('image-value');
  });
});

describe('examples/terraform-module', () => {
  it('calls the module with for_each on its own provider', () => {
    expect(example.providers).toEqual(['aws']);
    const call = Object.values(example.modules)[0] ?? {};
    expect(call.source).toBe('../../terraform/modules/web-tier');
    expect(call).toHaveProperty('for_each');
  });
});
