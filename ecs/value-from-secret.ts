import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The IAM action and resource that let ECS read a `ValueFrom` reference:
 * - `arn:…:secretsmanager:…:secret:NAME-AbCdEf` → GetSecretValue on that ARN;
 * - `arn:…:secret:NAME-AbCdEf:json-key:stage:version` → the same, on the secret's ARN (the part
 *   before the JSON key; IAM never sees the key);
 * - `arn:…:ssm:…:parameter/NAME` → ssm:GetParameters on the parameter.
 */
export function secretReadGrant(valueFrom: string): { action: string; resource: string } {
  const parts = valueFrom.split(':');
  if (parts[2] === 'ssm') return { action: 'ssm:GetParameters', resource: valueFrom };
  if (parts[2] === 'secretsmanager' && parts[5] === 'secret') return { action: 'secretsmanager:GetSecretValue', resource: parts.slice(0, 7).join(':') };
  throw new Error(`not a ValueFrom reference ECS accepts: ${valueFrom}`);
}

/** A container secret given exactly as ECS `ValueFrom` takes it, with the grant that form needs. */
export class ValueFromSecret extends ecs.Secret {
  readonly hasField: boolean;
  constructor(readonly arn: string) {
    super();
    this.hasField = arn.split(':').length > 7;
  }

  grantRead(grantee: iam.IGrantable): iam.Grant {
    const { action, resource } = secretReadGrant(this.arn);
    return iam.Grant.addToPrincipal({ grantee, actions: [action], resourceArns: [resource] });
  }
}
