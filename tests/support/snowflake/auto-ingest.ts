import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningS3, S3EventRecord } from '../s3rver-harness';
import type { SnowflakeEmulator } from './emulator';

/**
 * Auto-ingest: the lake bucket's event notification, as the deployed stack configures it, carries
 * each created object to Snowflake's queue, and every pipe whose location and PATTERN select it
 * loads it.
 *
 * Amazon S3 event notifications: a configuration names event types (`s3:ObjectCreated:*` covers
 * Put, Post, Copy and CompleteMultipartUpload) and may filter "by object key name prefix and
 * suffix"; "The s3 key provided in the event notification is URL encoded".
 */
export interface BucketNotification {
  events: string[];
  prefix: string;
  suffix: string;
}

/** The lake bucket's notification, read from the stack template the project deploys (ecs/soundlake.template.json). */
export function stackNotification(templatePath = path.join(__dirname, '..', '..', '..', 'ecs', 'soundlake.template.json')): BucketNotification {
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const bucket = Object.values(template.Resources).find((r) => r.Type === 'AWS::S3::Bucket' && r.Properties?.NotificationConfiguration);
  const config = bucket?.Properties?.NotificationConfiguration as Record<string, { Event: string; Filter?: { S3Key?: { Rules?: { Name: string; Value: string }[] } } }[]> | undefined;
  const target = config && [...(config.QueueConfigurations ?? []), ...(config.TopicConfigurations ?? [])][0];
  if (!target) throw new Error(`${templatePath} has no bucket notification`);
  const rule = (name: string) => target.Filter?.S3Key?.Rules?.find((r) => r.Name.toLowerCase() === name)?.Value ?? '';
  return { events: [target.Event], prefix: rule('prefix'), suffix: rule('suffix') };
}

export function notificationMatches(notification: BucketNotification, eventName: string, key: string): boolean {
  const event = `s3:${eventName}`;
  const typed = notification.events.some((e) => (e.endsWith(':*') ? event.startsWith(e.slice(0, -1)) : e === event));
  return typed && key.startsWith(notification.prefix) && key.endsWith(notification.suffix);
}

/** Wires s3rver's events through the notification to the emulator; returns the keys it delivered. */
export function attachAutoIngest(s3: RunningS3, emulator: SnowflakeEmulator, notification: BucketNotification = stackNotification()): string[] {
  const delivered: string[] = [];
  s3.onEvent((record: S3EventRecord) => {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!notificationMatches(notification, record.eventName, key)) return;
    delivered.push(key);
    emulator.deliver(`s3://${record.s3.bucket.name}/${key}`);
  });
  return delivered;
}
