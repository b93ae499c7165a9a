import type { Command } from 'commander';
import { lakeFlag, loadConfig } from '../core/config';
import { readSecret } from '../core/secrets';
import { configureS3, readS3Settings } from '../connections/s3';
import { distrokidLogin } from '../sources/distrokid/distrokid-login';
import { readDistrokidSettings } from '../sources/distrokid/distrokid-settings';
import { intFlag } from './command-flags';

export function addDistrokidCommand(program: Command): void {
  const distrokid = program.command('distrokid').description('DistroKid helpers');
  distrokid
    .command('login')
    .description('log in to DistroKid in a browser window once and save the session the job reuses')
    .option('--headless', 'no window (for automation; DistroKid may then refuse the captcha)')
    .option('--timeout <seconds>', 'how long to wait for the person to finish', intFlag('--timeout', 10, 3600), 600)
    .option('--lake <url>', 'lake holding the session; default [lake] url (see [distrokid] session_url)')
    .addHelpText(
      'after',
      '\nThe form is pre-filled from DISTROKID_EMAIL and DISTROKID_PASSWORD when set. Complete the captcha\n' +
        'and the emailed new-device code; once the dashboard shows, the session is saved to\n' +
        '[distrokid] session_url (default {lake}/_sessions/distrokid.json; S3: server-side encrypted;\n' +
        'local: mode 0600). Run it from a laptop against the production lake so scheduled tasks can use it.',
    )
    .action(async (flags: { headless?: boolean; timeout: number; lake?: string }) => {
      const config = loadConfig({ flags: lakeFlag(flags.lake) });
      const settings = readDistrokidSettings(config);
      await configureS3(readS3Settings(config));
      console.log(`Opening ${settings.baseUrl}/signin/ — log in, solve the captcha and enter the emailed code …`);
      const where = await distrokidLogin(settings, {
        headless: flags.headless ?? false,
        timeoutMs: flags.timeout * 1000,
        email: config.env.DISTROKID_EMAIL,
        password: readSecret('DISTROKID_PASSWORD', config.env),
      });
      console.log(`Session saved to ${where}`);
    });
}
