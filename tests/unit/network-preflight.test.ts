import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../ecs/app';
import { readDeploySettings } from '../../ecs/deploy-settings';
import { egressProblems, type NetworkFacts } from '../../ecs/network-preflight';
import { EXAMPLE_SETTINGS } from '../../ecs/write-template';
import { tempDir } from '../support/temp-dir';

/**
 * The network check deploy.sh runs, on answers shaped as the AWS CLI prints them
 * (`aws ec2 describe-subnets`, `describe-route-tables`, `describe-security-groups`: the
 * documentation's example outputs, with our ids).
 */
const subnets = [
  { SubnetId: 'subnet-0123456789abcdef0', VpcId: 'vpc-a01106c2' },
  { SubnetId: 'subnet-0fedcba9876543210', VpcId: 'vpc-a01106c2' },
];
const mainTable = (gateway: Record<string, string>) => ({
  RouteTableId: 'rtb-22574640',
  VpcId: 'vpc-a01106c2',
  Associations: [{ RouteTableAssociationId: 'rtbassoc-2f11e14a', Main: true, RouteTableId: 'rtb-22574640' }],
  Routes: [
    { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
    { DestinationCidrBlock: '0.0.0.0/0', ...gateway, State: 'active', Origin: 'CreateRoute' },
  ],
});
const group = (egress: NetworkFacts['securityGroups'][number]['IpPermissionsEgress']) => ({ GroupId: 'sg-0123456789abcdef0', GroupName: 'soundlake', IpPermissionsEgress: egress });
const ALL_OUT = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }];
const settings = (egress: 'nat' | 'public-ip') => ({ subnetIds: subnets.map((s) => s.SubnetId), securityGroupIds: ['sg-0123456789abcdef0'], egress });

test('private subnets with a NAT and the default security group pass for egress nat, and fail for public-ip', () => {
  const facts = { subnets, routeTables: [mainTable({ NatGatewayId: 'nat-05dba92075d71c408' })], securityGroups: [group(ALL_OUT)] };
  expect(egressProblems(settings('nat'), facts)).toEqual([]);
  expect(egressProblems(settings('public-ip'), facts)).toEqual([
    expect.stringMatching(/subnet-0123456789abcdef0 \(route table rtb-22574640\) has no default route to an internet gateway.*routes to a NAT: use "egress": "nat"/),
    expect.stringMatching(/subnet-0fedcba9876543210/),
  ]);
});

test('a public subnet (default VPC, no NAT) with egress nat is named, with the setting that fits it', () => {
  const facts = { subnets, routeTables: [mainTable({ GatewayId: 'igw-c0a643a9' })], securityGroups: [group(ALL_OUT)] };
  expect(egressProblems(settings('public-ip'), facts)).toEqual([]);
  expect(egressProblems(settings('nat'), facts)[0]).toMatch(/has no default route to a NAT: it routes to an internet gateway, so it is public \(use "egress": "public-ip"\)/);
});

test("a subnet's own route table wins over the VPC's main one; no default route at all is named", () => {
  const own = { RouteTableId: 'rtb-own', VpcId: 'vpc-a01106c2', Associations: [{ SubnetId: 'subnet-0123456789abcdef0', Main: false }], Routes: [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }] };
  const facts = { subnets, routeTables: [own, mainTable({ NatGatewayId: 'nat-1' })], securityGroups: [group(ALL_OUT)] };
  expect(egressProblems(settings('nat'), facts)).toEqual([expect.stringMatching(/^subnet subnet-0123456789abcdef0 \(route table rtb-own\) has no default route to a NAT$/)]);
});

test('outbound 443 must be open to 0.0.0.0/0 in some security group (an S3 prefix list alone is not the internet)', () => {
  const facts = (egress: NetworkFacts['securityGroups'][number]['IpPermissionsEgress']) => ({ subnets, routeTables: [mainTable({ NatGatewayId: 'nat-1' })], securityGroups: [group(egress)] });
  expect(egressProblems(settings('nat'), facts([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]))).toEqual([]);
  expect(egressProblems(settings('nat'), facts([{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [] }]))).toEqual([
    'none of the security groups sg-0123456789abcdef0 allows outbound TCP 443 to 0.0.0.0/0',
  ]);
  expect(egressProblems(settings('nat'), facts([{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]))).toHaveLength(1);
});

test('egress is required and chooses whether tasks get a public IP', () => {
  const write = (change: (s: Record<string, unknown>) => void) => {
    const s = JSON.parse(fs.readFileSync(EXAMPLE_SETTINGS, 'utf8')) as Record<string, unknown>;
    change(s);
    const { dir } = tempDir('deploy-settings-');
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, JSON.stringify(s));
    return file;
  };
  expect(() => readDeploySettings(write((s) => delete s.egress))).toThrow(/egress: how tasks reach ECR, Secrets Manager, CloudWatch Logs, S3 and the internet on port 443: "nat" .* or "public-ip"/);
  // Every task launch (schedules and the backfill's RunTask) takes the same choice.
  const assign = (egress: string) =>
    new Set([...JSON.stringify(Template.fromStack(buildApp(write((s) => (s.egress = egress))).stack).toJSON()).matchAll(/AssignPublicIp\\*":\\*"(\w+)/g)].map((m) => m[1]));
  expect(assign('public-ip')).toEqual(new Set(['ENABLED']));
  expect(assign('nat')).toEqual(new Set(['DISABLED']));
});
