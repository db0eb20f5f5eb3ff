/**
 * Properties of the bundled HCL that an apply cannot show, read with the real HCL parser
 * (@cdktf/hcl2json): what must never be there, and what must stay wired as the rollout expects.
 */
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Block = Record<string, unknown>;
type Resources = Record<string, Record<string, Block[]>>;

const STACK = join(__dirname, '../../terraform/modules/web-tier');
const resources: Resources = {};
const data: Resources = {};
let variables: Record<string, Block[]> = {};

beforeAll(async () => {
  for (const file of readdirSync(STACK).filter((name) => name.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(join(STACK, file), 'utf8'))) as {
      resource?: Resources;
      data?: Resources;
      variable?: Record<string, Block[]>;
    };
    for (const [type, byName] of Object.entries(parsed.resource ?? {}))
      resources[type] = { ...resources[type], ...byName };
    for (const [type, byName] of Object.entries(parsed.data ?? {})) data[type] = { ...data[type], ...byName };
    variables = { ...variables, ...parsed.variable };
  }
});

function only(type: string, name: string): Block {
  const block = resources[type]?.[name]?.[0];
  if (!block) throw new Error(`terraform/modules/web-tier declares no ${type}.${name}`);
  return block;
}

function first(block: Block, key: string): Block {
  return ((block[key] as Block[] | undefined) ?? [])[0] ?? {};
}

/** Every security group rule, whichever way it is written. */
function allRules(): Block[] {
  const standalone = Object.values(resources.aws_security_group_rule ?? {}).flat();
  const inline = Object.values(resources.aws_security_group ?? {})
    .flat()
    .flatMap((group) => [
      ...((group.ingress as Block[] | undefined) ?? []),
      ...((group.egress as Block[] | undefined) ?? []),
    ]);
  return [...standalone, ...inline];
}

describe('bundled Terraform, as written', () => {
  it('opens port 22 nowhere', () => {
    const rules = allRules();
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      const from = Number(rule.from_port);
      const to = Number(rule.to_port);
      expect({ rule, opensSsh: rule.protocol === '-1' || (from <= 22 && 22 <= to) }).toMatchObject({
        opensSsh: false,
      });
    }
  });

  it("lets traffic into the instances only from the load balancer's security group, on port 80", () => {
    const intoInstances = allRules().filter(
      (rule) => rule.type === 'ingress' && rule.security_group_id === '${aws_security_group.instances.id}',
    );
    expect(intoInstances).toEqual([
      expect.objectContaining({
        from_port: 80,
        to_port: 80,
        protocol: 'tcp',
        source_security_group_id: '${aws_security_group.alb.id}',
      }),
    ]);
    expect(intoInstances[0]).not.toHaveProperty('cidr_blocks');
    expect(only('aws_security_group', 'instances')).not.toHaveProperty('ingress');
  });

  it('puts an internet-facing load balancer in the public subnets and the group in the private ones', () => {
    expect(only('aws_lb', 'web')).toMatchObject({ internal: false, subnets: '${aws_subnet.public[*].id}' });
    expect(only('aws_autoscaling_group', 'web').vpc_zone_identifier).toBe('${aws_subnet.private[*].id}');
  });

  it('requires IMDSv2 with hop limit 1, so containers cannot reach the instance role', () => {
    expect(first(only('aws_launch_template', 'web'), 'metadata_options')).toMatchObject({
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
  });

  it('encrypts the gp3 root volume', () => {
    const disk = first(first(only('aws_launch_template', 'web'), 'block_device_mappings'), 'ebs');
    expect(disk).toMatchObject({ volume_type: 'gp3', encrypted: true });
  });

  it('resolves the AMI to a concrete id at plan time, never resolve:ssm:', () => {
    const template = only('aws_launch_template', 'web');
    expect(template.image_id).toBe('${data.aws_ssm_parameter.ami.insecure_value}');
    expect(JSON.stringify(resources)).not.toContain('resolve:ssm:');
    expect(data.aws_ssm_parameter?.ami).toBeDefined();
  });

  it('leaves desired capacity and the launch template version to scaling and the rollout', () => {
    const group = only('aws_autoscaling_group', 'web');
    expect(first(group, 'lifecycle').ignore_changes).toEqual([
      '${desired_capacity}',
      '${launch_template[0].version}',
    ]);
    expect(group).not.toHaveProperty('instance_refresh');
    expect(first(group, 'launch_template').version).toBe('${aws_launch_template.web.latest_version}');
    expect(group.health_check_type).toBe('ELB');
  });

  it('checks the health path the app answers before host validation', () => {
    const appPath = /^HEALTH_PATH = "([^"]+)"$/m.exec(
      readFileSync(join(__dirname, '../../app/web/middleware.py'), 'utf8'),
    )?.[1];
    expect(appPath).toBeDefined();
    expect(first(only('aws_lb_target_group', 'web'), 'health_check').path).toBe('${var.health_check_path}');
    expect(variables.health_check_path?.[0]?.default).toBe(appPath);
  });

  it('keeps secrets out of user data: the instance reads them from SSM at boot', () => {
    const template = readFileSync(join(STACK, 'user_data.sh.tftpl'), 'utf8');
    expect(template).toContain('aws ssm get-parameter');
    expect(template).not.toMatch(/SECRET_KEY=/);
    expect(template).toMatch(/docker pull '\$\{image\}'/);
    expect(template).toContain('--stop-timeout 30');
  });

  it('gives the app the database variables it reads, and the password file where the container mounts it', async () => {
    const parsed = (await parse('database.tf', readFileSync(join(STACK, 'database.tf'), 'utf8'))) as {
      locals?: Block[];
    };
    const environment = (parsed.locals ?? []).find((block) => 'database_environment' in block)
      ?.database_environment as string;
    const names = [...environment.matchAll(/(DATABASE_[A-Z_]+)\s*=/g)].map((match) => match[1]);
    const app = readFileSync(join(__dirname, '../../app/hadjango/database.py'), 'utf8');
    expect(names).toEqual([
      'DATABASE_HOST',
      'DATABASE_PORT',
      'DATABASE_NAME',
      'DATABASE_USER',
      'DATABASE_PASSWORD_FILE',
    ]);
    for (const name of names) expect({ name, read: app.includes(`"${name}"`) }).toEqual({ name, read: true });

    const passwordFile = /DATABASE_PASSWORD_FILE\s*=\s*"([^"]+)"/.exec(environment)?.[1] ?? '';
    const template = readFileSync(join(STACK, 'user_data.sh.tftpl'), 'utf8');
    const mount = /--volume (\S+):(\S+):ro/.exec(template);
    expect(mount).not.toBeNull();
    const [, hostDirectory, containerDirectory] = mount ?? [];
    expect(passwordFile).toBe(`${containerDirectory}/secret.json`);
    // The host writes that file atomically, in the directory it mounts.
    expect(template).toContain(`mv -f ${hostDirectory}/secret.json.new ${hostDirectory}/secret.json`);
  });
});
