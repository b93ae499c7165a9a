import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { CfnResource } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploySettings } from './deploy-settings';
import { StackUnit } from './stack-unit';

export interface LakeTopicProps {
  settings: DeploySettings;
}

/**
 * SNS route (`snowflake.route = "sns"`), for a Snowflake account in another region than the
 * bucket: S3 notifies this topic (in the bucket's region), and Snowflake's queue subscribes to it
 * when `snowflake setup` creates the pipes with AWS_SNS_TOPIC. S3 may publish only for this bucket
 * and account; only the principal SYSTEM$GET_AWS_SNS_IAM_POLICY names may subscribe.
 */
export class LakeTopic extends StackUnit {
  readonly topic: sns.Topic;
  /** The topic policy: S3 checks it before it accepts the bucket's notification configuration. */
  readonly policy: CfnResource;

  constructor(scope: Construct, id: string, { settings: s }: LakeTopicProps) {
    super(scope, id);
    const topic = new sns.Topic(this, 'LakeTopic', { topicName: 'soundlake-lake-raw', enforceSSL: true });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3PublishesForTheLakeBucket',
        principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${s.lakeBucketName}` }, StringEquals: { 'aws:SourceAccount': s.account } },
      }),
    );
    if (s.snowflake.snsSubscriberArn) {
      topic.addToResourcePolicy(
        new iam.PolicyStatement({ sid: 'SnowflakeSubscribes', principals: [new iam.ArnPrincipal(s.snowflake.snsSubscriberArn)], actions: ['sns:Subscribe'], resources: [topic.topicArn] }),
      );
    }
    this.topic = topic;
    this.policy = topic.node.findChild('Policy').node.defaultChild as CfnResource;
  }
}
