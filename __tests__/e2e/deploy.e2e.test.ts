/**
 * `deploy` and `plan` end to end through the committed bundle, `node dist/index.js`:
 * - the image: real docker (podman's Docker API) building app/, pushing to an authenticated
 *   registry on 127.0.0.1, the digest checked against the registry's own answer;
 * - Terraform: the real CLI and AWS provider applying the bundled stack as shipped, in place, into
 *   the emulated region, its state in that region's S3 with S3-native locking;
 * - the rollout: the instance refresh of the group Terraform created, until its targets are healthy;
 * - GitHub: the plan comment and the approved-plan check against a local REST stand-in.
 * It also reads the region back through the SDK (what the stack is) and destroys it at the end.
 * The region runs its live data plane: the instances boot the stack's real user-data and run the
 * built image, their health checks are real, and the smoke check reaches the app through the
 * load balancer (haproxy on a loopback address for the ALB's DNS name; time scale 5).
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { IAMClient, ListAttachedRolePoliciesCommand, ListInstanceProfilesCommand } from '@aws-sdk/client-iam';
import { spawnSync } from 'node:child_process';
import {
  DescribeLaunchTemplateVersionsCommand,
  DescribeNatGatewaysCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCommentMarker } from '../../src/comment';
import {
  registryDigest,
  startContainerRuntime,
  type ContainerRuntime,
} from '../../emulation/containerRuntime';
import { EMULATED_CREDENTIALS, startEmulatedRegion, type EmulatedRegion } from '../../emulation/region';
import {
  emulatedStackInputs,
  prepareEmulatedStack,
  terraformEnv,
  type EmulatedStack,
} from '../../emulation/stack';
import { startFakeGitHub, WORKFLOW_BOT } from '../support/fakeGitHub';
import { loginToRegistry } from '../../emulation/appReleases';
import { runAction, type ActionRun } from '../../emulation/runAction';
import type { FailureReason } from '../../src/failures';

const REPO_ROOT = resolve(__dirname, '../..');
const FIRST_COMMIT = randomBytes(20).toString('hex');
const SECOND_COMMIT = randomBytes(20).toString('hex');

let runtime: ContainerRuntime;
let region: EmulatedRegion;
let stack: EmulatedStack;
let workDir: string;
let repository: string;
let tfEnv: Record<string, string>;

beforeAll(async () => {
  runtime = await startContainerRuntime();
  workDir = mkdtempSync(join(tmpdir(), 'deploy-e2e-'));
  // The instances' own registry login: the action logs out of its own when it is done.
  const instancesDockerConfig = join(workDir, 'instances-docker-config');
  loginToRegistry(runtime, instancesDockerConfig);
  region = await startEmulatedRegion({
    timeScale: 5,
    dataPlane: { dockerHost: runtime.dockerHost, dockerConfig: instancesDockerConfig },
  });
  stack = await prepareEmulatedStack(region);
  tfEnv = terraformEnv();
  repository = `${runtime.registry}/e2e/web-${randomBytes(4).toString('hex')}`;
}, 600_000);

afterAll(async () => {
  await region.stop();
  stack.removeInPlaceInit();
  rmSync(workDir, { recursive: true, force: true });
});

function baseInputs(extra: Record<string, string>): Record<string, string> {
  return {
    ...emulatedStackInputs(stack, region),
    'instance-warmup': '30',
    'poll-interval-seconds': '0.5',
    'wait-timeout-minutes': '5',
    'comment-on-pr': 'false',
    ...extra,
  };
}

function actionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...tfEnv,
    ...region.resolverEnv,
    DOCKER_HOST: runtime.dockerHost,
    DOCKER_CONFIG: join(workDir, 'docker-config'),
    // The registry's certificate is self-signed: trusted for this run only, as a runner would be told.
    NODE_EXTRA_CA_CERTS: runtime.caFile,
    GITHUB_WORKSPACE: REPO_ROOT,
    GITHUB_REPOSITORY: 'acme/web',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '42',
    RUNNER_TEMP: workDir,
    ...extra,
  };
}

/** On failure, shows the action's log, which says why: a bare exit code would not. */
/** A failure with the wrong reason shows the run's log, so a flaky cause can be read from CI. */
function expectFailureReason(run: ActionRun, reason: FailureReason): void {
  const actual = { exitCode: run.exitCode, reason: run.outputs['failure-reason'] };
  expect({ ...actual, log: actual.reason === reason ? '' : run.stdout }).toEqual({
    exitCode: 1,
    reason,
    log: '',
  });
}

