import { DeployError } from '../../src/errors';
import { readStackOutputs, type TerraformOutputs } from '../../src/terraform/outputs';

function outputs(appUrl: string): TerraformOutputs {
  const value = (v: unknown) => ({ value: v, sensitive: false });
  return {
    asg_name: value('web'),
    target_group_arn: value('arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/1'),
    launch_template_id: value('lt-0123'),
    launch_template_version: value(3),
    alb_dns_name: value('web-1.eu-west-1.elb.amazonaws.com'),
    app_url: value(appUrl),
  };
}

describe('readStackOutputs: app_url', () => {
  it.each([
    ['http://web-1.eu-west-1.elb.amazonaws.com', 'http://web-1.eu-west-1.elb.amazonaws.com'],
    ['https://shop.example.com/', 'https://shop.example.com'],
    ['https://shop.example.com:8443/app/', 'https://shop.example.com:8443/app'],
  ])('takes %j as %j', (value, expected) => {
    expect(readStackOutputs(outputs(value)).appUrl).toBe(expected);
  });

  it.each([
    'shop.example.com',
    'ftp://shop.example.com',
    'https://user:secret@shop.example.com',
    'https://shop.example.com/?next=//evil.example',
    'https://shop.example.com/#x',
    'https://shop.example.com:0',
    'javascript:alert(1)',
    'https://shop.example.com\n::warning::x',
  ])('refuses %j like the app-url input, naming the output and what it accepts', (value) => {
    let error: unknown;
    try {
      readStackOutputs(outputs(value));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeployError);
    expect((error as DeployError).reason).toBe('terraform-outputs-missing');
    expect((error as DeployError).message).toContain('app_url output is not a usable URL');
    expect((error as DeployError).message).toContain('expected an http:// or https:// URL');
  });
});
