import { execFileSync } from 'node:child_process';
import { readDeploySettings, type DeploySettings } from './deploy-settings';

/**
 * Before a deploy: can the tasks reach what they need on port 443 the way the settings say
 * (`egress`)? A Fargate task pulls its image from ECR, reads its secrets, writes CloudWatch Logs
 * and S3, and the Spotify and DistroKid jobs call the internet; a task that cannot stops with
 * "ResourceInitializationError" before soundlake prints anything. Checked from the AWS CLI's own
 * answers (describe-subnets, describe-route-tables, describe-security-groups):
 * - each subnet's route table (its own association, else the VPC's main table) sends 0.0.0.0/0 to a
 *   NAT (`egress: nat`) or to an internet gateway (`egress: public-ip`);
 * - some security group of the task allows outbound TCP 443 to 0.0.0.0/0.
 */
interface Route {
  DestinationCidrBlock?: string;
  GatewayId?: string;
  NatGatewayId?: string;
  InstanceId?: string;
  NetworkInterfaceId?: string;
  TransitGatewayId?: string;
}
export interface NetworkFacts {
  subnets: { SubnetId: string; VpcId: string }[];
  routeTables: { RouteTableId: string; VpcId: string; Associations?: { SubnetId?: string; Main?: boolean }[]; Routes?: Route[] }[];
  securityGroups: { GroupId: string; IpPermissionsEgress?: { IpProtocol: string; FromPort?: number; ToPort?: number; IpRanges?: { CidrIp?: string }[] }[] }[];
}

export function egressProblems(s: Pick<DeploySettings, 'subnetIds' | 'securityGroupIds' | 'egress'>, facts: NetworkFacts): string[] {
  const problems: string[] = [];
  for (const subnetId of s.subnetIds) {
    const subnet = facts.subnets.find((x) => x.SubnetId === subnetId);
    if (!subnet) {
      problems.push(`subnet ${subnetId} was not found in this account and region`);
      continue;
    }
    const table =
      facts.routeTables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ??
      facts.routeTables.find((t) => t.VpcId === subnet.VpcId && t.Associations?.some((a) => a.Main));
    const route = table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
    const viaInternetGateway = Boolean(route?.GatewayId?.startsWith('igw-'));
    const viaNat = Boolean(route && (route.NatGatewayId || route.InstanceId || route.NetworkInterfaceId || route.TransitGatewayId));
    if (s.egress === 'nat' && !viaNat) {
      problems.push(
        `subnet ${subnetId} (route table ${table?.RouteTableId ?? 'none'}) has no default route to a NAT${viaInternetGateway ? ': it routes to an internet gateway, so it is public (use "egress": "public-ip")' : ''}`,
      );
    }
    if (s.egress === 'public-ip' && !viaInternetGateway) {
      problems.push(`subnet ${subnetId} (route table ${table?.RouteTableId ?? 'none'}) has no default route to an internet gateway, so a public IP gives the task no way out${viaNat ? ' (it routes to a NAT: use "egress": "nat")' : ''}`);
    }
  }
  const allows443 = facts.securityGroups
    .filter((g) => s.securityGroupIds.includes(g.GroupId))
    .some((g) =>
      (g.IpPermissionsEgress ?? []).some(
        (p) => (p.IpProtocol === '-1' || (p.IpProtocol === 'tcp' && (p.FromPort ?? 0) <= 443 && (p.ToPort ?? 65535) >= 443)) && (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0'),
      ),
    );
  if (!allows443) problems.push(`none of the security groups ${s.securityGroupIds.join(', ')} allows outbound TCP 443 to 0.0.0.0/0`);
  return problems;
}

function aws(region: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync('aws', ['--region', region, '--output', 'json', ...args], { encoding: 'utf8' }));
}

if (require.main === module) {
  const file = process.argv[2];
  const s = readDeploySettings(file);
  const subnets = (aws(s.region, 'ec2', 'describe-subnets', '--subnet-ids', ...s.subnetIds) as { Subnets: NetworkFacts['subnets'] }).Subnets;
  const vpcs = [...new Set(subnets.map((x) => x.VpcId))];
  const facts: NetworkFacts = {
    subnets,
    routeTables: (aws(s.region, 'ec2', 'describe-route-tables', '--filters', `Name=vpc-id,Values=${vpcs.join(',')}`) as { RouteTables: NetworkFacts['routeTables'] }).RouteTables,
    securityGroups: (aws(s.region, 'ec2', 'describe-security-groups', '--group-ids', ...s.securityGroupIds) as { SecurityGroups: NetworkFacts['securityGroups'] }).SecurityGroups,
  };
  const problems = egressProblems(s, facts);
  if (problems.length > 0) {
    console.error(`${file}: the network cannot carry "egress": "${s.egress}":\n${problems.map((p) => `  ${p}`).join('\n')}\nSee docs/deployment.md, "Network".`);
    process.exit(2);
  }
  console.log(`network: ${s.subnetIds.length} subnet(s) route out via ${s.egress === 'nat' ? 'a NAT' : 'an internet gateway'}; outbound 443 allowed`);
}