function expectSuccess(run: ActionRun): void {
  expect({ exitCode: run.exitCode, log: run.exitCode === 0 ? '' : run.stdout }).toEqual({
    exitCode: 0,
    log: '',
  });
}

async function deploy(inputs: Record<string, string>, commit = FIRST_COMMIT): Promise<ActionRun> {
  return runAction(baseInputs({ command: 'deploy', ...inputs }), actionEnv({ GITHUB_SHA: commit }));
}

async function groupState() {
  const autoScaling = new AutoScalingClient(region.clientConfig);
  const group = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups?.[0];
  return {
    name: group?.AutoScalingGroupName,
    version: group?.LaunchTemplate?.Version,
    // In service only: an instance a refresh replaced stays listed as Terminating while it drains.
    instanceVersions: (group?.Instances ?? [])
      .filter((instance) => instance.LifecycleState === 'InService')
      .map((instance) => instance.LaunchTemplate?.Version),
    templateId: group?.LaunchTemplate?.LaunchTemplateId,
  };
}

async function userDataOf(templateId: string, version: string): Promise<string> {
  const ec2 = new EC2Client(region.clientConfig);
  const versions = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: [version] }),
  );
  return Buffer.from(
    versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData ?? '',
    'base64',
  ).toString();
}

/**
 * The local registry is private, like most teams' DockerHub repositories: pulls need the login too.
 * The credentials go with the repository they belong to: the action sends them nowhere else.
 */
const registryLogin = () => ({
  'image-repository': repository,
  'dockerhub-username': runtime.username,
  'dockerhub-token': runtime.password,
});

const buildInputs = () => ({
  ...registryLogin(),
  'build-args': `PYTHON_IMAGE=${runtime.baseImage}`,
});

/** The second build's image (by digest): the release a later pull request plans again. */
let secondImage = '';

