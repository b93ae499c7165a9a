import { zonePrefix } from '../src/lake/keys';
import { type CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { DeploySettings } from './deploy-settings';
import { StackUnit } from './stack-unit';

export interface LakeBucketProps {
  settings: DeploySettings;
  /** SNS route: the topic S3 notifies, and its policy (which must exist first). */
  topic?: { arn: string; policy: CfnResource };
}

/**
 * The lake bucket: private, encrypted, TLS only, kept when the stack is deleted or the resource
 * replaced (RETAIN sets both DeletionPolicy and UpdateReplacePolicy), with lifecycle rules for
 * what nobody reads after a while, and Snowpipe's notification on committed files under raw/.
 */
export class LakeBucket extends StackUnit {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, { settings: s, topic }: LakeBucketProps) {
    super(scope, id);
    const expire = (id: string, prefix: string, days: number): s3.LifecycleRule[] => (days > 0 ? [{ id, prefix, expiration: Duration.days(days) }] : []);
    const bucket = new s3.Bucket(this, 'LakeBucket', {
      bucketName: s.lakeBucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // No expiry on _staging/: an unfinished package needs its staged files however old they are,
        // and the next run of the job removes the staging of runs that left no package.
        ...expire('expire-landing-archive', `${s.landingPrefix}/archive/`, s.retention.archiveDays),
        ...expire('expire-rejects', `${s.lakePrefix}/rejects/`, s.retention.rejectsDays),
      ],
    });
    const filter = { s3Key: { rules: [{ name: 'prefix', value: `${s.lakePrefix}/${zonePrefix('raw')}` }, { name: 'suffix', value: '.csv.gz' }] } };
    const cfn = bucket.node.defaultChild as s3.CfnBucket;
    if (topic) {
      // SNS route: the topic must allow S3 to publish before S3 accepts the configuration.
      cfn.notificationConfiguration = { topicConfigurations: [{ event: 's3:ObjectCreated:*', topic: topic.arn, filter }] };
      cfn.addResourceDependency(topic.policy);
    } else if (s.snowflake.snowpipeQueueArn) {
      // The queue is Snowflake's (another account): set on the bucket itself, no custom resource.
      cfn.notificationConfiguration = { queueConfigurations: [{ event: 's3:ObjectCreated:*', queue: s.snowflake.snowpipeQueueArn, filter }] };
    }
    this.bucket = bucket;
  }
}
