import * as fs from 'node:fs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

/** The retention periods CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, … days). */
const LOG_RETENTIONS = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0);

const arn = (service: string) => z.string().regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `an ARN of ${service}`);
/**
 * A secret as ECS `ValueFrom` accepts it: a Secrets Manager secret ARN (complete, with its
 * 6-character suffix, optionally `:json-key:version-stage:version-id`), or an SSM parameter ARN.
 */
const secretRef = z.string().regex(/^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}(:[^:]*:[^:]*:[^:]*)?|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/, 'a Secrets Manager secret ARN with its 6-character suffix (optionally :json-key:stage:version) or an SSM parameter ARN');
const prefix = z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a key prefix without slashes at the ends');

/**
 * What one deployment needs to know, from a JSON file (ecs/settings.example.json shows every key).
 * Nothing here is secret: secrets are referenced by ARN and read by ECS at task start.
 */
export const DeploySettingsSchema = z
  .object({
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1'),
    /** ECR repository URI without tag; deploy.sh pushes `{tag}` (slim) and `{tag}-browser` (with Chromium). */
    imageRepository: z.string().regex(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9._/-]+$/, 'an ECR repository URI, 123456789012.dkr.ecr.REGION.amazonaws.com/NAME'),
    /** The image tag: the commit deploy.sh built (it refuses a dirty tree). */
    imageTag: z.string().regex(/^[A-Za-z0-9_.-]{1,120}$/, 'a Docker image tag'),
    lakeBucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a DNS-valid bucket name'),
    lakePrefix: prefix.default('lake'),
    landingPrefix: prefix.default('landing'),
    subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, 'a subnet id')).min(1),
    securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'a security group id')).min(1),
    /**
     * How tasks reach what they need on port 443: ECR (the image), Secrets Manager and SSM (the
     * secrets), CloudWatch Logs, S3, and the internet (Spotify, DistroKid). `nat`: the subnets route
     * 0.0.0.0/0 through a NAT gateway (private subnets). `public-ip`: public subnets (a route to an
     * internet gateway) and tasks get a public IP. VPC endpoints alone are not enough: the Spotify and
     * DistroKid jobs call the internet. docs/deployment.md, "Network".
     */
    egress: z.enum(['nat', 'public-ip'], { message: 'how tasks reach ECR, Secrets Manager, CloudWatch Logs, S3 and the internet on port 443: "nat" (private subnets with a NAT gateway) or "public-ip" (public subnets; tasks get a public IP)' }),
    /** KMS key that encrypts the DistroKid session file (S3_KMS_KEY_ID). */
    sessionKmsKeyArn: arn('kms'),
    secrets: z.object({ spotifyClientId: secretRef, spotifyClientSecret: secretRef, spotifyRefreshToken: secretRef }),
    spotifyPlaylistIds: z.string().default(''),
    spotifyArtistIds: z.string().default(''),
    /** Filled from `soundlake snowflake setup` output; empty on the first deploy. */
    snowflake: z
      .object({
        iamUserArn: z.union([z.literal(''), arn('iam')]).default(''),
        externalId: z.string().default(''),
        /** sqs: the bucket notifies the pipes' queue (same region); sns: a topic in the bucket's region that Snowflake's queue subscribes to. */
        route: z.enum(['sqs', 'sns']).default('sqs'),
        /** sqs route: the pipes' notification_channel (an SQS queue in Snowflake's region). */
        snowpipeQueueArn: z.union([z.literal(''), arn('sqs')]).default(''),
        /** sns route: the principal `soundlake snowflake sns-policy` prints (Snowflake's queue subscribes as it). */
        snsSubscriberArn: z.union([z.literal(''), arn('iam')]).default(''),
      })
      .default({ iamUserArn: '', externalId: '', route: 'sqs', snowpipeQueueArn: '', snsSubscriberArn: '' }),
    alerts: z
      .object({
        /** Subscribed to the alert topic (confirm the e-mail AWS sends); empty: subscribe yourself. */
        email: z.union([z.literal(''), z.string().email()]).default(''),
        /** Alarm when a job has had no successful run for this many of its periods (capped at 7 days). */
        missedPeriods: z.number().int().min(1).max(168).default(2),
      })
      .default({ email: '', missedPeriods: 2 }),
    retention: z
      .object({
        /** Days processed landing files stay under landing/archive/ (0 keeps them). */
        archiveDays: z.number().int().min(0).default(90),
        /** Days rejected rows stay under {lake}/rejects/ (0 keeps them). */
        rejectsDays: z.number().int().min(0).default(90),
        logDays: z
          .number()
          .refine((v) => LOG_RETENTIONS.includes(v), `one of CloudWatch Logs' retention periods: ${LOG_RETENTIONS.join(', ')} days`)
          .default(90),
      })
      .default({ archiveDays: 90, rejectsDays: 90, logDays: 90 }),
    backfill: z
      .object({
        /** Tasks a backfill runs at once (Fargate quota and the sources' rate limits bound it). */
        maxConcurrency: z.number().int().min(1).max(1000).default(8),
        /** Percentage of items that may fail before the whole backfill fails. */
        toleratedFailurePercentage: z.number().min(0).max(100).default(0),
        /** Minutes one item's task may run before Step Functions stops it and tries it again (default 360). */
        itemTimeoutMinutes: z.number().int().min(5).max(7 * 24 * 60).default(360),
      })
      .default({ maxConcurrency: 8, toleratedFailurePercentage: 0, itemTimeoutMinutes: 360 }),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Snowflake's queue lives in Snowflake's region, and S3 only notifies queues in the bucket's region.
    const queueRegion = s.snowflake.snowpipeQueueArn.split(':')[3];
    if (s.snowflake.route === 'sns' && s.snowflake.snowpipeQueueArn) {
      ctx.addIssue({ code: 'custom', path: ['snowflake', 'snowpipeQueueArn'], message: 'the sns route notifies a topic, not a queue: leave snowpipeQueueArn empty and set snsSubscriberArn' });
    }
    if (s.snowflake.route === 'sqs' && queueRegion && queueRegion !== s.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['snowflake', 'snowpipeQueueArn'],
        message:
          `the Snowpipe queue is in ${queueRegion} but the stack (and the lake bucket) in ${s.region}; S3 can only notify an SQS queue in the bucket's region. ` +
          `Deploy in ${queueRegion}, or use snowflake.route = "sns" (docs/deployment.md, "Snowflake in another region")`,
      });
    }
    if (Boolean(s.snowflake.iamUserArn) !== Boolean(s.snowflake.externalId)) {
      ctx.addIssue({ code: 'custom', path: ['snowflake'], message: 'iamUserArn and externalId come together from `soundlake snowflake setup`: set both or neither' });
    }
  });

export type DeploySettings = z.infer<typeof DeploySettingsSchema>;

/** Snowpipe can hear about new files: the bucket's notification has somewhere to go that Snowflake reads. */
export const pipesWired = (s: DeploySettings) => (s.snowflake.route === 'sns' ? Boolean(s.snowflake.snsSubscriberArn) : Boolean(s.snowflake.snowpipeQueueArn));

/** Reads and checks a settings file; every problem names the file and the key. */
export function readDeploySettings(file: string): DeploySettings {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const parsed = DeploySettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file}:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n')}`);
  }
  return parsed.data;
}