describe('deploy end to end', () => {
  let firstImage: string;

  it('builds and pushes the app, applies the bundled stack, rolls the group and waits for healthy targets', async () => {
    const run = await deploy(buildInputs());

    expectSuccess(run);
    firstImage = run.outputs.image ?? '';
    const digest = run.outputs['image-digest'] ?? '';
    expect(firstImage).toBe(`${repository}@${digest}`);
    expect(registryDigest(runtime, repository.split('/').slice(1).join('/'), FIRST_COMMIT)).toBe(digest);
    expect(run.outputs['plan-has-changes']).toBe('true');
    expect(JSON.parse(run.outputs['plan-summary'] ?? '{}')).toMatchObject({ add: 50, change: 0, destroy: 0 });
    expect(run.outputs['alb-dns-name']).toMatch(/^demo-test-alb-.*elb\.amazonaws\.com$/);
    expect(run.outputs['app-url']).toBe(`http://${run.outputs['alb-dns-name']}`);
    expect(run.outputs['healthy-targets']).toBe('2');
    // The runner hides a secret everywhere once ::add-mask:: registers it; nothing else may print it.
    expect(run.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(runtime.password);
    expect(run.stdout).toMatch(/terraform apply: applied/);
    expect(run.summary).toContain('### Deploy');

    // Terraform created the group on version 1 already running this image: nothing to refresh.
    const state = await groupState();
    expect(run.outputs['refresh-status']).toBe('NotNeeded');
    expect(state.version).toBe(run.outputs['launch-template-version']);
    expect(await userDataOf(state.templateId ?? '', state.version ?? '')).toContain(
      `docker pull '${firstImage}'`,
    );
  }, 600_000);

  it('left the region holding the HA web tier the bundled Terraform describes', async () => {
    const ec2 = new EC2Client(region.clientConfig);
    const elbv2 = new ElasticLoadBalancingV2Client(region.clientConfig);
    const autoScaling = new AutoScalingClient(region.clientConfig);
    const vpcs =
      (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Project', Values: ['demo'] }] })))
        .Vpcs ?? [];
    expect(vpcs).toHaveLength(1);
    const vpcId = vpcs[0]?.VpcId ?? '';
    const subnets =
      (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })))
        .Subnets ?? [];
    const tier = (name: string) =>
      subnets.filter((subnet) => subnet.Tags?.some((tag) => tag.Key === 'Tier' && tag.Value === name));
    expect(new Set(tier('public').map((subnet) => subnet.AvailabilityZone)).size).toBe(2);
    expect(new Set(tier('private').map((subnet) => subnet.AvailabilityZone)).size).toBe(2);
    const nats =
      (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] })))
        .NatGateways ?? [];
    expect(nats.map((nat) => nat.SubnetId).sort()).toEqual(
      tier('public')
        .map((subnet) => subnet.SubnetId)
        .sort(),
    );

    const loadBalancer = (await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['demo-test-alb'] })))
      .LoadBalancers?.[0];
    // moto leaves Scheme out of its answer; the HCL test pins internal = false instead.
    expect(loadBalancer?.Type).toBe('application');
    expect((loadBalancer?.AvailabilityZones ?? []).map((zone) => zone.SubnetId).sort()).toEqual(
      tier('public')
        .map((subnet) => subnet.SubnetId)
        .sort(),
    );
    const targetGroup = (await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['demo-test-web'] })))
      .TargetGroups?.[0];
    expect(targetGroup).toMatchObject({
      HealthCheckPath: '/health/',
      Matcher: { HttpCode: '200' },
      HealthCheckIntervalSeconds: 10,
      HealthyThresholdCount: 2,
    });
    const attributes =
      (
        await elbv2.send(
          new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroup?.TargetGroupArn }),
        )
      ).Attributes ?? [];
    expect(attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });
    const listeners =
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancer?.LoadBalancerArn })))
        .Listeners ?? [];
    expect(
      listeners.map((listener) => [listener.Port, listener.DefaultActions?.[0]?.TargetGroupArn]),
    ).toEqual([[80, targetGroup?.TargetGroupArn]]);

    const group = (
      await autoScaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-test-web'] }),
      )
    ).AutoScalingGroups?.[0];
    expect(group).toMatchObject({
      // The emulated stack raises the bundled minimum of 1 (see emulatedStack.ts for why).
      MinSize: Number(stack.variables.min_size),
      DesiredCapacity: 2,
      MaxSize: 5,
      HealthCheckType: 'ELB',
      TargetGroupARNs: [targetGroup?.TargetGroupArn],
    });
    expect((group?.VPCZoneIdentifier ?? '').split(',').sort()).toEqual(
      tier('private')
        .map((subnet) => subnet.SubnetId)
        .sort(),
    );
    const policies =
      (await autoScaling.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'demo-test-web' })))
        .ScalingPolicies ?? [];
    expect(
      policies.map((policy) => [policy.PolicyType, policy.TargetTrackingConfiguration?.TargetValue]),
    ).toEqual([['TargetTrackingScaling', 70]]);

    const groups =
      (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })))
        .SecurityGroups ?? [];
    const albGroup = groups.find((sg) => sg.GroupName?.startsWith('demo-test-alb-'));
    const webGroup = groups.find((sg) => sg.GroupName?.startsWith('demo-test-web-'));
    expect(webGroup?.IpPermissions).toEqual([
      expect.objectContaining({
        FromPort: 80,
        ToPort: 80,
        IpRanges: [],
        UserIdGroupPairs: [expect.objectContaining({ GroupId: albGroup?.GroupId })],
      }),
    ]);
    expect(
      groups
        .flatMap((sg) => sg.IpPermissions ?? [])
        .some((rule) => (rule.FromPort ?? 0) <= 22 && 22 <= (rule.ToPort ?? 0)),
    ).toBe(false);

    const iam = new IAMClient(region.clientConfig);
    const profiles = (await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? [];
    const role = profiles.find((profile) => profile.InstanceProfileName?.startsWith('demo-test-web-'))
      ?.Roles?.[0];
    const attached =
      (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role?.RoleName }))).AttachedPolicies ??
      [];
    expect(attached.map((policy) => policy.PolicyName)).toEqual(['AmazonSSMManagedInstanceCore']);

    const cloudwatch = new CloudWatchClient(region.clientConfig);
    const alarms =
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'demo-test-' }))).MetricAlarms ??
      [];
    expect(alarms.map((alarm) => alarm.AlarmName).sort()).toEqual([
      'demo-test-alb-5xx',
      'demo-test-cpu-high',
      'demo-test-unhealthy-hosts',
      // The release alarms a refresh watches (rollback-alarms' default for deploy).
      'demo-test-web-release-5xx-share',
      'demo-test-web-release-p95-latency',
      'demo-test-web-release-unhealthy-hosts',
    ]);
  });

  it('kept the state in the S3 backend and released its lock', async () => {
    const { client: s3, bucket, key } = stack.stateStore;
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const state = JSON.parse((await stored.Body?.transformToString()) ?? '{}') as {
      resources?: { type: string }[];
    };
    expect(stored.ServerSideEncryption).toBe('AES256');
    expect(state.resources?.map((resource) => resource.type)).toContain('aws_autoscaling_group');
    const objects = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [];
    expect(objects.map((object) => object.Key)).toEqual([key]);
  });

  it('redeploys the same image with no changes and no refresh', async () => {
    const run = await deploy({ image: firstImage, ...registryLogin() });

    expectSuccess(run);
    expect(run.outputs['plan-has-changes']).toBe('false');
    expect(run.outputs['refresh-status']).toBe('NotNeeded');
    expect(run.stdout).toContain('Terraform: no changes to apply.');
  }, 300_000);

  it('deploys a new build as a new launch template version through an instance refresh', async () => {
    const run = await deploy(buildInputs(), SECOND_COMMIT);

    expectSuccess(run);
    secondImage = run.outputs.image ?? '';
    expect(run.outputs.image).not.toBe(firstImage);
    expect(JSON.parse(run.outputs['plan-summary'] ?? '{}')).toMatchObject({
      add: 0,
      change: 1,
      destroy: 0,
      replace: 0,
    });
    expect(run.outputs['refresh-status']).toBe('Successful');
    const state = await groupState();
    expect(state.version).toBe('2');
    expect(state.instanceVersions).toEqual(['2', '2']);
    expect(await userDataOf(state.templateId ?? '', '2')).toContain(
      `docker pull '${run.outputs.image ?? ''}'`,
    );
  }, 600_000);

  it('rolls back to the first image by tag: resolved to its digest, nothing built', async () => {
    const run = await deploy({ image: `${repository}:${FIRST_COMMIT}`, ...registryLogin() });

    expectSuccess(run);
    expect(run.outputs.image).toBe(firstImage);
    expect(run.stdout).not.toMatch(/docker build|Image: build and push/);
    expect(run.outputs['refresh-status']).toBe('Successful');
    const state = await groupState();
    expect(state.instanceVersions).toEqual(['3', '3']);
    expect(await userDataOf(state.templateId ?? '', '3')).toContain(`docker pull '${firstImage}'`);
  }, 600_000);

  it('plans a pull request against the deployed image and comments once; a deploy of its merge checks that plan', async () => {
    const github = await startFakeGitHub({
      owner: 'acme',
      repo: 'web',
      tokens: { ghs_e2e: { user: WORKFLOW_BOT, installation: true } },
    });
    try {
      const headSha = randomBytes(20).toString('hex');
      const mergeSha = randomBytes(20).toString('hex');
      const event = join(workDir, 'event.json');
      writeFileSync(event, JSON.stringify({ pull_request: { number: 7, head: { sha: headSha } } }));
      const gitHubEnv = { GITHUB_API_URL: github.baseUrl, GITHUB_SHA: mergeSha };
      const withCpuTarget = (target: number) => ({
        'github-token': 'ghs_e2e',
        'terraform-vars': `${baseInputs({})['terraform-vars'] ?? ''}\ncpu_target=${target}`,
      });
      const planInputs = baseInputs({ command: 'plan', 'comment-on-pr': 'true', ...withCpuTarget(60) });
      const prEnv = actionEnv({ ...gitHubEnv, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event });
      const first = await runAction(planInputs, prEnv);
      const second = await runAction(planInputs, prEnv);

      expectSuccess(first);
      expectSuccess(second);
      expect(first.outputs.image).toBe(firstImage);
      expect(first.outputs['plan-has-changes']).toBe('true');
      expect(github.comments).toHaveLength(1);
      const body = github.comments[0]?.body ?? '';
      expect(parseCommentMarker(body)?.image).toBe(firstImage);
      expect(body).toContain('aws_autoscaling_policy.cpu');
      expect(second.stdout).toContain('Plan comment updated on pull request #7');

      github.setPullsForCommit(mergeSha, [
        { number: 7, merged_at: '2026-11-24T10:00:00Z', merge_commit_sha: mergeSha, head_sha: headSha },
      ]);
      const pushEnv = actionEnv({ ...gitHubEnv, GITHUB_EVENT_NAME: 'push' });
      const approvedInputs = {
        command: 'deploy',
        image: firstImage,
        'require-approved-plan': 'true',
        // The deploy records its outcome in the plan comment of the merged pull request.
        'comment-on-pr': 'true',
        ...registryLogin(),
      };
      const approved = await runAction(baseInputs({ ...approvedInputs, ...withCpuTarget(60) }), pushEnv);
      expectSuccess(approved);
      expect(approved.stdout).toContain('The plan matches the one approved on pull request #7');

      // The deploy wrote its outcome into the plan comment it applied.
      expect(github.comments[0]?.body).toContain(`:white_check_mark: **Applied** at commit ${mergeSha}`);

      const drifted = await runAction(baseInputs({ ...approvedInputs, ...withCpuTarget(50) }), pushEnv);
      expectFailureReason(drifted, 'plan-changed');
      expect(drifted.stdout).toContain('differs from the one approved on pull request #7');
      expect(github.comments[0]?.body).toContain(':x: **Not applied**');
      expect(github.comments[0]?.body).toContain('Failure reason: `plan-changed`');
      expect(github.comments[0]?.body).not.toContain('**Applied**');

      // A release: the bundled stack's plan of the second build against the deployed first one.
      const releaseEvent = join(workDir, 'release-event.json');
      writeFileSync(releaseEvent, JSON.stringify({ pull_request: { number: 8, head: { sha: headSha } } }));
      const release = await runAction(
        baseInputs({
          command: 'plan',
          'comment-on-pr': 'true',
          image: secondImage,
          ...registryLogin(),
          ...withCpuTarget(60),
        }),
        actionEnv({ ...gitHubEnv, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: releaseEvent }),
      );
      expectSuccess(release);
      const releaseBody = github.comments.find((comment) => comment.issueNumber === 8)?.body ?? '';
      if (process.env.RELEASE_COMMENT_OUT) writeFileSync(process.env.RELEASE_COMMENT_OUT, releaseBody);
      expect(releaseBody).toContain(`- Image: \`${firstImage}\` → \`${secondImage}\``);
      expect(releaseBody).toContain(
        // A <summary> line is HTML, where backticks protect nothing: names are entity-escaped <code>.
        '<code>user_data</code> of <code>module.web_tier.aws_launch_template.web</code> (base64-decoded)',
      );
      expect(releaseBody).toContain(
        `\n-  docker pull '${firstImage}' && break\n+  docker pull '${secondImage}' && break\n`,
      );
      expect(releaseBody).not.toContain(runtime.password);
    } finally {
      await github.close();
    }
  }, 600_000);

  it('stops before planning while another run holds the state lock in S3, naming it and how to release it', async () => {
    const { client: s3, bucket, key } = stack.stateStore;
    const lockId = '9f0c3a57-1d2e-4b6a-8c7d-0e1f2a3b4c5d';
    // What Terraform itself writes when it takes the lock (a conditional put, which moto enforces).
    const lockInfo = {
      ID: lockId,
      Operation: 'OperationTypeApply',
      Info: '',
      Who: 'runner@deploy-41',
      Version: '1.11.4',
      Created: '2026-11-28T02:00:00Z',
      Path: `${bucket}/${key}`,
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${key}.tflock`,
        Body: JSON.stringify(lockInfo),
        IfNoneMatch: '*',
      }),
    );
    const before = await groupState();
    try {
      const run = await deploy({ image: firstImage, 'lock-timeout': '2s', ...registryLogin() });

      expectFailureReason(run, 'state-locked');
      expect(run.stdout).toContain(`held by runner@deploy-41`);
      expect(run.stdout).toContain(`terraform force-unlock ${lockId}`);
      expect(run.stdout).not.toContain('Terraform: apply');
      expect(await groupState()).toEqual(before);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${key}.tflock` }));
    }
  }, 300_000);

  it('destroys the whole stack with the same Terraform, leaving nothing behind', async () => {
    const environment = {
      ...process.env,
      ...tfEnv,
      AWS_ENDPOINT_URL: region.endpoint,
      AWS_REGION: region.region,
      AWS_ACCESS_KEY_ID: EMULATED_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATED_CREDENTIALS.secretAccessKey,
    };
    const variables = Object.entries({ ...stack.variables, image: firstImage }).flatMap(([name, value]) => [
      '-var',
      `${name}=${value}`,
    ]);
    const destroyed = spawnSync(
      'terraform',
      ['destroy', '-auto-approve', '-input=false', '-no-color', ...variables],
      { cwd: stack.dir, env: environment, encoding: 'utf8' },
    );
    expect({ status: destroyed.status, stderr: destroyed.stderr }).toEqual({ status: 0, stderr: '' });
    expect(destroyed.stdout).toMatch(/Destroy complete! Resources: 5\d destroyed\./);
    const ec2 = new EC2Client(region.clientConfig);
    const vpcs =
      (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Project', Values: ['demo'] }] })))
        .Vpcs ?? [];
    expect(vpcs).toEqual([]);
    const autoScaling = new AutoScalingClient(region.clientConfig);
    expect((await autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups).toEqual([]);
  }, 600_000);
});
