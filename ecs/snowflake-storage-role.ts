import { zonePrefix } from '../src/lake/keys';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DeploySettings } from './deploy-settings';
import { StackUnit } from './stack-unit';

export interface SnowflakeStorageRoleProps {
  settings: DeploySettings;
}

/**
 * The role Snowflake's storage integration assumes: read-only on committed files under raw/. Its
 * name is fixed so its ARN is known before `soundlake snowflake setup`; until setup has printed
 * Snowflake's IAM user and external id, it trusts nobody outside this account.
 */
export class SnowflakeStorageRole extends StackUnit {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, { settings: s }: SnowflakeStorageRoleProps) {
    super(scope, id);
    const bucketArn = `arn:aws:s3:::${s.lakeBucketName}`;
    const trusted = s.snowflake.iamUserArn ? new iam.ArnPrincipal(s.snowflake.iamUserArn) : new iam.AccountRootPrincipal();
    this.role = new iam.Role(this, 'SnowflakeStorageRole', {
      roleName: 'soundlake-snowflake-storage',
      description: 'Assumed by the Snowflake storage integration (trust from `soundlake snowflake setup`).',
      assumedBy: trusted.withConditions({ StringEquals: { 'sts:ExternalId': s.snowflake.externalId || 'pending-snowflake-setup' } }),
      inlinePolicies: {
        'read-lake-raw': new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`${bucketArn}/${s.lakePrefix}/${zonePrefix('raw')}*`] }),
            new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn], conditions: { StringLike: { 's3:prefix': [`${s.lakePrefix}/${zonePrefix('raw')}*`] } } }),
            // Snowflake asks where the bucket is before it reads (its documented policy includes this).
            new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [bucketArn] }),
          ],
        }),
      },
    });
  }
}
