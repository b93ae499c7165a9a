import { App, BootstraplessSynthesizer } from 'aws-cdk-lib';
import * as path from 'node:path';
import { packageRoot } from '../src/core/package-root';
import { readDeploySettings } from './deploy-settings';
import { SoundlakeStack } from './soundlake-stack';

/**
 * The CDK app (cdk.json runs it): one stack, `soundlake`, from a settings file: `-c settings=FILE`,
 * else SOUNDLAKE_DEPLOY_SETTINGS, else ecs/settings.json. deploy.sh sets `-c image_tag=…`.
 */
export function buildApp(settingsFile: string, overrides: { imageTag?: string } = {}): { app: App; stack: SoundlakeStack } {
  const app = new App({ analyticsReporting: false });
  const settings = readDeploySettings(settingsFile);
  const stack = new SoundlakeStack(app, 'soundlake', { ...settings, ...(overrides.imageTag ? { imageTag: overrides.imageTag } : {}) }, {
    description: 'soundlake: music data jobs on ECS Fargate, the S3 lake, alerts and backfills (ecs/ CDK app)',
    // No assets (the image is pushed by deploy.sh), so no bootstrap stack: the template is deployed as is.
    synthesizer: new BootstraplessSynthesizer(),
  });
  return { app, stack };
}

if (require.main === module) {
  const probe = new App();
  const file = (probe.node.tryGetContext('settings') as string | undefined) ?? process.env.SOUNDLAKE_DEPLOY_SETTINGS ?? path.join(packageRoot(), 'ecs', 'settings.json');
  const imageTag = probe.node.tryGetContext('image_tag') as string | undefined;
  try {
    buildApp(file, { imageTag }).app.synth();
  } catch (error) {
    process.stderr.write(`soundlake deploy settings: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
